"""Safe YAML with source positions.

PyYAML composes a node graph (every node carries its start mark); we refuse anchors, aliases
and non-standard tags while composing (so nothing is ever constructed from them), report
duplicate keys, bound nesting depth, and then convert nodes into values under a small typed
schema (:mod:`site_gen.load.schema`). Positions are mapped to the file with a line offset, so
diagnostics point inside front matter too.
"""

from __future__ import annotations

import bisect
import re

import yaml

from ..diagnostics import Diagnostic, Location, diag

MAX_YAML_CHARS = 256 * 1024  # a front matter block or .yaml file; documented in docs/limits.md
MAX_DEPTH = 32

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


class Refused(Exception):
    def __init__(self, mark, message: str, hint: str):
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


class _Loader(yaml.SafeLoader):
    """A composer that refuses what site-gen never needs and that could hurt."""

    def __init__(self, text: str):
        super().__init__(text)
        self.depth = 0
        self.duplicates: list[tuple[yaml.Node, yaml.Node]] = []  # (first key, second key)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise Refused(event.start_mark, f"YAML aliases (*{event.anchor}) are not allowed",
                          "write the value out in full instead of referring to an anchor")
        if getattr(event, "anchor", None):
            raise Refused(event.start_mark, f"YAML anchors (&{event.anchor}) are not allowed",
                          "remove the anchor and write values out in full")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in _STANDARD_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise Refused(event.start_mark, f"the YAML tag {shown} is not allowed",
                          "remove the tag; if the value is text, put it in quotes")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused(event.start_mark, f"the YAML is nested deeper than {MAX_DEPTH} levels",
                          "flatten the structure; site-gen files never need this depth")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen: dict[object, yaml.Node] = {}
        kept = []
        for key, value in node.value:
            ident = _key_identity(self, key)
            if ident in seen:
                self.duplicates.append((seen[ident], key))
                continue
            seen[ident] = key
            kept.append((key, value))
        node.value = kept
        return node


def _key_identity(loader: _Loader, key: yaml.Node):
    if isinstance(key, yaml.ScalarNode):
        try:
            value = loader.construct_object(key, deep=True)
        except Exception:  # noqa: BLE001 - an unconstructible key compares by its text
            value = key.value
        return (type(value).__name__ if not isinstance(value, str) else "str", value)
    return ("node", id(key))


def mark_loc(path: str, mark, line_offset: int = 0) -> Location:
    return Location(path, mark.line + 1 + line_offset, mark.column + 1)


def node_loc(path: str, node: yaml.Node, line_offset: int = 0) -> Location:
    return mark_loc(path, node.start_mark, line_offset)


_FAST_OK = getattr(yaml, "__with_libyaml__", False)
_NEEDS_CARE = re.compile(r"[&*!\t]")


def _fast_compose(text: str) -> tuple[yaml.Node | None, list[tuple[yaml.Node, yaml.Node]]] | None:
    """libyaml's composer (~10x faster) for text that cannot hold an anchor, alias, tag, tab or
    deep flow nesting; duplicates and depth are checked on the tree. None: use the careful path."""
    if not _FAST_OK or _NEEDS_CARE.search(text) or text.count("[") + text.count("{") > MAX_DEPTH:
        return None
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None  # the careful path gives the exact, friendly message
    duplicates: list[tuple[yaml.Node, yaml.Node]] = []
    stack = [(node, 1)] if node is not None else []
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            return None
        if isinstance(current, yaml.MappingNode):
            seen: dict[object, yaml.Node] = {}
            kept = []
            for key, value in current.value:
                ident = ("str", key.value) if isinstance(key, yaml.ScalarNode) and key.tag.endswith(":str") else None
                if ident is None:
                    return None  # non-text keys: let the careful path compare them exactly
                if ident in seen:
                    duplicates.append((seen[ident], key))
                    continue
                seen[ident] = key
                kept.append((key, value))
                stack.append((value, depth + 1))
            current.value = kept
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in current.value)
    return node, duplicates


# YAML also breaks lines at NEL, LS and PS; editors and site-gen's positions count "\n" only.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
# a tab YAML refuses: in a line's indentation, or right after `key:` / `- `
_BAD_TAB = re.compile(r"^[ ]*-?\t|:\t", re.M)


class _Lines:
    """Character index → (0-based line, column) in ``text``, lines split at "\n" only."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def mark(self, mark):
        if mark is None:
            return None
        line = bisect.bisect_right(self.starts, mark.index) - 1
        return yaml.Mark(mark.name, mark.index, line, mark.index - self.starts[line], None, None)

    def fix(self, node: yaml.Node | None) -> None:
        stack, seen = [node] if node is not None else [], set()
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            current.start_mark, current.end_mark = self.mark(current.start_mark), self.mark(current.end_mark)
            if isinstance(current, yaml.MappingNode):
                stack.extend(n for pair in current.value for n in pair)
            elif isinstance(current, yaml.SequenceNode):
                stack.extend(current.value)


def compose(text: str, path: str, line_offset: int = 0) -> tuple[yaml.Node | None, list[Diagnostic]]:
    """Compose one YAML document. ``line_offset``: file lines before the text's first line."""
    return _compose(text, path, line_offset, _Lines(text) if _ODD_BREAKS.search(text) else None)


def _tab_diagnostic(text: str, path: str, line_offset: int, error_line: int | None) -> Diagnostic | None:
    m = _BAD_TAB.search(text)
    if m is None:
        return None
    tab = m.end() - 1
    line = text.count("\n", 0, tab)
    if error_line is not None and line > error_line:
        return None
    col = tab - (text.rfind("\n", 0, tab) + 1)
    return diag("META001", Location(path, line + 1 + line_offset, col + 1),
                "the YAML has a tab here, where YAML does not allow one",
                "YAML does not allow tabs for indentation or after `key:`; use spaces")


def _odd_break_diagnostic(text: str, path: str, line_offset: int, lines: _Lines, mark) -> Diagnostic | None:
    m = _ODD_BREAKS.search(text)
    if m is None or (mark is not None and m.start() > mark.index):
        return None
    at = lines.mark(yaml.Mark("", m.start(), 0, 0, None, None))
    return diag("META001", Location(path, at.line + 1 + line_offset, at.column + 1),
                f"the YAML has an invisible line separator (U+{ord(m.group()):04X}) here, which YAML reads as "
                "a line break", "delete it (it often comes with text copied from web pages or Word)")


def _compose(text: str, path: str, line_offset: int, lines: "_Lines | None") -> tuple[yaml.Node | None, list[Diagnostic]]:
    fixed = lines.mark if lines else (lambda m: m)
    if len(text) > MAX_YAML_CHARS:
        return None, [diag("META001", Location(path, 1 + line_offset, 1),
                           f"the YAML is larger than {MAX_YAML_CHARS // 1024} KiB",
                           "split it up; site-gen refuses oversized YAML (see docs/limits.md)")]
    fast = _fast_compose(text)
    if fast is not None:
        node, duplicates = fast
        if lines:
            for n in (node, *(k for pair in duplicates for k in pair)):
                lines.fix(n)
        return node, _duplicate_diagnostics(path, duplicates, line_offset)
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as e:  # a control character: the reader refuses the whole text
        at = (lines or _Lines(text)).mark(yaml.Mark("", e.position, 0, 0, None, None))
        char = e.character if isinstance(e.character, str) else chr(e.character)
        return None, [diag("META001", Location(path, at.line + 1 + line_offset, at.column + 1),
                           f"the YAML contains the control character U+{ord(char):04X}, which YAML does not allow",
                           "delete it (it often comes with text copied from web pages or Word)")]
    try:
        node = loader.get_single_node()
    except Refused as e:
        return None, [diag("META001", mark_loc(path, fixed(e.mark), line_offset), e.message, e.hint)]
    except yaml.MarkedYAMLError as e:
        mark = fixed(e.problem_mark or e.context_mark)
        tab = _tab_diagnostic(text, path, line_offset, mark.line if mark else None) if "\t" in text else None
        if tab is None and lines is not None:
            tab = _odd_break_diagnostic(text, path, line_offset, lines, mark)
        if tab is not None:
            return None, [tab]
        loc = mark_loc(path, mark, line_offset) if mark else Location(path, 1 + line_offset, 1)
        return None, [diag("META001", loc, f"the YAML does not parse: {_problem(e)}", _yaml_hint(e))]
    except yaml.YAMLError as e:  # reader errors (control characters) and the like
        mark = fixed(getattr(e, "problem_mark", None) or getattr(e, "mark", None))
        loc = mark_loc(path, mark, line_offset) if mark else Location(path, 1 + line_offset, 1)
        return None, [diag("META001", loc, f"the YAML does not parse: {e}".splitlines()[0],
                           "remove control characters and check the syntax")]
    except RecursionError:
        return None, [diag("META001", Location(path, 1 + line_offset, 1),
                           "the YAML is nested too deeply", "flatten the structure")]
    finally:
        loader.dispose()
    if lines:
        for n in (node, *(k for pair in loader.duplicates for k in pair)):
            lines.fix(n)
    return node, _duplicate_diagnostics(path, loader.duplicates, line_offset)


def _duplicate_diagnostics(path: str, duplicates, line_offset: int) -> list[Diagnostic]:
    out = []
    for first, second in duplicates:
        line = first.start_mark.line + 1 + line_offset
        same = (f"the first `{second.value}` is on line {line}" if first.value == second.value else
                f"YAML reads it as the same key as `{first.value}` on line {line}")
        out.append(diag("META004", node_loc(path, second, line_offset), f"the key `{second.value}` appears twice",
                        f"{same}; keep one of them"))
    return out


def _problem(e: yaml.MarkedYAMLError) -> str:
    problem = (e.problem or e.context or "syntax error").strip()
    if e.context and e.problem and e.context not in problem:
        problem = f"{e.context} ({problem})" if "found" in problem else problem
    return problem


def _yaml_hint(e: yaml.MarkedYAMLError) -> str:
    problem = (e.problem or "") + " " + (e.context or "")
    if "\\t" in problem or "tab" in problem:
        return "YAML does not allow tabs for indentation; indent with spaces"
    if "expected a single document" in problem or "but found another document" in problem:
        return "a file holds one YAML document: remove the extra `---`"
    if "mapping values are not allowed" in problem:
        return "a value containing `: ` must be quoted, e.g. title: \"早安: 新品\""
    if "could not find expected ':'" in problem or "simple key" in problem:
        return "each line needs `key: value`; quote values that contain special characters"
    return "check the indentation, and quote values that contain `:`, `#`, `[` or start with `*`, `&`, `!`"
