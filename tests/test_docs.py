"""The documentation site builds in strict mode, lists every page, and documents the public API.

The fast tests read ``mkdocs.yml`` and the Markdown sources only: every page in ``docs/``
(including the notebooks, linked in as ``docs/notebooks -> ../notebooks``) is in the nav or
deliberately left out, every nav entry exists, and every name in ``womsim.__all__`` has its
``::: womsim.NAME`` entry in the API reference. The slow test runs
``mkdocs build --strict`` (any warning fails: a broken link or anchor, a docstring griffe
cannot parse) into a temporary folder and checks the key pages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import womsim

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CONFIG = ROOT / "mkdocs.yml"

#: Pages in docs/ that are deliberately not in the nav (path relative to docs/ -> why).
NOT_IN_NAV: dict[str, str] = {}

#: Public names documented in the API reference's text rather than with a ``:::`` entry.
IN_TEXT_ONLY = {"__version__"}

_DIRECTIVE = re.compile(r"^:::\s+(\S+)", re.MULTILINE)


def _config() -> dict:
    yaml = pytest.importorskip("yaml")

    class _Loader(yaml.SafeLoader):  # tolerate mkdocs' !ENV / !!python tags if added later
        pass

    _Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    _Loader.add_multi_constructor("tag:yaml.org,2002:python/",
                                  lambda loader, suffix, node: None)
    return yaml.load(CONFIG.read_text(encoding="utf-8"), Loader=_Loader)


def _nav_paths(nav) -> list[str]:
    """Every page path in the nav, in order (external links left out)."""
    out: list[str] = []
    if isinstance(nav, str):
        if "://" not in nav:
            out.append(nav)
    elif isinstance(nav, list):
        for item in nav:
            out.extend(_nav_paths(item))
    elif isinstance(nav, dict):
        for value in nav.values():
            out.extend(_nav_paths(value))
    return out


def _pages() -> set[str]:
    """Markdown pages and notebooks under docs/ (following the notebooks link)."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(DOCS, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".md") or (name.endswith(".ipynb")
                                        and not name.endswith(".nbconvert.ipynb")):
                found.add(Path(dirpath, name).relative_to(DOCS).as_posix())
    return found


def _api_sources() -> list[Path]:
    return [p for p in [DOCS / "api.md", *sorted((DOCS / "api").glob("*.md"))] if p.exists()]


def test_notebooks_linked_into_docs():
    link = DOCS / "notebooks"
    assert link.is_dir(), "docs/notebooks should link to ../notebooks"
    assert link.resolve() == (ROOT / "notebooks").resolve()


def test_every_page_in_nav():
    nav = _nav_paths(_config()["nav"])
    missing = sorted(_pages() - set(nav) - set(NOT_IN_NAV))
    assert not missing, (f"pages in docs/ missing from the nav in mkdocs.yml: {missing} "
                         "(add them, or to NOT_IN_NAV in tests/test_docs.py with a reason)")


def test_every_nav_entry_exists():
    nav = _nav_paths(_config()["nav"])
    absent = [p for p in nav if not (DOCS / p).is_file()]
    assert not absent, f"nav entries in mkdocs.yml with no file in docs/: {absent}"
    duplicated = sorted({p for p in nav if nav.count(p) > 1})
    assert not duplicated, f"pages listed twice in the nav: {duplicated}"


def test_every_public_name_in_api_reference():
    sources = _api_sources()
    assert sources, "no API reference (docs/api.md or docs/api/*.md)"
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    documented = set(_DIRECTIVE.findall(text))
    missing = [n for n in womsim.__all__
               if n not in IN_TEXT_ONLY and f"womsim.{n}" not in documented]
    assert not missing, f"public names without a '::: womsim.NAME' entry: {missing}"
    for name in IN_TEXT_ONLY:
        assert name in text, f"{name} is not mentioned in the API reference"
    public = {f"womsim.{n}" for n in womsim.__all__}
    stale = sorted(d for d in documented
                   if d not in public and not any(d.startswith(p + ".") for p in public))
    assert not stale, f"API reference documents names that are not public: {stale}"


def _have_docs_tools() -> None:
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python",
                   "mkdocs_jupyter"):
        pytest.importorskip(module, reason="install the docs tools: pip install -e '.[dev]'")


@pytest.mark.slow
def test_site_builds_strict(tmp_path):
    _have_docs_tools()
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    problems = "\n".join(line for line in log.splitlines()
                         if line.startswith(("WARNING", "ERROR")))
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{problems or log[-5000:]}"

    assert (site / "index.html").is_file()
    api = site / "api" / "index.html"
    assert api.is_file()
    html = api.read_text(encoding="utf-8")
    for name in womsim.__all__:
        if name not in IN_TEXT_ONLY:
            assert f'id="womsim.{name}"' in html, f"womsim.{name} not rendered in the API page"
    assert not re.search(r":(meth|func|class|attr):<code>", html), \
        "Sphinx roles rendered literally (docs/hooks.py should strip them)"

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for nb in notebooks:
        page = site / "notebooks" / nb.stem / "index.html"
        assert page.is_file(), f"notebook {nb.name} not rendered"
    first = (site / "notebooks" / notebooks[0].stem / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", first)
    assert "import womsim" in text, "notebook page without its code cells"

    assert not (ROOT / ".cache" / "mkdocs-jupyter").exists(), \
        "the docs build wrote a cache into the work tree (mkdocs-jupyter cache: false)"
