"""Paste-ready WeChat articles: ``wechat/articles/<slug>.html`` for each published article.

The official-account editor keeps inline ``style`` attributes and drops ``<style>``, classes, ids
and scripts, and links out of WeChat are not clickable there. So the export is an HTML fragment
of ``<section>`` blocks with every style inline (inlined by css_inline from a stylesheet themed
with the persona's palette), absolute image URLs, every link turned into a numbered note, the
persona's signature, and the call to action as a styled closing block (its text, its URL as a
note, or its reply keyword). Plain bodies (most) are written by string replacements with the tags
css_inline writes for each element (_fast_fragment); the others are parsed and inlined by it.

The file starts with a UTF-8 byte-order mark: it has no ``<meta charset>`` (the editor would get
it too), and a browser opening it from a CDN that sends no charset would otherwise guess wrong.

In a preview build (``serve``, ``build --drafts``) each export also gets a page with a copy
button, ``/wechat/articles/<slug>/``, listed at ``/wechat/articles/``; a build for the CDN
publishes the fragments only.
"""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup

from ..model import Cta, Entry

# elements dropped with everything inside them / dropped alone (no content) / renamed
_DROP_TREE = frozenset({"script", "style", "iframe", "object", "noscript", "template", "form", "textarea",
                        "select", "button", "svg", "math", "head", "title", "video", "audio", "canvas", "map"})
_DROP_TAG = frozenset({"embed", "input", "link", "meta", "base", "source", "track", "param", "area", "html", "body", "label",
                       "font"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_RENAME = {"aside": "section", "figure": "section", "article": "section", "header": "section",
           "footer": "section", "nav": "section", "main": "section", "details": "section", "figcaption": "p",
           "summary": "p"}
_KEEP_ATTRS = {"img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
               "th": {"colspan", "rowspan"}, "ol": {"start"}, "col": {"span"}, "colgroup": {"span"}}
_CLASS_MAP = {"box": "wx-box", "footnotes": "wx-footnotes"}  # markdown classes the stylesheet styles

_COLOR = re.compile(r"^(#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]{3,20}"
                    r"|(?:rgb|rgba|hsl|hsla)\([0-9.,%\s]+\))$")
BOM = b"\xef\xbb\xbf"
DEFAULT_COLORS = {"primary": "#c2410c", "accent": "#ffc914", "background": "#fffaf3", "text": "#2b2520"}

STYLESHEET = """
.wx{margin:0;padding:16px 14px;background-color:%(background)s;color:%(text)s;font-size:16px;line-height:1.75;
  letter-spacing:0.5px;word-wrap:break-word;overflow-wrap:break-word;text-align:left}
.wx section{margin:0;padding:0}
.wx p{margin:0 0 16px 0}
.wx h1,.wx h2,.wx h3,.wx h4,.wx h5,.wx h6{margin:28px 0 12px 0;color:%(primary)s;font-weight:bold;line-height:1.4}
.wx h1{font-size:22px}
.wx h2{font-size:19px;padding-left:10px;border-left:4px solid %(accent)s}
.wx h3{font-size:17px}
.wx h4,.wx h5,.wx h6{font-size:16px}
.wx strong,.wx b{color:%(primary)s;font-weight:bold}
.wx sup{font-size:12px;line-height:1;color:%(primary)s;vertical-align:super}
.wx img{display:block;max-width:100%%;height:auto;margin:16px auto;border-radius:6px}
.wx blockquote{margin:16px 0;padding:10px 14px;border-left:3px solid %(accent)s;background-color:#ffffff;color:#5c5349}
.wx blockquote p{margin:0}
.wx ul,.wx ol{margin:0 0 16px 0;padding-left:24px}
.wx li{margin:4px 0}
.wx li p{margin:0}
.wx table{width:100%%;margin:0 0 16px 0;border-collapse:collapse;font-size:14px}
.wx th,.wx td{padding:6px 8px;border:1px solid #e5ded6}
.wx th{background-color:%(accent)s;color:%(accent_ink)s;font-weight:bold}
.wx code{padding:1px 4px;border-radius:3px;background-color:rgba(0,0,0,0.05);font-family:Menlo,Consolas,monospace;
  font-size:14px}
.wx pre{margin:0 0 16px 0;padding:12px;border-radius:6px;background-color:rgba(0,0,0,0.05);white-space:pre-wrap;
  overflow-x:auto;font-size:14px;line-height:1.6}
.wx pre code{padding:0;background-color:transparent}
.wx hr{margin:24px 0;border:0;border-top:1px solid #e5ded6}
.wx .wx-box{margin:16px 0;padding:12px 14px;border-radius:8px;border:1px solid %(accent)s;background-color:#ffffff}
.wx .wx-box p:last-child{margin-bottom:0}
.wx .wx-footnotes{margin-top:24px;font-size:13px;color:#8a8178}
.wx .wx-signature{margin:24px 0 0 0;text-align:right;color:#8a8178}
.wx .wx-notes{margin:24px 0 0 0;padding-top:12px;border-top:1px dashed #d8cfc4;font-size:13px;line-height:1.6;
  color:#8a8178}
.wx .wx-notes p{margin:0 0 6px 0;word-break:break-all}
.wx .wx-notes .wx-notes-title{margin-bottom:8px;color:%(text)s;font-weight:bold}
.wx .wx-cta{margin:28px 0 8px 0;padding:18px 16px;border-radius:10px;background-color:%(primary)s;
  color:%(primary_ink)s;text-align:center}
.wx .wx-cta p{margin:0;color:%(primary_ink)s}
.wx .wx-cta .wx-cta-text{font-size:18px;font-weight:bold;line-height:1.5}
.wx .wx-cta .wx-cta-text sup{color:%(primary_ink)s}
.wx .wx-cta .wx-cta-sub{margin-top:6px;font-size:13px}
.wx .wx-cta .wx-cta-keyword{margin-top:8px;font-size:17px;font-weight:bold;color:%(accent)s}
"""


# ------------------------------------------------------------------------------------ colours


def palette_colors(palette: dict) -> dict:
    """The persona's palette, with anything that is not a plain CSS colour replaced by the default."""
    colors = {k: (str(palette[k]).strip() if k in palette and _COLOR.match(str(palette[k]).strip()) else v)
              for k, v in DEFAULT_COLORS.items()}
    colors["primary_ink"] = _ink(colors["primary"])
    colors["accent_ink"] = _ink(colors["accent"])
    return colors


_STYLESHEETS: dict[tuple, str] = {}  # a palette's plain values -> its stylesheet (one per persona in a build)


def stylesheet(persona) -> str:
    """STYLESHEET filled in with the persona's palette_colors (remembered: an export needs it each time)."""
    palette = persona.palette if persona is not None else {}
    key = tuple(str(palette[k]) if k in palette else None for k in DEFAULT_COLORS)
    css = _STYLESHEETS.get(key)
    if css is None:
        if len(_STYLESHEETS) > 256:  # (the preview runs for hours while palettes are edited)
            _STYLESHEETS.clear()
        css = _STYLESHEETS[key] = STYLESHEET % palette_colors(palette)
    return css


def _luminance(color: str) -> float | None:
    m = re.fullmatch(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})", color)
    if not m:
        return None
    h = m.group(1)
    h = "".join(c * 2 for c in h[:3]) if len(h) <= 4 else h[:6]

    def channel(x: str) -> float:
        c = int(x, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(h[i:i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ink(background: str) -> str:
    """White or dark text, whichever reads better on ``background`` (WCAG contrast)."""
    lum = _luminance(background)
    if lum is None:
        return "#ffffff"
    on_white = 1.05 / (lum + 0.05)
    on_dark = (lum + 0.05) / (0.0137 + 0.05)  # #1f1b16
    return "#ffffff" if on_white >= on_dark else "#1f1b16"


# ------------------------------------------------------------------------------------ rewriting


class Notes:
    """Numbered notes for the links; numbers continue after the Markdown footnotes."""

    def __init__(self, first: int):
        self.first = first
        self.urls: dict[str, int] = {}

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls[url] = self.first + len(self.urls)
        return self.urls[url]


# The HTML rewritten here is always a serializer's output, never an author's raw text: markdown-it's
# (attribute values escaped, text escaped), nh3's for `markdown: {html: true}` and css_inline's
# (both html5ever: every attribute double-quoted, text escaped). So a tag is always matched by this
# expression, and a "<" that is not a tag is text. A tokenizer this simple is ~10x faster than
# html.parser, which was a third of a cold build (docs/performance.md).
_TAG_TOKEN = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(/?)>""")
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_NEEDS_ESCAPE = re.compile(r"[&<>]")
# After inlining, the only attribute the editor would not keep is the class the stylesheet matched
# (the first pass kept nothing else); css_inline writes one class="…" at most per tag.
_CLASS_ATTR = re.compile(r'(<[A-Za-z][^\s/>]*(?:\s+[^\s"=/>]+(?:="[^"]*")?)*?)\s+class="[^"]*"')


def _parse_attrs(text: str) -> list[tuple[str, str]]:
    return [(m.group(1).lower(), unescape(m.group(2) if m.group(2) is not None else
                                          m.group(3) if m.group(3) is not None else m.group(4) or ""))
            for m in _ATTR.finditer(text)]


def _text(raw: str) -> str:
    """Text as html.parser would hand it over (character references resolved), escaped again."""
    return escape(unescape(raw), quote=False) if _NEEDS_ESCAPE.search(raw) else raw


class _Rewriter:
    """Re-emits HTML with only what the editor keeps: links become numbered notes (``notes``),
    image URLs absolute (against ``base``), and the Markdown classes the stylesheet needs are mapped."""

    def __init__(self, base: str, notes: Notes):
        self.base, self.notes = base, notes
        self.origin = urlsplit(base)[:2]  # (scheme, host)
        self.out: list[str] = []
        self.drop_depth = 0  # inside a dropped tree
        self.drop_tag: list[str] = []
        self.links: list[int | None] = []  # open <a>: its note number, or None

    def join(self, url: str) -> str:
        return _join(self.base, self.origin, url)

    def _attrs(self, tag: str, attrs) -> str:
        keep = _KEEP_ATTRS.get(tag, set()) | {"style"}
        out = []
        for name, value in attrs:
            value = value or ""
            if name == "class":
                mapped = [_CLASS_MAP[c] for c in value.split() if c in _CLASS_MAP]
                if mapped:
                    out.append(f' class="{escape(" ".join(mapped))}"')
                continue
            if name not in keep:
                continue
            if tag == "img" and name == "src":
                value = self.join(value)
            out.append(f' {name}="{escape(value)}"')
        return "".join(out)

    def handle_starttag(self, tag, attrs):
        if self.drop_depth:
            if tag not in _VOID and (tag in _DROP_TREE or tag == self.drop_tag[-1]):
                self.drop_depth += 1
                self.drop_tag.append(tag)
            return
        if tag in _DROP_TREE and tag not in _VOID:
            self.drop_depth, self.drop_tag = 1, [tag]
            return
        if tag in _DROP_TAG or tag in _DROP_TREE:
            return
        if tag == "a":
            self._open_link(dict(attrs))
            return
        name = _RENAME.get(tag, tag)
        self.out.append(f"<{name}{self._attrs(tag, attrs)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def _open_link(self, attrs: dict) -> None:
        href = (attrs.get("href") or "").strip()
        classes = (attrs.get("class") or "").split()
        if "footnote-backref" in classes:  # the "↩" back to the text: nothing to click in WeChat
            self.drop_depth, self.drop_tag = 1, ["a"]
            return
        if not href or href.startswith("#"):
            self.links.append(None)
            return
        self.links.append(self.notes.number(self.join(href)))

    def handle_endtag(self, tag):
        if self.drop_depth:
            if self.drop_tag and tag == self.drop_tag[-1]:
                self.drop_tag.pop()
                self.drop_depth -= 1
            return
        if tag in _DROP_TAG or tag in _VOID:
            return
        if tag == "a":
            n = self.links.pop() if self.links else None
            if n is not None:
                self.out.append(f"<sup>[{n}]</sup>")
            return
        self.out.append(f"</{_RENAME.get(tag, tag)}>")

    def result(self, html: str) -> str:
        """The rewritten HTML. A body whose text holds no character reference and that has nothing
        to drop with its contents (most of them) is rewritten tag by tag in one ``re.sub``: only
        its tags change. Any other goes through ``result_by_token``, which also handles text."""
        if self.drop_depth or "&" in html or _DROPS_SUBTREE.search(html):
            return self.result_by_token(html)
        return _CHANGING_TAG.sub(self._tag, html)  # (the tags it leaves alone would come out the same)

    def _tag(self, m: re.Match) -> str:
        """One tag rewritten: from memory when it is context-free and was seen before."""
        plain, out = _PLAIN_TAGS, self.out
        if not self.drop_depth:
            done = plain.get(m.group())
            if done is not None:  # a tag seen before, rewritten the same way wherever it is
                return done
        name = m.group(2).lower()
        if m.group(3) and not m.group(1) and not m.group(4) and not self.drop_depth and name not in _STATEFUL \
                and name not in _KEEP_ATTRS and "class" not in m.group(3).lower() and "style" not in m.group(3).lower():
            # every attribute goes (a heading's id): rewritten as the bare tag is, and remembered so
            bare = f"<{m.group(2)}>"
            done = plain.get(bare)
            return done if done is not None else self._tag(_TAG_TOKEN.match(bare))
        remember = name not in _STATEFUL and not self.drop_depth and len(plain) < 4096
        mark = len(out)
        self._dispatch(m)
        text = "".join(out[mark:])
        del out[mark:]
        if remember:
            plain[m.group()] = text
        return text

    def _dispatch(self, m: re.Match) -> None:
        closing, name = m.group(1), m.group(2).lower()
        if closing:
            self.handle_endtag(name)
        else:
            attrs = _parse_attrs(m.group(3)) if m.group(3) else []
            (self.handle_startendtag if m.group(4) else self.handle_starttag)(name, attrs)

    def result_by_token(self, html: str) -> str:
        """The rewritten HTML, text and tags in order (dropped subtrees, character references)."""
        out, last = self.out, 0
        for m in _TAG_TOKEN.finditer(html):
            if m.start() > last and not self.drop_depth:
                out.append(_text(html[last:m.start()]))
            last = m.end()
            out.append(self._tag(m))
        if last < len(html) and not self.drop_depth:
            out.append(_text(html[last:]))
        return "".join(out)


# Tags rewritten by their text alone (not <a>, which opens a note, not <img>, whose URL is made
# absolute against the article's, and none that starts or is dropped with a subtree): the rewrite
# of each such tag, as written the first time (most of an article's tags are <p>, <li>, </p> …)
_STATEFUL = _DROP_TREE | _DROP_TAG | {"a", "img"}
# what makes _Rewriter.result drop text along with tags: a tag that drops its subtree, or a
# footnote's back link (its "↩")
_DROPS_SUBTREE = re.compile(r"<(?i:" + "|".join(sorted(_DROP_TREE - _VOID)) + r")[\s/>]|footnote-backref")
_PLAIN_TAGS: dict[str, str] = {}
# Tags that come out as they went in when written plainly (``<p>``, ``</li>``: lower case, no
# attributes): most of an article's, so _Rewriter.result's re.sub matches only the others
# (tests/test_wechat_article.py checks each name against the rewriter)
_VERBATIM = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "code",
                       "table", "thead", "tbody", "tr", "th", "td", "strong", "em", "s", "del", "ins", "sup",
                       "sub", "b", "i", "u", "span", "mark", "small", "section", "div", "dl", "dt", "dd"})
_CHANGING_TAG = re.compile("<(?!/?(?:" + "|".join(sorted(_VERBATIM, key=lambda n: (-len(n), n))) + ")>)"
                           + _TAG_TOKEN.pattern[1:])
_JOINED: dict[tuple, str] = {}  # ((the base's scheme, host), URL) -> the URL joined (_Rewriter.join)


def _join(base: str, origin: tuple, url: str) -> str:
    """urljoin(base, url), remembered across articles when it depends only on the base's scheme and
    host (``origin``; a path from the site's root, or an http(s) URL): most links and images."""
    if not (url.startswith("/") and not url.startswith("//") or url.startswith(("http://", "https://"))):
        return urljoin(base, url)
    key = (origin, url)
    joined = _JOINED.get(key)
    if joined is None:
        joined = urljoin(base, url)
        if len(_JOINED) < 4096:
            _JOINED[key] = joined
    return joined


def _count_footnotes(body_html: str) -> int:
    return body_html.count('class="footnote-item"')


def _note_label(url: str) -> str:
    for scheme in ("mailto:", "tel:"):
        if url.startswith(scheme):
            return url[len(scheme):]
    return url


# ------------------------------------------------------------------------------------ export


def fragment(entry: Entry, cta: Cta | None, *, abs_url: str, base_url: str, persona, t) -> str:
    """The paste-ready HTML fragment of one article (``persona``: its PersonaView or None): by
    _fast_fragment when it takes the body, else by the rewriter and css_inline."""
    body = entry.body_html
    fast = _fast_fragment(body, cta, abs_url=abs_url, base_url=base_url, persona=persona, t=t)
    return fast if fast is not None else _inlined_fragment(body, cta, abs_url=abs_url, base_url=base_url,
                                                           persona=persona, t=t)


def _absolute(url: str, base_url: str, abs_url: str) -> str:
    """A call to action's URL made absolute: from the site's root, or from the article's URL."""
    return urljoin(base_url, url.lstrip("/")) if url.startswith("/") and not url.startswith("//") \
        else urljoin(abs_url, url)


def _cta_parts(cta: Cta, notes: Notes, base_url: str, abs_url: str, t) -> tuple[str, int | None, str | None]:
    """The action block's text, its note number (a URL) or None, and its keyword line's text or None."""
    if cta.url:
        return cta.text, notes.number(_absolute(cta.url, base_url, abs_url)), None
    kw = cta.keyword or ""
    quoted = any(f"{a}{kw}{b}" in cta.text for a, b in (("「", "」"), ("“", "”"), ('"', '"')))
    return cta.text, None, (t("reply_keyword", keyword=kw) if kw and not quoted else None)


def _inlined_fragment(body_html: str, cta: Cta | None, *, abs_url: str, base_url: str, persona, t) -> str:
    """The fragment by the general route: the body rewritten (_Rewriter), the blocks around it
    added with their classes, and every style written in by css_inline."""
    notes = Notes(_count_footnotes(body_html) + 1)
    body = _Rewriter(abs_url, notes).result(body_html).strip()
    css = stylesheet(persona)
    return _inline(css, _assemble(body, cta, notes, persona, _CLASSED, escape, base_url=base_url, abs_url=abs_url, t=t))


# the blocks around the body as _inlined_fragment writes them, for css_inline to style
_CLASSED = {"wx": '<section class="wx">', "wx-body": '<section class="wx-body">', "signature": '<p class="wx-signature">',
            "notes": '<section class="wx-notes">', "notes-title": '<p class="wx-notes-title">', "note": "<p>",
            "cta": '<section class="wx-cta">', "cta-text": '<p class="wx-cta-text">', "cta sup": "<sup>",
            "cta-sub": '<p class="wx-cta-sub">', "cta-keyword": '<p class="wx-cta-keyword">'}


def _assemble(body: str, cta: Cta | None, notes: Notes, persona, tags: dict, text, *, base_url: str, abs_url: str,
              t) -> str:
    """The fragment: the body, the signature, the notes and the action block, each opened with
    ``tags`` (by _CLASSED's names), their text escaped by ``text``."""
    cta_html = ""
    if cta is not None:  # (numbered before the notes are listed: its URL is one of them)
        said, n, keyword = _cta_parts(cta, notes, base_url, abs_url, t)
        if n is not None:
            cta_html = (f'{tags["cta"]}{tags["cta-text"]}{text(said)}{tags["cta sup"]}[{n}]</sup></p>'
                        f'{tags["cta-sub"]}{text(t("wechat_cta_note", n=n))}</p></section>')
        else:
            keyword = f'{tags["cta-keyword"]}{text(keyword)}</p>' if keyword is not None else ""
            cta_html = f'{tags["cta"]}{tags["cta-text"]}{text(said)}</p>{keyword}</section>'
    parts = [tags["wx"], f'{tags["wx-body"]}\n{body}\n</section>']
    if persona is not None and persona.signature:
        parts.append(f'{tags["signature"]}{text(persona.signature)}</p>')
    if notes.urls:
        parts.append(f'{tags["notes"]}{tags["notes-title"]}{text(t("wechat_links"))}</p>')
        parts += [f'{tags["note"]}[{n}] {text(_note_label(url))}</p>' for url, n in notes.urls.items()]
        parts.append("</section>")
    if cta_html:
        parts.append(cta_html)
    parts.append("</section>")
    return "\n".join(parts)


def _inline(css: str, html: str) -> str:
    import css_inline

    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False)
    return _CLASS_ATTR.sub(r"\1", inliner.inline_fragment(html, css)).strip() + "\n"


# ------------------------------------------------------------------------------------ the fast path
#
# Most bodies are plain Markdown output: paragraphs, headings, tight lists, tables, code blocks,
# images and links, with no character reference. For those, every tag's style depends on its name
# alone, so _fast_fragment writes the export with string replacements, using the tags css_inline
# itself wrote for each element, probed once per stylesheet (_styled_tags). It declines (None)
# anything else — a tag with other attributes, a quote or a paragraph inside a list item (styled by
# their context), a character reference or a control character (css_inline's HTML parser would
# rewrite them) — and fragment() takes the general route. tests/test_wechat_article.py compares the
# two routes on every body of a generated hub, the example hub and the golden site, and on
# generated Markdown.

_PROBE = ('<section class="wx">\n<section class="wx-body">\n'
          '<p><strong>x</strong><em>x</em><code>x</code><sup>x</sup><s>x</s><del>x</del>x<br>x'
          '<img src="SRC-PLACEHOLDER" alt="ALT-PLACEHOLDER"></p>'
          '<h1>x</h1><h2>x</h2><h3>x</h3><h4>x</h4><h5>x</h5><h6>x</h6><ul><li>x</li></ul><ol><li>x</li></ol>'
          '<table><thead><tr><th>x</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table>'
          '<pre><code>x</code></pre><hr>\n</section>\n'
          '<p class="wx-signature">x</p>\n<section class="wx-notes"><p class="wx-notes-title">x</p>\n<p>x</p>\n</section>\n'
          '<section class="wx-cta"><p class="wx-cta-text">x<sup>x</sup></p><p class="wx-cta-sub">x</p>'
          '<p class="wx-cta-keyword">x</p></section>\n</section>')
# what each opening tag of _PROBE is, in order ("<tag>": in a body, wherever it is)
_PROBE_KEYS = ("wx", "wx-body", "<p>", "<strong>", "<em>", "<code>", "<sup>", "<s>", "<del>", "<br>", "img",
               "<h1>", "<h2>", "<h3>", "<h4>", "<h5>", "<h6>", "<ul>", "<li>", "<ol>", "ol li", "<table>", "<thead>",
               "<tr>", "<th>", "<tbody>", "tbody tr", "<td>", "<pre>", "pre code", "<hr>", "signature", "notes",
               "notes-title", "note", "cta", "cta-text", "cta sup", "cta-sub", "cta-keyword")
_OPENING = re.compile(r"<([a-z0-9]+)(?:\s[^>]*)?>")
_STYLED: dict[str, dict | None] = {}  # stylesheet -> _PROBE_KEYS -> the tag as css_inline writes it


def _styled_tags(css: str) -> dict | None:
    """The tags css_inline writes with this stylesheet, by _PROBE_KEYS; None if its output of the
    probe does not line up with the probe (a css_inline that restructures: the fast path is off)."""
    if css not in _STYLED:
        if len(_STYLED) > 256:  # (as _STYLESHEETS)
            _STYLED.clear()
        tags = [m.group() for m in _OPENING.finditer(_inline(css, _PROBE))]
        styled = dict(zip(_PROBE_KEYS, tags))
        img = re.split("SRC-PLACEHOLDER|ALT-PLACEHOLDER", styled.get("img", ""))
        same = (len(tags) == len(_PROBE_KEYS) and len(img) == 3
                and all(tag.startswith(f"<{key.strip('<>').split()[-1]}") for key, tag in styled.items() if "<" in key)
                and styled["ol li"] == styled["<li>"] and styled["tbody tr"] == styled["<tr>"])  # no context
        _STYLED[css] = {**styled, "img": tuple(img)} if same else None
    return _STYLED[css]


# the tags the fast path takes: all of plain Markdown's but <blockquote> (its paragraphs are styled
# by their context), with the attributes markdown-it and load/markdown.py write (a link's title
# and rel, an image's title, loading and decoding go, as the rewriter drops them). _NOT_FAST finds
# a "<" that starts none of them (no attribute value holds a "<": each "<" starts a tag)
_FAST_TAGS = (r'/?(?:p|h[1-6]|ul|ol|li|table|thead|tbody|tr|th|td|strong|em|s|del|sup|code|pre)>',
              r'h[1-6] id="[^"<>]*">', r'a href="[^"<>]*"(?: title="[^"<>]*")?(?: rel="noopener")?>', r'/a>',
              r'code class="language-[^"<>]*">',
              r'img src="[^"<>]*" alt="[^"<>]*"(?: title="[^"<>]*")?(?: loading="lazy")?(?: decoding="async")? ?/?>',
              r'(?:br|hr) ?/?>')
_NOT_FAST = re.compile("<(?!" + "|".join(f"(?:{tag})" for tag in _FAST_TAGS) + ")")
_FAST_LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.S)  # (its other attributes go, as in the rewriter)
_FAST_HEADING = re.compile(r'<h([1-6]) id="[^"]*">')
_FAST_PRE = re.compile(r'<pre><code(?: class="[^"]*")?>')
_FAST_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"[^>]*>')
_ITEM_OR_P = re.compile(r"</?li>|<p>")
# characters css_inline's parser would not keep as they are (CR, NUL, other controls)
_ODD = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# (a group: split() gives text, tag, text, … — the tags swapped in a list, without a call per tag)
_PLAIN = re.compile(r"(<(?:p|h[1-6]|ul|ol|li|table|thead|tbody|tr|th|td|strong|em|code|sup|s|del|br|hr)>)")


def _text5(text: str) -> str:
    """Text as css_inline's serializer writes it (quotes stay as they are)."""
    return text.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr5(value: str) -> str:
    """An attribute's value as css_inline's serializer writes it (a joined URL can bring "&" or a
    quote from the article's own URL; the body's values hold neither, _fast_fragment made sure)."""
    return value.replace("&", "&amp;").replace('"', "&quot;") if "&" in value or '"' in value else value


def _p_in_item(html: str) -> bool:
    if "<li>" not in html:
        return False
    depth = 0
    for tag in _ITEM_OR_P.findall(html):
        if tag == "<li>":
            depth += 1
        elif tag == "</li>":
            depth -= 1
        elif depth:
            return True
    return False


def _fast_fragment(body_html: str, cta: Cta | None, *, abs_url: str, base_url: str, persona, t) -> str | None:
    """The fragment _inlined_fragment would give, written without parsing, or None (see above)."""
    html = body_html
    if "&" in html or _ODD.search(html) or _NOT_FAST.search(html) or _p_in_item(html):
        return None
    st = _styled_tags(stylesheet(persona))
    if st is None:
        return None
    notes, origin = Notes(1), urlsplit(abs_url)[:2]
    sup = st["<sup>"]

    def link(m: re.Match) -> str:
        href = m.group(1).strip()
        if not href or href.startswith("#"):
            return m.group(2)
        return f"{m.group(2)}{sup}[{notes.number(_join(abs_url, origin, href))}]</sup>"

    def image(m: re.Match) -> str:
        a, b, c = st["img"]
        return f"{a}{_attr5(_join(abs_url, origin, m.group(1)))}{b}{m.group(2)}{c}"

    if "<a " in html:
        html = _FAST_LINK.sub(link, html)
    html = html.strip()
    if "<h" in html:
        html = _FAST_HEADING.sub(lambda m: st[f"<h{m.group(1)}>"], html)
    if "<pre>" in html:
        pre = st["<pre>"] + st["pre code"]
        html = _FAST_PRE.sub(lambda m: pre, html)
    if "<img " in html:
        html = _FAST_IMG.sub(image, html)
    if "/>" in html:
        html = html.replace("<br />", "<br>").replace("<hr />", "<hr>").replace("<br/>", "<br>").replace("<hr/>", "<hr>")
    parts = _PLAIN.split(html)
    parts[1::2] = [st[tag] for tag in parts[1::2]]
    html = "".join(parts)
    if "\xa0" in html:
        html = html.replace("\xa0", "&nbsp;")
    out = _assemble(html, cta, notes, persona, st, _text5, base_url=base_url, abs_url=abs_url, t=t)
    return None if _ODD.search(out, len(st["wx"]) + len(st["wx-body"]) + len(html) + 2) else out.strip() + "\n"


def export_path(slug: str) -> str:
    return f"wechat/articles/{slug}.html"


def export_bytes(r, entry: Entry, view) -> bytes:
    """The export file of one article (rendered by Renderer.article_page, so it is parallel and
    carried over by warm builds like the article's page)."""
    html = fragment(entry, r.schedule.cta.get(entry.path), abs_url=view.abs_url,
                    base_url=r.site.config.base_url, persona=view.persona, t=r.env.globals["t"])
    # a BOM marks the fragment as UTF-8 for a browser or CDN that sends text/html without a charset
    return BOM + html.encode("utf-8")


def article_outputs(r) -> None:
    """In a preview build, each export's preview page with a copy button, and their list."""
    sch, v = r.schedule, r.views
    if not sch.drafts:  # the preview pages are an editor's tool: serve and --drafts only
        return
    t = r.env.globals["t"]
    made = {f.path: f for f in r.files}
    exports = []
    for e in sch.published:
        view = v.entries[e.path]
        f = made.get(export_path(e.slug))  # absent when the preview's partial render skipped it:
        html = None                         # then its preview page is skipped too
        if f is not None:
            data = f.data
            if data is None:
                with open(f.source, "rb") as fh:
                    data = fh.read()
            html = Markup(data.decode("utf-8").lstrip(BOM.decode("utf-8")))
        cta = sch.cta.get(e.path)
        exports.append({
            "article": view, "html": html,
            "fragment_url": f"{v.prefix}/{export_path(e.slug)}", "url": f"{v.prefix}/wechat/articles/{e.slug}/",
            "source_url": v.abs_link(cta.url) if cta is not None and cta.url else view.abs_url,
        })
    for x in exports:
        a = x["article"]
        r.page(f"/wechat/articles/{a.slug}/", "wechat-article.html", title=f"{t('wechat_preview')} · {a.title}",
               palette_of=a.persona, sitemap=False, export=x)
    r.page("/wechat/articles/", "wechat-articles.html", title=t("wechat_exports"), sitemap=False, exports=exports)
