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

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..diagnostics import Diagnostic, Location, diag
from ..model import Cta, Link, TextBlock
from .schemas import CTA_KINDS

_UNSAFE_SCHEME = re.compile(r"^(javascript|vbscript|file|data):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_KEYWORD = re.compile(r"[「『“\"']([^」』”\"']+)[」』”\"']")


def safe_link(url: str) -> bool:
    """No live javascript:/vbscript:/file:/data: links, however they are spelled."""
    probe = url
    for _ in range(3):  # percent-encoding layers
        probe = unquote(probe)
    probe = unicodedata.normalize("NFKC", _CONTROL.sub("", probe)).lower()
    return not _UNSAFE_SCHEME.match(probe)


def make_markdown(html: bool, base_path: str = "/") -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "typographer": False})
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
    text_blocks: list[TextBlock] = field(default_factory=list)
    cta: Cta | None = None
    middle_ctas: list[Location] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def parse_body(md: MarkdownIt, body: str, path: str, body_line: int, lines: tuple[str, ...]) -> Body:
    """Parse a body that starts at file line ``body_line`` (1-based)."""
    out = Body()
    tokens = md.parse(body, {})
    offset = body_line - 1

    def loc_of(tok_line: int, needle: str | None = None) -> Location:
        line = tok_line + offset + 1
        col = 1
        if needle and 0 < line <= len(lines):
            found = lines[line - 1].find(needle)
            col = found + 1 if found >= 0 else 1
        return Location(path, line, col)

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
        text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), tok.content)
        out.text_blocks.append(TextBlock(block_line + offset + 1, text))
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
    out.plain_text = "\n".join(plain)
    out.html = md.renderer.render(tokens, md.options, {})
    return out


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
