"""Scenario files in TOML: exact round trips, errors that name the key and the line."""

from __future__ import annotations

import codecs
import re
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import tomli_w

from womsim.core.atomic import atomic_write
from womsim.core.errors import ScenarioError
from womsim.model.solved import restate_if_edited, upgrade_unrecorded

if TYPE_CHECKING:
    from womsim.model.scenario import Scenario

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["find_line", "read_toml", "write_toml"]

T = TypeVar("T")

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_.-]+)\s*=""")


def find_line(text: str, dotted: str) -> int | None:
    """The 1-based line where a dotted key is set in TOML ``text``, or None.

    Examples
    --------
    >>> find_line("[market]\\npeople = 5\\n", "market.people")
    2
    >>> find_line("[[a.b]]\\nx = 1\\n[[a.b]]\\nx = 2\\n", "a.b.1.x")  # arrays of tables
    4
    """
    parts = dotted.split(".")
    table: list[str] = []
    best = None
    arrays: dict[str, int] = {}
    for no, line in enumerate(text.splitlines(), start=1):
        h = _HEADER.match(line)
        if h:
            table = [p.strip().strip('"') for p in h.group(1).split(".")]
            if line.lstrip().startswith("[["):  # the n-th [[x]] is x.n in an error's path
                n = arrays.get(h.group(1), 0)
                arrays[h.group(1)] = n + 1
                table = [*table, str(n)]
                if table == parts:
                    return no
            continue
        k = _KEY.match(line)
        if not k:
            continue
        key = [p.strip('"\'') for p in k.group(1).split(".")]
        full = table + key
        if full == parts[: len(full)] and len(full) == len(parts):
            return no
        if key and key[-1] == parts[-1] and best is None:
            best = no
    return best


def write_toml(scenario: Scenario, path: str | Path, overwrite: bool = False) -> Path:
    """Write ``scenario`` as TOML at ``path`` (atomic; no overwrite unless asked)."""
    text = f"# womsim scenario '{scenario.name}'\n" + tomli_w.dumps(scenario.to_dict())
    return atomic_write(path, text, overwrite=overwrite)


def read_toml(path: str | Path, scenario_cls: type[T]) -> T:
    """Read a scenario file as a ``scenario_cls`` (:class:`womsim.Scenario`); a syntax error or
    bad value raises ScenarioError with the line. The class is passed in, so that this module
    needs nothing from the one that defines it."""

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"scenario file not found: {path}")
    if path.is_dir():
        raise ScenarioError(f"{path} is a folder, not a scenario file")
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                       codecs.BOM_UTF32_BE)):
        raise ScenarioError(f"{path}: the file is UTF-16 or UTF-32 text (it starts with that "
                            "byte-order mark); save it as UTF-8")
    try:
        # a UTF-8 byte-order mark (Windows editors add one) is dropped by hand: the
        # "utf-8-sig" codec would be imported lazily, running import machinery on user input
        text = raw.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise ScenarioError(f"{path}, line {line}: not a UTF-8 text file ({err.reason} at "
                            f"byte {err.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: TOML syntax error: {err}") from None
    for upgrade in (upgrade_unrecorded, restate_if_edited):
        try:
            data, note = upgrade(data)
        except (KeyError, TypeError, AttributeError):  # malformed: the validation names it
            note = None
        if note:
            warnings.warn(f"{path}: {note}", UserWarning, stacklevel=3)
    try:
        return scenario_cls(**data)
    except ScenarioError as err:
        problems = getattr(err, "problems", None) or [str(err)]
        raise ScenarioError(_with_lines(problems, text, path)) from None
    except TypeError as err:
        raise ScenarioError(f"{path}: {err}") from None


def _with_lines(problems: list[str], text: str, path: Path) -> str:
    """Prefix each complaint with the file line of the key it names."""
    out = []
    for item in problems:
        m = re.search(r"'?([a-z_]+(?:\.[A-Za-z0-9_]+)+)'?", item)
        line = find_line(text, m.group(1)) if m else None
        where = f"{path}, line {line}" if line else f"{path}"
        out.append(f"{where}: {item}")
    return "; ".join(out)
