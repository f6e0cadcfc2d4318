"""MkDocs hook: show Sphinx roles in docstrings (:meth:`save`, :func:`~womsim.sweep`) as code.

womsim's docstrings are numpy style with Sphinx roles, which Markdown renders literally
(":meth:" followed by code). This strips the role, and a leading ``~``, from the HTML of
every page. Listed under ``hooks:`` in mkdocs.yml; excluded from the site by ``exclude_docs``.
"""

from __future__ import annotations

import re

_ROLE = re.compile(r":(?:py:)?(?:meth|func|class|attr|mod|obj|exc|data|const|ref):<code>~?")


def on_page_content(html: str, **kwargs) -> str:
    return _ROLE.sub("<code>", html)
