"""MkDocs hook: include parts of the repository's Markdown files (and source files) in pages.

The docs site reuses README.md, CHANGELOG.md, benchmarks/README.md and examples/*.py instead of
copying them, so there is one text to keep up to date. A page writes, alone on a line::

    {% include "README.md" section="Quickstart" %}      one section, its heading made level 1
    {% include "README.md" section="" level=1 %}        the text before the first "## " heading
    {% include "README.md" section="The main job: which technique works on my data?" level=2 %}
    {% include "CHANGELOG.md" %}                        the whole file
    {% include "examples/multilabel.py" lang="python" %} a source file as a code block

``section`` is a heading's exact text (without the leading ``#``); the section runs to the
next heading of the same or a higher level. ``level`` (default 1) is the level that heading
gets in the page; its subsections shift with it. Relative links in the included text are
rewritten for the page: to the docs page that includes that file when there is one (README.md
-> index.md, ...), else to ``repo_url`` when mkdocs.yml sets one, else the link is dropped and
its text kept. A missing file or section stops the build with a message naming both.

With ``strict: true`` the build also warns (and so fails) when a ``## `` section of README.md
is on no page, so a new README section cannot silently miss the site; list deliberate
omissions in ``extra.readme_sections_not_in_docs`` of mkdocs.yml.

This is an MkDocs hook (``hooks:`` in mkdocs.yml, MkDocs >= 1.4), not a plugin: nothing extra
to install.
"""

from __future__ import annotations

import logging
import posixpath
import re
import shlex
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.include")

_DIRECTIVE = re.compile(r"^\{%\s*include\s+(?P<args>.*?)\s*%\}\s*$", re.MULTILINE)
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*#*\s*$")
# [text](target) with a relative target (not http:, mailto:, #anchor or /absolute)
_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")

# repository file -> the docs page that shows it (for rewriting links between them)
_PAGE_OF_FILE = {
    "README.md": "index.md",
    "CHANGELOG.md": "changelog.md",
    "benchmarks/README.md": "benchmarks.md",
}

_root = Path(".")
_included_readme_sections: set[str] = set()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _root
    _root = Path(config.config_file_path).resolve().parent
    _included_readme_sections.clear()
    return config


def _parse_args(args: str, page: Page) -> tuple[str, dict[str, str]]:
    try:
        words = shlex.split(args)
    except ValueError as error:
        raise PluginError(f"{page.file.src_uri}: bad include {args!r}: {error}") from None
    if not words:
        raise PluginError(f"{page.file.src_uri}: include needs a file name")
    options: dict[str, str] = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep or key not in {"section", "level", "lang"}:
            raise PluginError(
                f"{page.file.src_uri}: include option {word!r} is invalid; "
                'use section="...", level=N or lang="..."'
            )
        options[key] = value
    return words[0], options


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, title) of each Markdown heading outside fenced code."""
    found = []
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if match:
            marker = match.group("fence")
            if fence is None:
                fence = marker
            elif marker.startswith(fence) and line.strip() == marker:
                fence = None
            continue
        if fence is None:
            heading = _HEADING.match(line)
            if heading:
                found.append((index, len(heading.group("hashes")), heading.group("title")))
    return found


def _section(text: str, title: str, source: str, page: Page) -> tuple[list[str], int]:
    """The lines of section ``title`` (``""``: the preamble) and its heading level."""
    lines = text.splitlines()
    heads = _headings(lines)
    if title == "":
        end = next((i for i, level, _ in heads if level >= 2), len(lines))
        return lines[:end], 1
    for position, (start, level, name) in enumerate(heads):
        if name == title:
            end = next((i for i, lv, _ in heads[position + 1 :] if lv <= level), len(lines))
            return lines[start:end], level
    available = ", ".join(repr(name) for _, lv, name in heads if lv == 2)
    raise PluginError(
        f"{page.file.src_uri}: {source} has no section {title!r}; its '## ' sections are: "
        f"{available}"
    )


def _shift_headings(lines: list[str], shift: int) -> list[str]:
    if shift == 0:
        return lines
    out = list(lines)
    for index, level, title in _headings(lines):
        new = min(max(level + shift, 1), 6)
        out[index] = "#" * new + " " + title
    return out


def _rewrite_links(text: str, source: str, page: Page, config: MkDocsConfig) -> str:
    source_dir = posixpath.dirname(source)
    page_dir = posixpath.dirname(page.file.src_uri)
    repo_url = (config.repo_url or "").rstrip("/")

    def replace(match: re.Match[str]) -> str:
        target = match.group("target")
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
            return match.group(0)
        path, _, anchor = target.partition("#")
        repo_path = posixpath.normpath(posixpath.join(source_dir, path)) if path else source
        docs_page = _PAGE_OF_FILE.get(repo_path)
        if docs_page is not None:
            new = posixpath.relpath(docs_page, page_dir or ".")
            new += f"#{anchor}" if anchor else ""
            return f"{match.group('bang')}[{match.group('text')}]({new})"
        if repo_url:
            return f"{match.group('bang')}[{match.group('text')}]({repo_url}/blob/main/{repo_path})"
        return match.group("text")

    return _LINK.sub(replace, text)


def _include(match: re.Match[str], page: Page, config: MkDocsConfig) -> str:
    source, options = _parse_args(match.group("args"), page)
    path = (_root / source).resolve()
    if _root not in path.parents or not path.is_file():
        raise PluginError(f"{page.file.src_uri}: include file {source!r} not found in {_root}")
    text = path.read_text(encoding="utf-8")
    if "lang" in options:
        fence = "````" if "```" in text else "```"
        return f"{fence}{options['lang']}\n{text.rstrip()}\n{fence}"
    if "section" in options:
        title = options["section"]
        lines, level = _section(text, title, source, page)
        if source == "README.md":
            _included_readme_sections.add(title)
        try:
            target_level = int(options.get("level", "1"))
        except ValueError:
            raise PluginError(f"{page.file.src_uri}: level must be an integer") from None
        lines = _shift_headings(lines, target_level - level)
        text = "\n".join(lines)
    elif source == "README.md":
        _included_readme_sections.add("*")
    return _rewrite_links(text, source, page, config).rstrip() + "\n"


def on_page_markdown(
    markdown: str, *, page: Page, config: MkDocsConfig, files: Files, **kwargs: Any
) -> str:
    return _DIRECTIVE.sub(lambda m: _include(m, page, config), markdown)


def on_post_build(*, config: MkDocsConfig, **kwargs: Any) -> None:
    if "*" in _included_readme_sections:
        return
    readme = _root / "README.md"
    if not readme.is_file():
        return
    skip = set(config.extra.get("readme_sections_not_in_docs", []) or [])
    lines = readme.read_text(encoding="utf-8").splitlines()
    for _, level, title in _headings(lines):
        if level == 2 and title not in _included_readme_sections and title not in skip:
            log.warning(
                "README.md section '## %s' is on no docs page; add "
                '{%% include "README.md" section="%s" %%} to a page in docs/, or list it in '
                "extra.readme_sections_not_in_docs of mkdocs.yml",
                title,
                title,
            )
