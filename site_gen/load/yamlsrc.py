"""Safe YAML with source positions.

PyYAML composes a node graph (every node carries its start mark); we refuse anchors, aliases
and non-standard tags while composing (so nothing is ever constructed from them), report
duplicate keys, bound nesting depth, and then convert nodes into values under a small typed
schema (:mod:`site_gen.load.schema`). Positions are mapped to the file with a line offset, so
diagnostics point inside front matter too.
"""

from __future__ import annotations

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


def compose(text: str, path: str, line_offset: int = 0) -> tuple[yaml.Node | None, list[Diagnostic]]:
    """Compose one YAML document. ``line_offset``: file lines before the text's first line."""
    if len(text) > MAX_YAML_CHARS:
        return None, [diag("META001", Location(path, 1 + line_offset, 1),
                           f"the YAML is larger than {MAX_YAML_CHARS // 1024} KiB",
                           "split it up; site-gen refuses oversized YAML (see docs/limits.md)")]
    fast = _fast_compose(text)
    if fast is not None:
        node, duplicates = fast
        return node, _duplicate_diagnostics(path, duplicates, line_offset)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except Refused as e:
        return None, [diag("META001", mark_loc(path, e.mark, line_offset), e.message, e.hint)]
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = mark_loc(path, mark, line_offset) if mark else Location(path, 1 + line_offset, 1)
        return None, [diag("META001", loc, f"the YAML does not parse: {_problem(e)}", _yaml_hint(e))]
    except yaml.YAMLError as e:  # reader errors (control characters) and the like
        mark = getattr(e, "problem_mark", None) or getattr(e, "mark", None)
        loc = mark_loc(path, mark, line_offset) if mark else Location(path, 1 + line_offset, 1)
        return None, [diag("META001", loc, f"the YAML does not parse: {e}".splitlines()[0],
                           "remove control characters and check the syntax")]
    except RecursionError:
        return None, [diag("META001", Location(path, 1 + line_offset, 1),
                           "the YAML is nested too deeply", "flatten the structure")]
    finally:
        loader.dispose()
    return node, _duplicate_diagnostics(path, loader.duplicates, line_offset)


def _duplicate_diagnostics(path: str, duplicates, line_offset: int) -> list[Diagnostic]:
    return [
        diag("META004", node_loc(path, second, line_offset),
             f"the key `{second.value}` appears twice",
             f"the first `{second.value}` is on line {first.start_mark.line + 1 + line_offset}; "
             "keep one of them")
        for first, second in duplicates
    ]


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
