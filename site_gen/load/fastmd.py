"""A compiled fast path for plain articles: markdown-it-pyrs (markdown-it's Rust port) instead of
markdown-it-py, for bodies inside a conservative subset of Markdown, giving exactly what
``markdown.parse_body`` gives (docs/performance.md: markdown-it-py's parse was the floor of a cold
build, 1.7–2.0 ms per article; this path is ~0.5 ms).

Anything outside the subset returns None and is parsed by markdown-it-py as before: raw HTML
options, ``<``/``&``/backslashes (HTML, entities, escapes), footnotes, reference definitions, tabs,
trailing spaces (hard breaks), ``:::`` boxes other than the closing ``::: cta`` block, deep
nesting, lines continued inside lists or quotes, and link targets that markdown-it would
re-encode or that are not plainly safe; headings set in lists or quotes with an underline, and empty
quotes. ``tests/test_fastmd.py`` holds the two paths equal on every article of the benchmark hub,
the example hub and generated Markdown.

The Rust parser is asked once, for HTML with ``data-sourcepos`` attributes; ``Reader`` reads the
positions, source text, plain text and links the checks need from those tags, and the attributes
are removed from the HTML.
"""

from __future__ import annotations

import re

from .markdown import safe_link  # (markdown.py imports this module only when it first parses)

_SAFE_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$'()*+,;=%]*")  # as both parsers write it, encoded
_ENCODED_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*%")  # markdown-it-py writes punycode there
# tabs, CR, NUL, and whitespace other than spaces and newlines (U+3000, U+00A0: Python's strip()
# takes them where the Rust parser keeps them): each parser its own way
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u2028\u2029\ufeff]|[^\S \n]")
_NESTING = re.compile(r"(?:[ >]|[-*+] |\d{1,9}[.)] )*")
_NESTING_START = frozenset(" >-*+0123456789")
_TANGLE = re.compile(r"\*{3}|_{3}")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_CTA_OPEN = re.compile(r"::: *cta\b")
_HEADING = re.compile(r"<h([1-6])>")
_LINK = re.compile(r'<a href="([^"]*)"((?: title="[^"]*")?)>')
_IMG = re.compile(r'<img src="([^"]*)"( alt="[^"]*"(?: title="[^"]*")?) />')
_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?: +|$)")
# Blocks nested at most MAX_DEPTH deep (two elements each at most, plus a table's four) and inline
# marks at most MAX_INLINE deep keep the HTML far below markdown.MAX_HTML_DEPTH (100).
MAX_DEPTH = 8
MAX_INLINE = 40

_parser = None


def _rs():
    global _parser
    if _parser is None:
        from markdown_it_pyrs import MarkdownIt

        _parser = MarkdownIt("commonmark").enable_many(["table", "strikethrough", "sourcepos"])
    return _parser


_NOT_SLUG = re.compile(r"[^\w\u4e00-\u9fff\- ]")


def slugify(title: str) -> str:
    """A heading's id, as mdit-py-plugins' anchors plugin makes it for markdown-it-py's path (its
    own function, copied: importing the plugin imports markdown-it-py, ~25 ms that a warm build
    parsing one plain article need not pay; tests/test_fastmd.py holds the two equal)."""
    return _NOT_SLUG.sub("", title.lower().replace(" ", "-"))


def unique_slug(slug: str, slugs: set[str]) -> str:
    """The anchors plugin's: ``slug``, or ``slug-1``, ``slug-2`` … when taken."""
    uniq, i = slug, 1
    while uniq in slugs:
        uniq, i = f"{slug}-{i}", i + 1
    slugs.add(uniq)
    return uniq


class _Ineligible(Exception):
    pass


# split_closing_cta's shortcuts: the lines its per-line rules can act on, found by C-speed searches
_NEST_CANDIDATE = re.compile(r"\n[ >\-*+0-9]")  # (a line starting so; a literal first, for sre's fast scan)
_MANY_GT = re.compile(r"^(?:[^>\n]*>){9}", re.M)
_TRIGGERS = ("`", "~", "***", "___", ":::")  # what the fence, code-span, tangle and ::: rules look for


def split_closing_cta(body: str) -> tuple[str, int] | None:
    """(the body before a closing ``::: cta`` block, that block's first line index) — or None when
    ``:::`` is used any other way. (text, -1) when there is no ``:::`` at all.

    The same answer as ``split_closing_cta_by_line`` (the rules, line by line; tests/test_fastmd.py
    holds the two equal) in a fifth of the time: the per-block counts are checked on the whole body
    first, and only the lines that can trip a per-line rule are visited."""
    if len(body) > 8000 or (body.count("*") + body.count("_") + body.count("~") > 64
                            or body.count("[") + body.count("]") > 128):
        return split_closing_cta_by_line(body)  # (below these no block of it can be over its limits)
    if body.count(">") > 8 and _MANY_GT.search(body):
        return None
    line_starts = ([0] if body[:1] in _NESTING_START else []) + [m.end() - 1 for m in _NEST_CANDIDATE.finditer(body)]
    if any(_NESTING.match(body, at).end() - at > 24 for at in line_starts):
        return None
    starts: set[int] = set()
    for needle in _TRIGGERS:
        at = body.find(needle)
        while at != -1:
            starts.add(body.rfind("\n", 0, at) + 1)
            at = body.find("\n", at)
            at = -1 if at == -1 else body.find(needle, at)
    fence: str | None = None
    marks = []
    index, pos = 0, 0
    for start in sorted(starts):
        index += body.count("\n", pos, start)
        pos = start
        end = body.find("\n", start)
        fence = _fence_rules(body[start:] if end == -1 else body[start:end], index, fence, marks)
        if fence is _LEAVE:
            return None
    if fence is not None:
        return None
    if not marks:
        return body, -1
    return _closing_block(body.split("\n"), marks)


def split_closing_cta_by_line(body: str) -> tuple[str, int] | None:
    """split_closing_cta's rules, applied line by line."""
    lines = body.split("\n")
    fence: str | None = None
    marks = []
    marks_in_block = brackets_in_block = chars_in_block = 0
    for i, line in enumerate(lines):
        # the Rust parser is not linear on every pathological input (tests/test_bad_markdown.py) and
        # recurses on nesting: only ordinary blocks go its way, the rest to markdown-it-py's limits
        if not line.strip():
            marks_in_block = brackets_in_block = chars_in_block = 0
        marks_in_block += line.count("*") + line.count("_") + line.count("~")
        brackets_in_block += line.count("[") + line.count("]")
        chars_in_block += len(line)
        if marks_in_block > 64 or brackets_in_block > 128 or chars_in_block > 8000 or line.count(">") > 8 \
                or line[:1] in _NESTING_START and len(_NESTING.match(line).group()) > 24:
            return None
        fence = _fence_rules(line, i, fence, marks)
        if fence is _LEAVE:
            return None
    if fence is not None:
        return None  # a fence left open: the parsers end its last line differently
    if not marks:
        return body, -1
    return _closing_block(lines, marks)


_LEAVE = "leave"  # _fence_rules' answer for a body left to markdown-it-py


def _fence_rules(line: str, index: int, fence: str | None, marks: list[int]) -> str | None:
    """The fence, code-span and ``:::`` rules for line ``index``: the fence open after it (adding the
    line to ``marks`` when it is a ``:::`` line), or _LEAVE."""
    m = _FENCE.match(line) if ("`" in line or "~" in line) else None
    if not m and ("```" in line or "~~~" in line):
        return _LEAVE  # a fence inside a list or quote: left to markdown-it-py
    if m:
        run = m.group(1)
        if fence is None:
            return run
        closes = run[0] == fence[0] and len(run) >= len(fence) and not line.strip()[len(run):].strip()
        return None if closes else fence
    if fence is None and ("`" in line and ("``" in line or line.count("`") % 2)
                          or _TANGLE.search(line) or "~~" in line and ("*" in line or "_" in line)):
        return _LEAVE  # code spans beyond `a` pairs on one line, runs of 3+ emphasis marks, ~~ mixed with
        # * or _: the two parsers differ on some such tangles (tests/test_fastmd.py found them)
    if ":::" in line:
        if fence is not None or not line.startswith(":::"):
            return _LEAVE  # a box in a fence, a list or a quote, or ::: in text: left to markdown-it-py
        marks.append(index)
    return fence


def _closing_block(lines: list[str], marks: list[int]) -> tuple[str, int] | None:
    """The body before the closing block whose ``:::`` lines are at ``marks``, and its first line."""
    if len(marks) != 2:
        return None
    start, end = marks
    if not _CTA_OPEN.match(lines[start]) or lines[end].rstrip() != ":::":
        return None
    if start and lines[start - 1].strip():
        return None
    if any(line.strip() for line in lines[end + 1:]):
        return None
    return "\n".join(lines[:start]), start


def eligible_text(text: str) -> bool:
    return not any(c in text for c in "<&\\") and "[^" not in text and "]:" not in text \
        and " \n" not in text and not text.endswith(" ") and not _CONTROL.search(text)


# Each tag with the text before it: (text, "/" or "", name, data-sourcepos's four numbers, other
# attributes) in groups 1 and 8-14 — but a paragraph, heading or table cell whose content holds no
# tag (most of them) is one match: its name, position and content in groups 2-7, the others empty
_TAG_OR_WHOLE = re.compile(  # (possessive *+: no backtracking to remember, 7 % faster)
    r'([^<]*+)<(?:(p|h[1-6]|td|th) data-sourcepos="(\d++):(\d++)-(\d++):(\d++)">([^<]*+)</\2>'
    r'|(/?)([a-z][a-z0-9]*+)(?: data-sourcepos="(\d++):(\d++)-(\d++):(\d++)")?([^>]*+)>)')
_SOURCEPOS = re.compile(r' data-sourcepos="[^"]*"')
_URL_ATTR = re.compile(r' (?:href|src)="([^"]*)"')
_MARKS = frozenset({"a", "strong", "em", "s"})  # inline tags that nest (MAX_INLINE counts them)
_INLINE_TAGS = _MARKS | {"img", "code"}
_CONTAINERS = frozenset({"ul", "ol", "blockquote", "li"})  # what MAX_DEPTH counts
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"th", "td"})


class _Inline:
    """One paragraph's, heading's, table cell's or tight list item's inline content, being read."""

    __slots__ = ("kind", "tag", "line", "col", "content", "texts", "links", "marks", "last", "tagged")

    def __init__(self, kind: str, tag: str, line: int, content: str = "", col: int = 0):
        self.kind, self.tag, self.line, self.content, self.col = kind, tag, line, content, col
        self.texts: list[str] = []
        self.links: list[tuple[bool, str]] = []
        self.marks = 0  # open inline marks
        self.last = line  # the last body line an inline element reaches
        self.tagged = False

    def plain(self) -> str:
        text = "".join(self.texts).replace("\n", "")  # (soft line breaks: markdown-it-py's text skips them)
        if "&" in text:
            text = text.replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")
        return text


def _cut(lines: list[str], l1: int, c1: int, l2: int, c2: int) -> str:
    """The source between two data-sourcepos points (1-based lines and character columns, the end
    inclusive; column 0 is the end of the line before)."""
    if l1 == l2:
        return lines[l1 - 1][c1 - 1:c2]
    last = lines[l2 - 1][:c2] if l2 <= len(lines) else ""
    return "\n".join([lines[l1 - 1][c1 - 1:], *lines[l1:l2 - 1], last])


class Reader:
    """The Rust parser's HTML, written with data-sourcepos attributes, read for what parse_body
    reads from markdown-it-py's tokens: for each inline content (paragraph, heading, tight list
    item, table cell) its body line, whether it is a paragraph, its source, its plain text and its
    links and images; and the headings' titles. One pass over the tags: markdown-it escapes every
    ``<`` of the text, so each ``<`` is a tag. (Reading the parser's own tree instead costs a second
    parse and a Python object per node: about 0.1 ms an article more.) Raises _Ineligible where the
    two parsers' readings could differ; tests/test_fastmd.py holds the two paths equal."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        # (body line, in a paragraph, content, plain text, [(is image, url)]) per inline content
        self.records: list[tuple[int, bool, str, str, list[tuple[bool, str]]]] = []
        self.headings: list[str] = []  # titles, in order

    def run(self, html: str) -> None:
        lines = self.lines
        stack: list[str] = []  # the open ul, ol, blockquote and li elements
        inline: _Inline | None = None
        in_pre = False
        row_line = 0
        opened = ""  # the tag just opened, when nothing came after it yet
        records = self.records
        for text, whole, w1, wc1, w2, wc2, content, closing, name, l1, c1, l2, c2, attrs in _TAG_OR_WHOLE.findall(html):
            if whole:  # an element with no tag inside: what its opening and closing tags would do
                if inline is not None:
                    if inline.kind != "li":
                        raise _Ineligible  # (a block inside a paragraph, heading or cell)
                    inline.texts.append(text)
                    self._item(inline, opening=True)
                    inline = None
                elif text and not text.isspace():
                    raise _Ineligible
                opened = whole
                plain = content.replace("\n", "")
                if "&" in plain:
                    plain = plain.replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&")
                if whole == "td" or whole == "th":
                    records.append((row_line, False, _cut(lines, int(w1), int(wc1), int(w2), int(wc2)).strip(), plain, ()))
                    continue
                if len(stack) > MAX_DEPTH:
                    raise _Ineligible
                first = int(w1) - 1
                if whole == "p":
                    source = _cut(lines, int(w1), int(wc1), int(w2), int(wc2)).strip()
                else:
                    if not content:
                        raise _Ineligible  # an empty heading
                    source = self._heading(first, wc1, w2, wc2, stack)
                    self.headings.append(plain)
                if stack and "\n" in source:
                    raise _Ineligible  # markdown-it strips the list indent / quote markers of such lines
                records.append((first, whole == "p", source, plain, ()))
                continue
            if in_pre:  # a code block: its text is escaped, its only tags are <code> and </pre>
                in_pre = name != "pre"
                continue
            if inline is not None:
                inline.texts.append(text)
                if name in _INLINE_TAGS:
                    if closing:
                        if name in _MARKS:
                            inline.marks -= 1
                        continue
                    if not l1:
                        raise _Ineligible
                    inline.tagged = True
                    end = int(l2) - 1 if c2 != "0" else int(l2) - 2
                    if end > inline.last:
                        inline.last = end
                    if name in _MARKS:
                        inline.marks += 1
                        if inline.marks > MAX_INLINE:
                            raise _Ineligible
                    if name == "a" or name == "img":
                        url = _URL_ATTR.search(attrs)
                        if url is None:
                            raise _Ineligible
                        inline.links.append((name == "img", _url(url.group(1))))
                    continue
                if inline.kind == "li":  # a tight item's text ends at a nested block or at </li>
                    self._item(inline, opening=not closing)
                    inline = None
                else:
                    if not closing or name != inline.tag:
                        raise _Ineligible
                    self._close(inline)
                    inline = None
                    continue
            elif text and not text.isspace():
                raise _Ineligible  # text after a nested block in a tight list item
            if closing:
                if name in _CONTAINERS:
                    if not stack or stack.pop() != name:
                        raise _Ineligible
                    if name == "blockquote" and opened == "blockquote":
                        raise _Ineligible  # an empty quote: the parsers write it differently
                opened = ""
                continue
            opened = name
            if name == "thead" or name == "tbody":
                continue
            if not l1:
                if name != "pre" or len(stack) > MAX_DEPTH:
                    raise _Ineligible
                in_pre = True
                continue
            if name in _CELLS:  # (an empty cell gives an empty record)
                inline = _Inline("cell", name, row_line, _cut(lines, int(l1), int(c1), int(l2), int(c2)).strip())
                continue
            if name == "tr":
                row_line = int(l1) - 1
                continue
            if len(stack) > MAX_DEPTH:
                raise _Ineligible
            if name == "p":
                inline = _Inline("p", name, int(l1) - 1, _cut(lines, int(l1), int(c1), int(l2), int(c2)).strip())
            elif name in _HEADINGS:
                first = int(l1) - 1
                inline = _Inline("h", name, first, self._heading(first, c1, l2, c2, stack))
            elif name in _CONTAINERS:
                if name == "blockquote" and len(stack) + 1 > MAX_DEPTH:
                    raise _Ineligible  # (an empty quote's children would be past the limit)
                stack.append(name)
                if name == "li":
                    inline = _Inline("li", name, int(l1) - 1, col=int(c1) - 1)
                continue
            elif name != "hr" and name != "table":
                raise _Ineligible
            if inline is not None and stack and "\n" in inline.content:
                raise _Ineligible  # markdown-it strips the list indent / quote markers of such lines
        if inline is not None or stack or in_pre or html and not html.endswith("\n"):
            raise _Ineligible

    def _heading(self, first: int, c1: str, l2: str, c2: str, stack: list) -> str:
        """The source text of a heading whose data-sourcepos is ``first + 1``:``c1``-``l2``:``c2``."""
        lines = self.lines
        last = max(int(l2) - 1 if c2 != "0" else int(l2) - 2, first)
        head = lines[first][int(c1) - 1:]  # (from the heading's own column: it may be in a list)
        if head.lstrip(" ").startswith("#"):
            return _atx_content(head)
        if stack:
            raise _Ineligible  # a setext heading in a list or quote: its lines carry the markers
        return "\n".join(lines[first:last]).strip()  # setext: the lines above the underline

    def _close(self, inline: _Inline) -> None:
        plain = inline.plain()
        if inline.kind == "h":
            if not inline.tagged and not "".join(inline.texts):
                raise _Ineligible  # an empty heading
            self.headings.append(plain)
        self.records.append((inline.line, inline.kind == "p", inline.content, plain, inline.links))

    def _item(self, inline: _Inline, opening: bool) -> None:
        """A tight list item's text: the rest of its first line after the marker."""
        if opening and inline.texts[-1].endswith("\n"):
            inline.texts[-1] = inline.texts[-1][:-1]  # the line break written before a nested block
        if not inline.tagged and not "".join(inline.texts).strip():
            return  # no text of its own (a loose item, or one that starts with a block)
        if inline.last != inline.line or any("\n" in t for t in inline.texts):
            raise _Ineligible  # continued on the next line: markdown-it strips the item's indent
        m = _MARKER.match(self.lines[inline.line], inline.col)
        if not m:
            raise _Ineligible
        self.records.append((inline.line, True, self.lines[inline.line][m.end():].strip(), inline.plain(),
                             inline.links))


def _url(url: str) -> str:
    if not _SAFE_URL.fullmatch(url) or _ENCODED_HOST.match(url) or not safe_link(url):
        raise _Ineligible  # the parsers would write it differently, or it is not a plainly safe link
    return url


def _atx_content(line: str) -> str:
    """An ATX heading's text, cut as markdown-it cuts it (rules_block/heading.py)."""
    pos = len(line) - len(line.lstrip(" "))
    while pos < len(line) and line[pos] == "#":
        pos += 1
    end = len(line)
    while end > pos and line[end - 1] in " \t":
        end -= 1
    tmp = end
    while tmp > pos and line[tmp - 1] == "#":
        tmp -= 1
    if tmp > pos and line[tmp - 1] in " \t":
        end = tmp
    return line[pos:end].strip()


def parse(text: str, base_path: str):
    """(html, records, heading ids) for ``text`` (the body without its closing action block), or
    None when it is outside the subset."""
    if not eligible_text(text):
        return None
    global _parser
    rs = _rs()
    try:
        reader = Reader(text)
        html = rs.render(text)
        reader.run(html)
        html = _SOURCEPOS.sub("", html)
    except _Ineligible:
        return None
    except BaseException as e:  # a panic in the Rust parser (pyo3's PanicException is a BaseException)
        if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        _parser = None  # a fresh one next time; markdown-it-py parses this body
        return None
    slugs: set[str] = set()
    ids = []
    for title in reader.headings:
        slug = unique_slug(slugify(title), slugs)
        if not slug:
            return None
        ids.append(slug)
    it = iter(ids)
    html = _HEADING.sub(lambda m: f'<h{m.group(1)} id="{next(it)}">', html)
    prefix = base_path.rstrip("/")

    def site_path(href: str) -> str:
        return prefix + href if prefix and href.startswith("/") and not href.startswith("//") else href

    def link(m: re.Match) -> str:
        href = m.group(1)
        rel = ' rel="noopener"' if href.startswith(("http://", "https://")) else ""
        return f'<a href="{site_path(href)}"{m.group(2)}{rel}>'

    html = _LINK.sub(link, html)
    html = _IMG.sub(lambda m: f'<img src="{site_path(m.group(1))}"{m.group(2)} loading="lazy" decoding="async" />',
                    html)
    return html, reader.records, ids
