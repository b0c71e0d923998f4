"""A compiled fast path for plain articles: pulldown-cmark (Rust, through pyromark) instead of
markdown-it-py, for bodies inside a conservative subset of Markdown, giving exactly what
``markdown.parse_body`` gives (docs/performance.md: markdown-it-py's parse was the floor of a cold
build, 1.7–2.0 ms per article; this path is ~0.45 ms).

Anything outside the subset returns None and is parsed by markdown-it-py as before: raw HTML
options, ``<``/``&``/backslashes (HTML, entities, escapes), footnotes, reference definitions, tabs,
trailing spaces (hard breaks), ``:::`` boxes other than the closing ``::: cta`` block, deep
nesting, lines continued inside lists or quotes, link targets that markdown-it would encode
otherwise or that are not plainly safe, tildes and table rows where the two parsers' rules differ;
headings set in lists or quotes with an underline, and empty quotes. ``tests/test_fastmd.py`` holds
the two paths equal on every article of the benchmark hub, the example hub and generated Markdown.

The source is parsed twice by pulldown-cmark: once for its HTML (put in markdown-it's layout where
the two differ: table line breaks, ``<s>``, ``&quot;``), once for its events with their source
ranges, from which ``read`` takes the positions, source text, plain text and links the checks need.
(Both parses and the reading take ≈ 0.29 ms a benchmark article, where markdown-it-pyrs, the Rust port
of markdown-it used before, took 0.18 ms for HTML with ``data-sourcepos`` attributes and a regex 0.27 ms
to read them back.)
"""

from __future__ import annotations

import re
import unicodedata

from .markdown import safe_link  # (markdown.py imports this module only when it first parses)

# a URL as both parsers write it: encoded alike (pulldown-cmark leaves a stray % or ^ as it is and
# writes ' as &#x27;, markdown-it encodes the first two and keeps the third)
_SAFE_URL = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$()*+,;=]|%[0-9A-Fa-f]{2})*+")
_URL_ATTR = re.compile(r' (?:href|src)="([^"]*)"')
_ENCODED_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*%")  # markdown-it-py writes punycode there
# tabs, CR, NUL, and whitespace other than spaces and newlines (U+3000, U+00A0: Python's strip()
# takes them where the Rust parsers keep them): each parser its own way
_CONTROL = re.compile(  # (one class, which sre searches 3 times faster: the whitespace \s takes but " ", "\n")
    r"[\x00-\x09\x0b-\x1f\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]")
_LONE_TILDES = re.compile(r"(?<!~)~(?!~)|~~~")
_TILDES = re.compile("~~")
# A table both parsers read alike: after a blank line (_plain_tables puts one first), rows that each
# start and end with a |, the second a delimiter row, until a blank line (or the end). Any other |
# declines the body: the parsers' table rules part at the edges (pipeless delimiter rows, rows running
# into indented lines, header and delimiter rows of different widths, lone | rows: found by
# fuzz/fastmd_diff.py, now cases in tests/test_fastmd.py)
_PLAIN_TABLE = re.compile(r"\n\n( {0,3}\|[^\n]*\|)\n( {0,3}\|(?: *:?-+:? *\|)+)(?:\n {0,3}\|[^\n]*\|)*(?=\n\n|\n?\Z)")
_NESTING = re.compile(r"(?:[ >]|[-*+] |\d{1,9}[.)] )*")
_NESTING_START = frozenset(" >-*+0123456789")
_TANGLE = re.compile(r"\*{3}|_{3}")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_CTA_OPEN = re.compile(r"::: *cta\b")
_HEADING = re.compile(r"<h([1-6])>")
_LINK = re.compile(r'<a href="([^"]*)"((?: title="[^"]*")?)>')
_IMG = re.compile(r'<img src="([^"]*)"( alt="[^"]*"(?: title="[^"]*")?) />')
# a " of the text (not of a tag: the HTML's only < and > are its tags'), which markdown-it escapes
_TEXT_QUOTE = re.compile(r'"(?=[^<>]*+<)')
_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?: +|$)")
# Blocks nested at most MAX_DEPTH deep (two elements each at most, plus a table's four) and inline
# marks at most MAX_INLINE deep keep the HTML far below markdown.MAX_HTML_DEPTH (100).
MAX_DEPTH = 8
MAX_INLINE = 40

_parser = None


def _md():
    global _parser
    if _parser is None:
        import pyromark

        _parser = pyromark.Markdown(options=pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH)
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
        # only ordinary blocks take the fast path, the rest goes to markdown-it-py's limits (the nesting
        # it reports, tests/test_bad_markdown.py; markdown-it-pyrs, the Rust parser used first, was not
        # linear on every such input, and pulldown-cmark's limits are not markdown-it-py's)
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


def _plain_tildes(text: str) -> bool:
    """Tildes only in ``~~`` runs with no punctuation or symbol on either side."""
    if _LONE_TILDES.search(text):
        return False
    for m in _TILDES.finditer(text):
        for c in text[m.start() - 1:m.start()] + text[m.end():m.end() + 1]:
            if unicodedata.category(c)[0] in "PS":
                return False
    return True


def _plain_tables(text: str) -> bool:
    """Every ``|`` of ``text`` in a _PLAIN_TABLE whose header and delimiter rows have as many cells,
    with no code span in it (the parsers each split cells at a | in a code span their own way)."""
    text = "\n\n" + text.lstrip("\n")  # (the first table may start the text; sre finds "\n\n" fast)
    last = 0
    for m in _PLAIN_TABLE.finditer(text):
        if "|" in text[last:m.start()] or m.group(1).count("|") != m.group(2).count("|") or "`" in m.group():
            return False
        last = m.end()
    return "|" not in text[last:]


def eligible_text(text: str) -> bool:
    """No HTML, entities, escapes, footnotes (``[^1]``, inline ``^[…]``), reference definitions, hard
    breaks, odd whitespace, tildes other than ``~~`` runs between letters or spaces (pulldown-cmark
    also strikes ``~a~``, and flanks ``~~`` by punctuation otherwise than markdown-it), or a ``|``
    outside a plain table (_PLAIN_TABLE)."""
    return not any(c in text for c in "<&\\") and "[^" not in text and "^[" not in text and "]:" not in text \
        and " \n" not in text and not text.endswith(" ") and not _CONTROL.search(text) \
        and ("~" not in text or _plain_tildes(text)) \
        and ("|" not in text or _plain_tables(text))


# The reader below walks pulldown-cmark's events (pyromark), each an ({kind: value} or name, {"start",
# "end"}) pair, the range in UTF-8 bytes of the source
_BLOCK_STARTS = frozenset({"Paragraph", "Heading", "List", "BlockQuote", "CodeBlock", "Table"})
_INLINE_NAMES = frozenset({"Emphasis", "Strong", "Strikethrough", "Link", "Image"})  # (all but images count
# in MAX_INLINE)


def read(text: str) -> tuple[list, list[str]]:
    """What parse_body reads from markdown-it-py's tokens, from the parser's events: for each inline
    content (paragraph, heading, tight list item, table cell) a record (its body line, whether it is
    a paragraph, its source, its plain text, [is an image] per link or image: their URLs are read from
    the HTML, as markdown-it writes them, by ``_with_urls``); and the headings' titles. One pass over
    the events. Raises _Ineligible where the two parsers' readings could differ; tests/test_fastmd.py
    holds the two paths equal."""
    data = text.encode()
    lines = text.split("\n")
    counted = at_line = 0  # the newlines before byte ``counted`` (blocks come in order: counted on as they do)
    records: list = []
    headings: list[str] = []
    depth = 0  # the open lists, items and quotes (MAX_DEPTH)
    kind = ""  # the inline content being read: "p", "h", "cell", "li" (a tight item's own text) or ""
    texts: list[str] = []
    links: list[bool] = []
    tagged = False  # an inline element seen in it (an empty heading has none)
    line = row_line = marks = in_image = last_end = 0
    source = ""
    in_code = quote_empty = False
    item = -1  # the byte where the innermost open item starts, while its own text may still come
    item_line = 0
    for ev, rng in _md().events_with_range(text, merge_text=True):
        if type(ev) is str:
            if ev == "SoftBreak" and kind and kind != "li" and kind != "cell":
                continue  # (markdown-it-py's plain text skips soft breaks; in an item: its text runs on)
            if ev == "Rule" and not kind:
                quote_empty = False
                continue
            raise _Ineligible  # a hard break (the gate lets none through: trailing spaces, backslashes)
        start = ev.get("Start")
        if start is not None:  # (the events by how often they come: table cells first)
            if start == "TableCell":
                kind, texts, links, tagged, marks, line = "cell", [], [], False, 0, row_line
                source = data[rng["start"]:rng["end"]].decode().strip()
                continue
            if type(start) is not str:
                start, = start  # {"Heading": {…}}: its name (the value is not needed)
            if start in _INLINE_NAMES:
                if not kind:
                    if item < 0:
                        raise _Ineligible  # text after a nested block in a tight list item
                    kind, texts, links, tagged, marks, line = "li", [], [], False, 0, item_line
                tagged = True
                end = rng["end"]
                if end > last_end:
                    last_end = end
                if start == "Image":
                    links.append(True)
                    in_image += 1
                    continue
                if start == "Link":
                    links.append(False)
                marks += 1
                if marks > MAX_INLINE:
                    raise _Ineligible
                continue
            s = rng["start"]  # a block, an item or a table row: its line
            if s < counted:
                raise _Ineligible  # (never seen: blocks start in order)
            at_line += data.count(b"\n", counted, s)
            counted = s
            if start in _BLOCK_STARTS:
                if kind:
                    if kind != "li" or start == "CodeBlock":
                        raise _Ineligible  # (markdown-it writes no line break between an item's text and code)
                    _item_record(records, texts, links, tagged, line, last_end, lines, item, data)
                    kind = ""
                item = -1  # the innermost item's own text is over
                if depth > MAX_DEPTH:
                    raise _Ineligible
                if start == "Paragraph":
                    line = at_line
                    source = data[s:rng["end"]].decode().strip()
                    if depth and "\n" in source:
                        raise _Ineligible  # markdown-it strips the list indent / quote markers of such lines
                    kind, texts, links, tagged, marks = "p", [], [], False, 0
                elif start == "Heading":
                    line = at_line
                    head = lines[line][len(data[data.rfind(b"\n", 0, s) + 1:s].decode()):]  # (from its column: in a list)
                    if head.lstrip(" ").startswith("#"):
                        source = _atx_content(head)
                    elif depth:
                        raise _Ineligible  # a setext heading in a list or quote: its lines carry the markers
                    else:  # setext: the lines above the underline
                        source = "\n".join(lines[line:line + data.count(b"\n", s, rng["end"] - 1)]).strip()
                    kind, texts, links, tagged, marks = "h", [], [], False, 0
                elif start == "List" or start == "BlockQuote":
                    if start == "BlockQuote" and depth + 1 > MAX_DEPTH:
                        raise _Ineligible  # (an empty quote's children would be past the limit)
                    depth += 1
                    quote_empty = start == "BlockQuote"
                    continue
                elif start == "CodeBlock":
                    in_code = True
                quote_empty = False
                continue
            if start == "Item":
                if kind or depth > MAX_DEPTH:
                    raise _Ineligible
                depth += 1
                item, item_line = s, at_line
                continue
            if start == "TableRow" or start == "TableHead":
                row_line = at_line
                continue
            raise _Ineligible  # HTML, footnotes, task markers …: not in this subset
        end = ev.get("End")
        if end is not None:
            if end == "TableCell" or end == "Paragraph":
                records.append((line, end == "Paragraph", source, "".join(texts), links))
                kind = ""
                continue
            if type(end) is not str:
                end, = end
            if end in _INLINE_NAMES:
                if end == "Image":
                    in_image -= 1
                else:
                    marks -= 1
            elif end == "Heading":
                plain = "".join(texts)
                if not tagged and not plain:
                    raise _Ineligible  # an empty heading
                headings.append(plain)
                records.append((line, False, source, plain, links))
                kind = ""
            elif end == "Item":
                if kind == "li":
                    _item_record(records, texts, links, tagged, line, last_end, lines, item, data)
                    kind = ""
                elif kind:
                    raise _Ineligible
                depth -= 1
                item = -1  # (an outer item's own text, if any, was before this one)
            elif end == "List" or end == "BlockQuote":
                if quote_empty and end == "BlockQuote":
                    raise _Ineligible  # an empty quote: the parsers write it differently
                depth -= 1
                quote_empty = False
            elif end == "CodeBlock":
                in_code = False
            elif end != "TableRow" and end != "TableHead" and end != "Table":
                raise _Ineligible
            continue
        value = ev.get("Text")
        if value is None:
            value = ev.get("Code")
            if value is None:
                raise _Ineligible  # inline HTML, math …: not in this subset
            tagged = True
        if in_code:
            continue
        if not kind:
            if item < 0:
                raise _Ineligible  # text after a nested block in a tight list item
            kind, texts, links, tagged, marks, line = "li", [], [], False, 0, item_line
        if not in_image:  # (an image's text is its alt attribute)
            texts.append(value)
        end = rng["end"]
        if end > last_end:
            last_end = end
    if kind or depth or in_code:
        raise _Ineligible
    return records, headings


def _item_record(records: list, texts: list[str], links: list[bool], tagged: bool, line: int, last_end: int,
                 lines: list[str], item: int, data: bytes) -> None:
    """A tight list item's own text (``item`` its first byte, on ``line``): the rest of its first
    line after the marker."""
    plain = "".join(texts)
    if not tagged and not plain.strip():
        return  # no text of its own
    if data.find(b"\n", item, last_end - 1) != -1:
        raise _Ineligible  # continued on the next line: markdown-it strips the item's indent
    m = _MARKER.match(lines[line], len(data[data.rfind(b"\n", 0, item) + 1:item].decode()))
    if not m:
        raise _Ineligible
    records.append((line, True, lines[line][m.end():].strip(), plain, links))


def _markdown_it_tables(html: str) -> str:
    """pulldown-cmark's tables as markdown-it writes them: each table tag on its own line, no empty
    body, and text-align without a space (rewritten table by table: the rest of the HTML is left)."""
    parts, last = [], 0
    start = html.find("<table>")
    while start != -1:
        end = html.index("</table>", start) + 8
        parts.append(html[last:start])
        parts.append(html[start:end].replace("<table><thead><tr>", "<table>\n<thead>\n<tr>\n")
                     .replace("</th>", "</th>\n").replace("</td>", "</td>\n")
                     .replace("</tr></thead><tbody>\n</tbody></table>", "</tr>\n</thead>\n</table>")
                     .replace("</tr></thead><tbody>", "</tr>\n</thead>\n<tbody>").replace("<tr><td", "<tr>\n<td")
                     .replace("</tbody></table>", "</tbody>\n</table>").replace(' style="text-align: ', ' style="text-align:'))
        last = end
        start = html.find("<table>", end)
    parts.append(html[last:])
    return "".join(parts)


def _with_urls(records: list, html: str) -> list:
    """The records with each link's and image's URL as the HTML has it (in the same order)."""
    urls = iter(_URL_ATTR.findall(html))
    try:
        records = [(*r[:4], [(image, _url(next(urls))) for image in r[4]]) if r[4] else r for r in records]
    except StopIteration:
        raise _Ineligible from None
    if next(urls, None) is not None:
        raise _Ineligible
    return records


def _url(url: str) -> str:
    if not _SAFE_URL.fullmatch(url) or _ENCODED_HOST.match(url) or not safe_link(url):
        raise _Ineligible  # the parsers would write it differently, or it is not a plainly safe link
    return url


def _atx_content(line: str) -> str:
    """An ATX heading's text, cut as markdown-it cuts it (rules_block/heading.py)."""
    text = line.lstrip(" ").lstrip("#")
    if "#" not in text:  # (most headings: no closing sequence to look for)
        return text.strip()
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
    md = _md()
    if not text.endswith("\n"):
        text += "\n"  # (pulldown-cmark ends a last indented code line without its line break)
    try:
        records, headings = read(text)
        html = md.html(text)
        records = _with_urls(records, html)
    except _Ineligible:
        return None
    except BaseException as e:  # a panic in the Rust parser (pyo3's PanicException is a BaseException)
        if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        _parser = None  # a fresh one next time; markdown-it-py parses this body
        return None
    if "<table>" in html:
        html = _markdown_it_tables(html)
    if '"' in text:
        html = _TEXT_QUOTE.sub("&quot;", html)
    if "<del>" in html:
        html = html.replace("<del>", "<s>").replace("</del>", "</s>")
    slugs: set[str] = set()
    ids = []
    for title in headings:
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
    return html, records, ids
