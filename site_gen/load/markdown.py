"""Markdown: CommonMark + tables, strikethrough, footnotes, ::: containers, heading ids.

One parse per file gives everything later stages need: the body HTML (without the closing
call to action, which the theme renders last), links and images with their positions, heading
ids, prose blocks for the voice checks, plain text, and the closing ``::: cta`` block.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote

from typing import TYPE_CHECKING

import nh3

from ..diagnostics import Diagnostic, Location, diag
from ..model import Cta, Link, Prose, TextBlock
from .schemas import CTA_KINDS

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_UNSAFE_SCHEME = re.compile(r"^(javascript|vbscript|file|data):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_TICKS = re.compile(r"`+")
# a closing action in its plainest form: a label without Markdown syntax, a plain site path
_SIMPLE_CTA = re.compile(r"::: cta(?: ([a-z]+))?\n\[([^\s\\`*_~\[\]<>&!()](?:[^\\`*_~\[\]<>&!()\n]*[^\s\\`*_~\[\]<>&!()])?)\]"
                         r"\((/[A-Za-z0-9/_.\-]*)\)\n:::\n*\Z")
_KEYWORD = re.compile(r"[「『“\"']([^」』”\"']+)[」』”\"']")


# URLs that start so are safe whatever follows: the check below decodes, strips and folds what comes
# after, but an ASCII start that is not "%" or a control character stays the probe's start
_SAFE_START = ("/", "#", "http://", "https://")


def safe_link(url: str) -> bool:
    """No live javascript:/vbscript:/file:/data: links, however they are spelled."""
    return url.startswith(_SAFE_START) or _safe_link(url)


def _safe_link(url: str) -> bool:
    probe = url
    for _ in range(3):  # percent-encoding layers
        probe = unquote(probe)
    probe = unicodedata.normalize("NFKC", _CONTROL.sub("", probe)).lower()
    return not _UNSAFE_SCHEME.match(probe)


MAX_NESTING = 20  # markdown-it's default: deeper blocks are dropped, so they are reported (docs/limits.md)
MAX_HTML_DEPTH = 100  # elements inside each other in one body (emphasis runs, raw HTML); docs/limits.md
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class Parser:
    """The parser parse_body uses: the compiled fast path (load/fastmd.py) for plain bodies when
    ``fast``, which gives the same result, and markdown-it-py for the rest. markdown-it-py and its
    plugins (~25 ms to import) are loaded when a body first needs them: a warm build that parses
    one plain article, or the preview, never does."""

    def __init__(self, html: bool, base_path: str, fast: bool):
        self.html, self.base_path, self.fast = html, base_path, fast and not html
        self._md: MarkdownIt | None = None

    @property
    def md(self) -> MarkdownIt:
        if self._md is None:
            self._md = _markdown_it(self.html, self.base_path)
        return self._md


def make_markdown(html: bool, base_path: str = "/", fast: bool = True) -> Parser:
    return Parser(html, base_path, fast)


def _markdown_it(html: bool, base_path: str) -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": html, "typographer": False, "maxNesting": MAX_NESTING})
    _report_dropped_blocks(md)
    md.enable(["table", "strikethrough"])
    md.validateLink = safe_link  # type: ignore[method-assign]
    footnote_plugin(md)
    anchors_plugin(md, min_level=1, max_level=6)
    container_plugin(md, "box", validate=lambda params, *a: bool(params.strip()), render=_render_box)
    prefix = base_path.rstrip("/")

    def site_path(href: str) -> str:
        return prefix + href if prefix and href.startswith("/") and not href.startswith("//") else href

    def link_open(self, tokens, idx, options, env):
        tok = tokens[idx]
        href = tok.attrGet("href") or ""
        tok.attrSet("href", site_path(href))
        if re.match(r"^https?://", href):
            tok.attrSet("rel", "noopener")
        return self.renderToken(tokens, idx, options, env)

    def image(self, tokens, idx, options, env):
        tok = tokens[idx]
        tok.attrSet("src", site_path(tok.attrGet("src") or ""))
        tok.attrSet("loading", "lazy")
        tok.attrSet("decoding", "async")
        return self.image(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    md.add_render_rule("image", image)
    return md


def _report_dropped_blocks(md: MarkdownIt) -> None:
    """markdown-it silently skips block content nested deeper than maxNesting (quotes, lists,
    ::: boxes, footnotes inside each other). Note where that starts in ``env["dropped"]`` so the
    text never vanishes without a diagnostic."""
    tokenize = md.block.tokenize

    def guarded(state, start_line, end_line, *rest):
        if state.level >= state.md.options["maxNesting"] and "dropped" not in state.env:
            line = state.skipEmptyLines(start_line)
            if line < end_line and state.sCount[line] >= state.blkIndent:
                state.env["dropped"] = line
        return tokenize(state, start_line, end_line, *rest)

    md.block.tokenize = guarded  # type: ignore[method-assign]


def blank_code_spans(text: str) -> str:
    """``text`` with each `code span` (CommonMark's rule: a run of N backticks up to the next run
    of exactly N) replaced by spaces, so positions stay put. Linear time, also for pathological
    runs of backticks."""
    if "`" not in text:
        return text
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(text)]
    by_len: dict[int, list[int]] = {}
    for i, (a, b) in enumerate(runs):
        by_len.setdefault(b - a, []).append(i)
    cursor = dict.fromkeys(by_len, 0)
    spans, i = [], 0
    while i < len(runs):
        a, b = runs[i]
        slashes = 0
        while a - slashes > 0 and text[a - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2:
            a += 1  # an escaped backtick opens nothing; the rest of the run may
        length, candidates = b - a, by_len.get(b - a, ())
        k = cursor.get(length, 0)
        while k < len(candidates) and candidates[k] <= i:
            k += 1
        if length in cursor:
            cursor[length] = k
        if length and k < len(candidates):
            j = candidates[k]
            spans.append((a, runs[j][1]))
            i = j + 1
        else:
            i += 1
    if not spans:
        return text
    parts, last = [], 0
    for a, b in spans:
        parts.append(text[last:a])
        parts.append(" " * (b - a))
        last = b
    parts.append(text[last:])
    return "".join(parts)


def _render_box(self, tokens, idx, options, env):
    tok = tokens[idx]
    if tok.nesting == 1:
        name = tok.info.strip().split()[0].lower()
        css = re.sub(r"[^a-z0-9-]", "", name) or "box"
        return f'<aside class="box box-{css}">\n'
    return "</aside>\n"


@dataclass
class Body:
    html: str = ""
    plain_text: str = ""
    first_paragraph: str = ""
    links: list[Link] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    prose: Prose = field(default_factory=Prose)  # the text blocks, for the voice checks
    cta: Cta | None = None
    middle_ctas: list[Location] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _locator(path: str, lines: tuple[str, ...]):
    searched: dict[int, list[int]] = {}  # line -> [where the next search starts, characters scanned]

    def loc_of(line: int, needle: str | None = None) -> Location:
        """The needle's column on file line ``line``, searching on from the previous find on that
        line (links come in source order), with the work per line bounded (no quadratic time on a
        huge line)."""
        col = 1
        if needle and 0 < line <= len(lines):
            text = lines[line - 1]
            state = searched.setdefault(line, [0, 0])
            if state[1] <= 8 * len(text) + 4096:
                found = text.find(needle, state[0])
                state[1] += (found if found >= 0 else len(text)) - state[0]
                if found >= 0:
                    state[0] = found + len(needle)
                    col = found + 1
        return Location(path, line, col)

    return loc_of


def _fast_body(parser: Parser, body: str, path: str, body_line: int, lines: tuple[str, ...]) -> Body | None:
    """parse_body's result from the compiled fast path, or None (load/fastmd.py)."""
    from . import fastmd

    split = fastmd.split_closing_cta(body)
    if split is None:
        return None
    text, cta_line = split
    parsed = fastmd.parse(text, parser.base_path)
    if parsed is None:
        return None
    html, records, ids = parsed  # nested far less than MAX_HTML_DEPTH (fastmd.MAX_DEPTH, MAX_INLINE)
    out = Body()
    offset = body_line - 1
    locate = _locator(path, lines)
    if cta_line >= 0:  # the closing block alone, at its own lines
        chunk = "\n".join(body.split("\n")[cta_line:])
        simple = _SIMPLE_CTA.match(chunk)
        if simple and (simple.group(1) or "link") in CTA_KINDS:
            # `::: cta kind`, `[label](/site/path)`, `:::` (most articles): what _block_cta makes of
            # markdown-it-py's tokens for it, without them (tests/test_fastmd.py holds them equal)
            kind, text, url = simple.group(1) or "link", simple.group(2), simple.group(3)
            keyword = (m.group(1) if (m := _KEYWORD.search(text)) else text) if kind == "reply" else None
            at = offset + cta_line + 1
            out.cta = Cta(text=text, url=url, kind=kind, keyword=keyword, source="body", loc=locate(at),
                          text_loc=locate(at + 1, text[:8]), url_loc=locate(at + 1, url))
        else:  # by markdown-it-py
            tokens = parser.md.parse(chunk, {})
            blocks = _cta_blocks(tokens)
            if len(blocks) != 1:
                return None
            out.cta = _block_cta(tokens, blocks[0], lambda line, needle=None: locate(line + offset + cta_line + 1, needle),
                                 out.diagnostics)
    first = offset + 1
    for line, in_paragraph, _, plain_inline, _ in records:
        if in_paragraph and plain_inline.strip():
            out.first_paragraph = plain_inline.strip()
            break
    for line, _, _, _, links in records:
        for image, url in links:
            out.links.append(Link(url, locate(line + first, url), image=image))
    out.anchors = set(ids)
    out.prose = Prose.of([r[0] + first for r in records],
                         [r[2] if "`" not in r[2] else blank_code_spans(r[2]) for r in records])
    out.plain_text = "\n".join([r[3] for r in records])
    out.html = html
    return out


def parse_body(parser: Parser, body: str, path: str, body_line: int, lines: tuple[str, ...]) -> Body:
    """Parse a body that starts at file line ``body_line`` (1-based)."""
    if parser.fast:
        fast = _fast_body(parser, body, path, body_line, lines)
        if fast is not None:
            return fast
    md = parser.md
    out = Body()
    env: dict = {}
    tokens = md.parse(body, env)
    offset = body_line - 1
    if "dropped" in env:
        out.diagnostics.append(diag(
            "META001", Location(path, env["dropped"] + offset + 1, 1),
            f"the Markdown is nested too deeply here (over {md.options['maxNesting'] - 1} levels: each quote, "
            "::: box, list and list item counts one); the text from here on would be dropped",
            "nest fewer quotes, lists or boxes inside each other (limits: docs/limits.md)"))
    locate = _locator(path, lines)

    def loc_of(tok_line: int, needle: str | None = None) -> Location:
        return locate(tok_line + offset + 1, needle)

    cta_blocks = _cta_blocks(tokens)
    closing = cta_blocks[-1] if cta_blocks and _only_footnotes_after(tokens, cta_blocks[-1][1]) else None
    for start, end in cta_blocks:
        if (start, end) != closing:
            out.middle_ctas.append(loc_of(tokens[start].map[0] if tokens[start].map else 0))
    if closing:
        out.cta = _block_cta(tokens, closing, loc_of, out.diagnostics)
        del tokens[closing[0]:closing[1] + 1]

    block_line = 0
    plain: list[str] = []
    blocks: list[TextBlock] = []
    previous = None
    for tok in tokens:
        if tok.map:
            block_line = tok.map[0]
        if tok.type == "heading_open" and tok.attrGet("id"):
            out.anchors.add(str(tok.attrGet("id")))
        if tok.type in ("code_block", "fence"):
            continue
        if tok.type != "inline":
            previous = tok
            continue
        in_paragraph = previous is not None and previous.type == "paragraph_open"
        text = blank_code_spans(tok.content)
        blocks.append(TextBlock(block_line + offset + 1, text))
        plain_inline = _inline_text(tok)
        plain.append(plain_inline)
        if not out.first_paragraph and in_paragraph and plain_inline.strip():
            out.first_paragraph = plain_inline.strip()
        for child in tok.children or ():
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                out.links.append(Link(href, loc_of(block_line, href), image=False))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                out.links.append(Link(src, loc_of(block_line, src), image=True))
            elif child.type == "footnote_ref":
                pass
    # footnote ids for in-page anchors
    for tok in tokens:
        if tok.type == "footnote_open":
            out.anchors.add(f"fn{tok.meta['id'] + 1}")
    out.prose = Prose(blocks)
    out.plain_text = "\n".join(plain)
    out.html = md.renderer.render(tokens, md.options, {})
    if md.options["html"]:
        out.html = sanitize_html(out.html)
    if html_depth(out.html) > MAX_HTML_DEPTH:
        # browsers cap it, and HTML tools after us (the WeChat export's CSS inliner) overflow their
        # stack on it: refuse it, and keep only the text so a preview still shows every word
        out.diagnostics.append(diag(
            "META001", Location(path, _deep_line(tokens) + offset + 1, 1),
            f"the Markdown or HTML here nests elements more than {MAX_HTML_DEPTH} levels deep "
            "(emphasis, links or tags inside each other)",
            "use fewer nested marks; the page shows this text without its formatting (limits: docs/limits.md)"))
        out.html = nh3.clean(out.html, tags=set())
    return out


def html_depth(html: str) -> int:
    """How deep elements nest in well-formed HTML (every element closed, as markdown-it and the
    sanitizer write it). Linear time."""
    depth = deepest = 0
    for m in _TAG.finditer(html):
        if m.group(1):
            depth = max(0, depth - 1)
        elif not m.group(3) and m.group(2).lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _deep_line(tokens: list[Token]) -> int:
    """The body line (0-based) of the first token nested more than MAX_HTML_DEPTH deep."""
    raw, line = 0, 0
    for tok in tokens:
        if tok.map:
            line = tok.map[0]
        inner = 0
        for t in [tok, *(tok.children or ())]:
            inner += t.nesting if t is not tok else 0
            if t.type in ("html_block", "html_inline"):
                raw = max(0, raw + _balance(t.content))
            if tok.level + inner + raw > MAX_HTML_DEPTH:
                return line
    return 0


def _balance(html: str) -> int:
    """Opened minus closed elements in a piece of raw HTML."""
    n = 0
    for m in _TAG.finditer(html):
        if m.group(1):
            n -= 1
        elif not m.group(3) and m.group(2).lower() not in _VOID:
            n += 1
    return n


# `markdown: {html: true}`: editors' raw HTML is kept for layout and embeds (tables, <details>,
# <video>, <iframe> players, inline style="…" as WeChat articles use) but nothing in it can run:
# no <script>/<style>/<form>/<object>/<svg>, no on…= handlers, and only http(s)/mailto/tel or
# relative URLs (docs/limits.md).
_HTML_TAGS = frozenset(nh3.ALLOWED_TAGS | {"section", "aside", "video", "audio", "source", "track", "iframe",
                                          "picture"})
_HTML_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "hidden", "aria-hidden", "aria-label", "role", "style"},
    "a": {"href", "rel", "target", "name"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"src", "type", "srcset", "media", "sizes"},
    "track": {"src", "kind", "srclang", "label"},
    "video": {"src", "poster", "controls", "width", "height", "muted", "loop", "playsinline", "preload"},
    "audio": {"src", "controls", "loop", "preload"},
    "iframe": {"src", "width", "height", "allowfullscreen", "frameborder", "loading"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start", "type", "reversed"}, "li": {"value"}, "time": {"datetime"}, "abbr": {"title"},
    "details": {"open"}, "col": {"span"}, "colgroup": {"span"}, "q": {"cite"}, "blockquote": {"cite"},
}
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def sanitize_html(html: str) -> str:
    return nh3.clean(html, tags=set(_HTML_TAGS), attributes={k: set(v) for k, v in _HTML_ATTRIBUTES.items()},
                     url_schemes=set(_URL_SCHEMES), link_rel=None, strip_comments=True,
                     attribute_filter=_attribute_filter,
                     set_tag_attribute_values={"iframe": {
                         "sandbox": "allow-scripts allow-same-origin allow-popups allow-presentation"}})


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src", "poster") and not safe_link(value):
        return None
    return value


def _inline_text(tok: Token) -> str:
    return "".join(c.content for c in tok.children or () if c.type in ("text", "code_inline", "softbreak")
                   ).replace("\n", " ") if tok.children else tok.content


def _cta_blocks(tokens: list[Token]) -> list[tuple[int, int]]:
    """Top-level ``::: cta`` containers as (open index, close index)."""
    blocks, depth, start = [], 0, None
    for i, tok in enumerate(tokens):
        if tok.type == "container_box_open":
            if depth == 0 and tok.level == 0 and _box_name(tok) == "cta":
                start = i
            depth += 1
        elif tok.type == "container_box_close":
            depth -= 1
            if depth == 0 and start is not None:
                blocks.append((start, i))
                start = None
    return blocks


def _box_name(tok: Token) -> str:
    parts = tok.info.strip().split()
    return parts[0].lower() if parts else ""


def _only_footnotes_after(tokens: list[Token], close: int) -> bool:
    return all(t.type.startswith("footnote") or t.level > 0 or t.type == "inline" for t in tokens[close + 1:])


def _block_cta(tokens, span, loc_of, diagnostics) -> Cta | None:
    start, end = span
    open_tok = tokens[start]
    line0 = open_tok.map[0] if open_tok.map else 0
    loc = loc_of(line0)
    params = open_tok.info.strip().split()
    kind = params[1].lower() if len(params) > 1 else "link"
    if kind not in CTA_KINDS:
        diagnostics.append(diag("META002", loc_of(line0, params[1]), f"unknown call-to-action kind `{params[1]}`",
                                "use one of: " + ", ".join(CTA_KINDS)))
        kind = "link"
    text, url, url_line, text_line = "", None, line0, line0
    for tok in tokens[start + 1:end]:
        if tok.type != "inline":
            continue
        text_line = url_line = tok.map[0] if tok.map else line0
        children = tok.children or []
        link = next((i for i, c in enumerate(children) if c.type == "link_open"), None)
        if link is not None and url is None:
            url = str(children[link].attrGet("href") or "")
            label = []
            for c in children[link + 1:]:
                if c.type == "link_close":
                    break
                label.append(c.content)
            text = "".join(label).strip()
        elif not text:
            text = _inline_text(tok).strip()
        if text:
            break
    keyword = None
    if kind == "reply":
        m = _KEYWORD.search(text)
        keyword = m.group(1) if m else text
    return Cta(text=text, url=url, kind=kind, keyword=keyword, source="body", loc=loc,
               text_loc=loc_of(text_line, text[:8] if text else None),
               url_loc=loc_of(url_line, url) if url else loc)
