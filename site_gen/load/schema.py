"""A small typed schema over YAML nodes: values with positions, editor-friendly messages.

Why not a general validation library: the messages must name the raw YAML text and how YAML
retyped it (``title: NO`` reads as false — quote it), which needs the scalar's source text and
style; a validator that only sees constructed Python values cannot say that. The schemas are
declarative tables in :mod:`site_gen.load.schemas`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

import yaml

from ..diagnostics import Diagnostic, Location, diag
from .yamlsrc import node_loc

TAG = "tag:yaml.org,2002:"
_TYPE_WORDS = {
    TAG + "bool": "a yes/no value", TAG + "int": "a number", TAG + "float": "a number",
    TAG + "null": "empty", TAG + "timestamp": "a date", TAG + "str": "text",
    TAG + "seq": "a list", TAG + "map": "a mapping",
}


@dataclass(frozen=True)
class F:
    """A field. ``kind``: str|int|bool|date|strlist|enum|map|mapof|listof|any."""

    kind: str
    required: bool = False
    choices: tuple = ()
    schema: dict | None = None  # for map / listof (of maps)
    value: "F | None" = None  # for mapof values and listof items (when not maps)
    nullable: bool = False  # explicit null accepted (mapof values like `尊敬的用户: null`)
    min: int | None = None


class Rec(dict):
    """A mapping of validated values that remembers where each key and value stood."""

    def __init__(self, loc: Location):
        super().__init__()
        self.loc = loc
        self.key_loc: dict[str, Location] = {}
        self.val_loc: dict[str, Location] = {}

    def where(self, key: str) -> Location:
        return self.val_loc.get(key, self.loc)


class RList(list):
    def __init__(self, loc: Location):
        super().__init__()
        self.loc = loc
        self.locs: list[Location] = []


@dataclass
class Converter:
    path: str
    line_offset: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    lines: tuple[str, ...] = ()  # the file's lines, to explain values a `#` comment emptied

    def loc(self, node: yaml.Node) -> Location:
        return node_loc(self.path, node, self.line_offset)

    def error(self, code: str, node_or_loc, message: str, hint: str = "") -> None:
        loc = node_or_loc if isinstance(node_or_loc, Location) else self.loc(node_or_loc)
        self.diagnostics.append(diag(code, loc, message, hint))

    # ------------------------------------------------------------------------------ mappings

    def record(self, node: yaml.Node | None, schema: dict[str, F], what: str,
               whole_file: Location | None = None) -> Rec | None:
        """Validate a mapping node; missing required fields point at ``whole_file`` (line 1)."""
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == TAG + "null"):
            rec = Rec(whole_file or Location(self.path, 1, 1))
            self._missing(rec, schema, what, whole_file)
            return rec
        if not isinstance(node, yaml.MappingNode):
            self.error("META002", node, f"{what} must be a mapping of `key: value` lines",
                       f"write it as `key: value` lines (known keys: {', '.join(schema)})")
            return None
        rec = Rec(self.loc(node))
        for key_node, value_node in node.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == TAG + "str"):
                self._bad_key(key_node, f"the key {_shown_key(key_node)} in {what} is not text")
                continue
            key = key_node.value
            spec = schema.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else f"known keys: {', '.join(schema)}"
                self.error("META003", key_node, f"unknown key `{key}` in {what}", hint)
                continue
            value = self.value(value_node, spec, f"`{key}`", what)
            if value is _INVALID:
                continue
            if value is None and not spec.nullable:
                comment = self._comment_after(key_node, value_node)
                if comment:  # `tags: #烘焙`: the `#` began a comment, so the value is empty
                    self.error("META002", comment[0], f"`{key}` is empty in {what}: YAML reads "
                               f"`{comment[1]}` as a comment", f"quote it: {key}: \"{comment[1]}\"")
                elif spec.required:
                    self.error("META002", value_node, f"`{key}` is empty in {what}",
                               f"give `{key}` a value")
                continue
            rec[key] = value
            rec.key_loc[key] = self.loc(key_node)
            rec.val_loc[key] = self.loc(value_node)
        self._missing(rec, schema, what, whole_file)
        return rec

    def _missing(self, rec: Rec, schema: dict[str, F], what: str, whole_file: Location | None) -> None:
        for key, spec in schema.items():
            if spec.required and key not in rec and not any(
                d.code == "META002" and f"`{key}`" in d.message for d in self.diagnostics
            ):
                self.error("META002", whole_file or rec.loc, f"{what} has no `{key}`",
                           f"add `{key}:` ({_describe(spec)})")

    # -------------------------------------------------------------------------------- values

    def value(self, node: yaml.Node, spec: F, name: str, what: str):
        kind = spec.kind
        if isinstance(node, yaml.ScalarNode) and node.tag == TAG + "null":
            return None
        if kind == "any":
            value, problem = _try_construct(node)
            if problem is not None:
                self.error("META002", node, f"{name} in {what} cannot be read: {problem}",
                           "remove the `!!` tag or the `<<` key, or quote the value")
                return _INVALID
            return value
        if kind in ("map", "mapof"):
            if not isinstance(node, yaml.MappingNode):
                return self._wrong(node, name, what, "a mapping (`key: value` lines)")
            if kind == "map":
                rec = self.record(node, spec.schema or {}, f"{name} of {what}")
                return rec if rec is not None else _INVALID
            rec = Rec(self.loc(node))
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (TAG + "str", TAG + "int"):
                    self._bad_key(key_node, f"the key {_shown_key(key_node)} in {name} of {what} is not text")
                    continue
                if str(key_node.value) in rec:  # `"1":` and `1:` are one key here
                    first = rec.key_loc[str(key_node.value)]
                    self.error("META004", key_node, f"the key `{key_node.value}` appears twice",
                               f"the first `{key_node.value}` is on line {first.line}; keep one of them")
                    continue
                v = self.value(value_node, spec.value or F("str"), f"{name}.{key_node.value}", what)
                if v is _INVALID or (v is None and not (spec.value or F("str")).nullable):
                    continue
                rec[str(key_node.value)] = v
                rec.key_loc[str(key_node.value)] = self.loc(key_node)
                rec.val_loc[str(key_node.value)] = self.loc(value_node)
            return rec
        if kind in ("strlist", "listof"):
            item_spec = spec.value or F("str")
            if kind == "strlist" and isinstance(node, yaml.ScalarNode):
                v = self.value(node, item_spec, name, what)  # a lone value is a list of one
                out = RList(self.loc(node))
                if v is not _INVALID and v is not None:
                    out.append(v)
                    out.locs.append(self.loc(node))
                return out
            if not isinstance(node, yaml.SequenceNode):
                return self._wrong(node, name, what, "a list (`[a, b]` or `- a` lines)")
            out = RList(self.loc(node))
            for i, item in enumerate(node.value):
                if kind == "listof" and spec.schema is not None:
                    v = self.record(item, spec.schema, f"item {i + 1} of {name} in {what}")
                    v = _INVALID if v is None else v
                else:
                    v = self.value(item, item_spec, f"{name} item {i + 1}", what)
                if v is _INVALID or v is None:
                    continue
                out.append(v)
                out.locs.append(self.loc(item))
            return out
        if not isinstance(node, yaml.ScalarNode):
            want = {"str": "text", "int": "a whole number", "bool": "true or false", "number": "a number",
                    "date": "a date", "enum": "one of " + ", ".join(spec.choices)}[kind]
            return self._wrong(node, name, what, want)
        return self._scalar(node, spec, name, what)

    def _scalar(self, node: yaml.ScalarNode, spec: F, name: str, what: str):
        kind, tag, raw = spec.kind, node.tag, node.value
        if kind == "enum" and not node.style and raw in spec.choices:  # plain: None (PyYAML), "" (libyaml)
            return raw  # a fixed word written plainly (`MENU003: off`) means that word, whatever YAML 1.1 says
        if kind in ("str", "enum"):
            if tag != TAG + "str":
                word = _TYPE_WORDS.get(tag, "another type")
                shown, problem = _try_construct(node)
                read = f" ({_py(shown)})" if problem is None else ""
                self.error("META002", node, f"{name} in {what} must be text, but YAML reads `{raw}` as {word}{read}",
                           f"quote it: \"{raw}\"")
                return _INVALID
            if kind == "enum" and raw not in spec.choices:
                close = difflib.get_close_matches(raw, list(spec.choices), n=1, cutoff=0.5)
                hint = (f"did you mean `{close[0]}`? " if close else "") + "use one of: " + ", ".join(spec.choices)
                self.error("META002", node, f"{name} in {what} is `{raw}`, which is not allowed", hint)
                return _INVALID
            return raw
        if kind in ("int", "number", "bool") and tag in (TAG + "int", TAG + "float", TAG + "bool"):
            if _try_construct(node)[1] is not None:  # an explicit `!!int abc`
                shown = tag.replace(TAG, "!!")
                self.error("META002", node, f"{name} in {what} is tagged {shown}, but `{raw}` is not one",
                           f"remove the {shown} tag and write " + {"int": "a whole number", "number": "a number",
                                                                  "bool": "true or false"}[kind])
                return _INVALID
        if kind == "int":
            if tag != TAG + "int":
                return self._wrong(node, name, what, "a whole number")
            value = _construct(node)
            if spec.min is not None and value < spec.min:
                self.error("META002", node, f"{name} in {what} must be at least {spec.min}",
                           f"use a number ≥ {spec.min}")
                return _INVALID
            return value
        if kind == "number":
            if tag not in (TAG + "int", TAG + "float"):
                return self._wrong(node, name, what, "a number")
            try:
                return float(_construct(node))
            except OverflowError:
                return self._wrong(node, name, what, "a number of a sensible size")
        if kind == "bool":
            if tag != TAG + "bool":
                return self._wrong(node, name, what, "true or false")
            return _construct(node)
        if kind == "date":
            if tag == TAG + "timestamp":
                value, problem = _try_construct(node)
                if problem is None:
                    return value
                if _DATE_LIKE.match(raw):  # 2024-02-30: the shape of a date, but no such day
                    self.error("META002", node, f"{name} in {what} is not a real date: `{raw}` ({problem})",
                               "check the day and month, e.g. 2026-11-20")
                    return _INVALID
            if tag == TAG + "str":
                try:
                    return dt.datetime.fromisoformat(raw.strip())
                except ValueError:
                    pass
            self.error("META002", node, f"{name} in {what} must be a date, but it is `{raw}`",
                       "write an ISO date such as 2026-11-20 or 2026-11-20T09:30:00+08:00")
            return _INVALID
        raise AssertionError(kind)

    def _bad_key(self, key_node: yaml.Node, message: str) -> None:
        raw = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        self.error("META002", key_node, message,
                   f"quote it: \"{raw}\":" if raw is not None else "a key is a single word or text, not a list or mapping")

    def _comment_after(self, key_node: yaml.Node, value_node: yaml.Node) -> tuple[Location, str] | None:
        """`key: #word` — a plain empty value whose line goes on with a `#` comment right after
        the key (a hashtag, not a `# note`): where the `#` is, and the comment's text."""
        if not (self.lines and isinstance(value_node, yaml.ScalarNode) and value_node.value == ""
                and not value_node.style):
            return None
        line = key_node.end_mark.line + self.line_offset
        if not 0 <= line < len(self.lines):
            return None
        text = self.lines[line]
        colon = text.find(":", key_node.end_mark.column)
        rest = text[colon + 1:] if colon >= 0 else ""
        stripped = rest.lstrip(" \t")
        if not (stripped.startswith("#") and len(stripped) > 1 and not stripped[1].isspace()):
            return None
        col = colon + 1 + (len(rest) - len(stripped))
        return Location(self.path, line + 1, col + 1), stripped.rstrip()

    def _wrong(self, node: yaml.Node, name: str, what: str, want: str):
        got = _TYPE_WORDS.get(node.tag, "something else")
        if isinstance(node, yaml.SequenceNode):
            got = "a list"
        elif isinstance(node, yaml.MappingNode):
            got = "a mapping"
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        hint = f"write {want}" + (f" (if `{raw}` is meant as text, quote it)" if raw is not None else "")
        self.error("META002", node, f"{name} in {what} must be {want}, not {got}", hint)
        return _INVALID


_INVALID = object()
_DATE_LIKE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


def _shown_key(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return f"`{node.value}`"
    return "`[…]`" if isinstance(node, yaml.SequenceNode) else "`{…}`"


def _try_construct(node: yaml.Node):
    """(value, None), or (None, problem) when YAML cannot build the value: an explicit tag on
    text it does not fit (`!!int abc`), an impossible date (2024-02-30), `<<: 1`."""
    try:
        return _construct(node), None
    except yaml.MarkedYAMLError as e:
        return None, (e.problem or e.context or "it does not fit its tag").strip()
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as e:
        return None, str(e) or type(e).__name__


def _construct(node: yaml.Node):
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _py(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _describe(spec: F) -> str:
    return {"str": "text", "int": "a number", "number": "a number", "bool": "true or false", "date": "a date such as 2026-11-20",
            "strlist": "a list", "enum": "one of " + ", ".join(spec.choices), "map": "a mapping",
            "mapof": "a mapping", "listof": "a list", "any": "a value"}[spec.kind]
