"""Griffe extension: read the package's docstrings the way Napoleon (Sphinx) reads them.

torchbalance's docstrings are Google style as Sphinx/Napoleon understands it. Griffe's Google
parser, which mkdocstrings uses, differs in three ways, which this extension bridges before
the docstrings are parsed, without touching the source:

- ``Example:`` (singular) is Napoleon's examples section; griffe knows only ``Examples:`` and
  would render the doctest as plain text. It is renamed to ``Examples:``.
- ``a, b, c: text`` in ``Args:`` documents three parameters at once (as Napoleon allows); griffe
  reads one parameter named "a, b, c". It becomes one entry per name.
- Sphinx roles (``:class:`~torchbalance.samplers.ClassBalancedSampler```, ``:func:`compare```)
  become cross-references that mkdocs-autorefs resolves and checks: a target is looked up as
  Sphinx would (the object, its class, its module, the enclosing packages), then as a unique
  public name of the package; ``~`` shows the last name only. References to other libraries
  (``torch``, ``sklearn``) and targets that name no public object become inline code, and
  are listed at the end of the build (``--verbose``) so they can be fixed at the source.
- ``text::`` before an indented block (reStructuredText's literal block) becomes ``text:``;
  the indented block is a code block in Markdown too.

Loaded by mkdocstrings' python handler (``extensions:`` in mkdocs.yml), from the repository root.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import griffe

log = logging.getLogger("mkdocs.hooks.griffe_docstrings")

_ROLE = re.compile(
    r":(?:py:)?(?P<role>class|func|meth|mod|attr|data|exc|obj|const):`(?P<tilde>~?)(?P<target>[^`]+)`"
)
_SECTION = re.compile(r"^(?P<indent>\s*)Example:\s*$", re.MULTILINE)
_ARGS_SECTIONS = {
    "args",
    "arguments",
    "params",
    "parameters",
    "keyword args",
    "keyword arguments",
    "other args",
    "other arguments",
    "other params",
    "other parameters",
}
_LITERAL = re.compile(r"(?<=\S)::$", re.MULTILINE)


class NapoleonDocstrings(griffe.Extension):
    """Rewrite docstrings of the whole package once it is loaded (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self.unresolved: list[str] = []
        self._public: dict[str, list[str]] = {}

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        self._index_public(pkg)
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = self._rewrite(obj.docstring.value, obj, pkg)
        unresolved = sorted(set(self.unresolved))
        for line in unresolved:
            log.debug("unresolved docstring reference (rendered as code): %s", line)
        if unresolved:
            log.info(
                "%d docstring references to private or outside names rendered as code "
                "(mkdocs build --verbose lists them)",
                len(unresolved),
            )

    # -- public names ---------------------------------------------------------------------------
    def _index_public(self, pkg: griffe.Module) -> None:
        """name -> public paths (torchbalance.<module>.<name>) of every __all__ export."""
        self._public.clear()
        for module in _modules(pkg):
            if any(part.startswith("_") for part in module.path.split(".")):
                continue
            for name in _exports(module):
                self._public.setdefault(name, []).append(f"{module.path}.{name}")

    def _resolve(self, target: str, obj: griffe.Object, pkg: griffe.Module) -> str | None:
        root = pkg.path
        if target == root or target.startswith(root + "."):
            path = _public_path(target, self._public, pkg) if _exists(pkg, target) else target
            return path if _renderable(pkg, path) else None
        first, _, rest = target.partition(".")
        scopes: list[griffe.Object] = []
        scope: griffe.Object | None = obj
        while scope is not None:
            scopes.append(scope)
            scope = scope.parent
        for scope in scopes:
            candidate = f"{scope.path}.{target}"
            if _exists(pkg, candidate):
                path = _public_path(candidate, self._public, pkg)
                return path if _renderable(pkg, path) else None
        paths = self._public.get(first, [])
        if len(set(paths)) >= 1:
            candidate = f"{sorted(paths, key=len)[0]}{'.' + rest if rest else ''}"
            if _renderable(pkg, candidate):
                return candidate
        return None

    # -- rewriting --------------------------------------------------------------------------
    def _rewrite(self, text: str, obj: griffe.Object, pkg: griffe.Module) -> str:
        text = _SECTION.sub(lambda m: f"{m.group('indent')}Examples:", text)
        text = _split_grouped_args(text)
        text = _LITERAL.sub(":", text)

        def role(match: re.Match[str]) -> str:
            kind, target = match.group("role"), match.group("target").strip()
            target = target.lstrip(".")
            shown = target.rsplit(".", 1)[-1] if match.group("tilde") else target
            if kind in {"func", "meth"}:
                shown += "()"
            resolved = self._resolve(target, obj, pkg)
            if resolved is None:
                if target.split(".")[0] == pkg.path or "." not in target:
                    self.unresolved.append(f"{obj.filepath}: {obj.path}: {match.group(0)}")
                return f"`{shown}`"
            return f"[`{shown}`][{resolved}]"

        return _ROLE.sub(role, text)


def _walk(obj: griffe.Object):  # type: ignore[no-untyped-def]
    yield obj
    for member in obj.members.values():
        if member.is_alias:
            continue
        yield from _walk(member)  # type: ignore[arg-type]


def _modules(pkg: griffe.Module):  # type: ignore[no-untyped-def]
    yield pkg
    for member in pkg.members.values():
        if not member.is_alias and member.is_module:
            yield from _modules(member)  # type: ignore[arg-type]


def _exports(module: griffe.Module) -> list[str]:
    exports = module.exports
    if exports is None:
        return [name for name in module.members if not name.startswith("_")]
    return [name if isinstance(name, str) else name.name for name in exports]


def _exists(pkg: griffe.Module, path: str) -> bool:
    parts = path.split(".")
    if parts[0] != pkg.path:
        return False
    obj: Any = pkg
    for part in parts[1:]:
        try:
            members = obj.members
        except Exception:  # an alias that does not resolve
            return False
        if part not in members:
            return False
        obj = members[part]
    return True


def _renderable(pkg: griffe.Module, path: str) -> bool:
    """Whether the API pages show ``path``: public parts, exported, documented."""
    parts = path.split(".")
    if any(part.startswith("_") for part in parts) or not _exists(pkg, path):
        return False
    obj: Any = pkg
    for part in parts[1:]:
        member = obj.members[part]
        if obj.is_module and not member.is_module and part not in _exports(obj):
            return False
        obj = member
    try:
        return obj.is_module or bool(obj.docstring)
    except Exception:  # an alias that does not resolve
        return False


def _public_path(path: str, public: dict[str, list[str]], pkg: griffe.Module) -> str:
    """Prefer the public (re-exported) path of an object found at a private path."""
    parts = path.split(".")
    private = [i for i, part in enumerate(parts) if part.startswith("_") and i < len(parts) - 1]
    if not private:
        return path
    cut = private[-1] + 1
    name, rest = parts[cut], parts[cut + 1 :]
    module_prefix = ".".join(parts[: private[0]])
    candidates = [p for p in public.get(name, []) if p.startswith(module_prefix + ".")]
    if candidates:
        return ".".join([min(candidates, key=len), *rest])
    return path


def _split_grouped_args(text: str) -> str:
    """``a, b: text`` in an Args-like section -> one entry per name, same text."""
    lines = text.split("\n")
    out: list[str] = []
    in_args = False
    section_indent = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped.endswith(":") and stripped[:-1].lower() in _ARGS_SECTIONS:
            in_args, section_indent = True, indent
            out.append(line)
            continue
        if in_args and stripped and indent <= section_indent:
            in_args = False
        match = re.match(r"^(\s+)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+):(\s.*)?$", line)
        if in_args and match:
            lead, names, rest = match.group(1), match.group(2), match.group(3) or ""
            continuation = []
            for follow in lines[index + 1 :]:
                if follow.strip() and len(follow) - len(follow.lstrip()) > len(lead):
                    continuation.append(follow)
                else:
                    break
            for number, name in enumerate(n.strip() for n in names.split(",")):
                out.append(f"{lead}{name}:{rest}")
                if number < len(names.split(",")) - 1:
                    out.extend(continuation)
            continue
        out.append(line)
    return "\n".join(out)
