"""The site model: typed, frozen, keyed by source path. Imports neither loading nor rendering."""

from __future__ import annotations

import datetime as dt
import pickle
from array import array
from dataclasses import dataclass, field
from typing import Mapping
from zoneinfo import ZoneInfo

from .diagnostics import Location



@dataclass(frozen=True)
class Cta:
    text: str
    url: str | None  # as written: a site path, an absolute URL, or None (reply)
    kind: str
    keyword: str | None
    source: str  # "body" | "front" | "campaign"
    loc: Location  # the block's line, or the `cta:` key
    text_loc: Location
    url_loc: Location


@dataclass(frozen=True)
class MenuEntry:
    name: str
    target_kind: str | None  # url | page | article | campaign | persona | segment | None (has items)
    target: str | None
    service: bool
    items: tuple["MenuEntry", ...]
    loc: Location
    name_loc: Location
    target_loc: Location


@dataclass(frozen=True)
class Segment:
    id: str
    name: str
    wechat_tag_id: int | None
    menus: tuple[MenuEntry, ...] | None
    loc: Location


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    loc: Location


@dataclass(frozen=True)
class SiteConfig:
    path: str  # "site.yaml"
    title: str
    base_url: str  # absolute, ends with "/"
    base_path: str  # "/" or "/hub/"
    description: str
    language: str
    timezone: ZoneInfo
    theme: str
    output: str
    feed_limit: int
    default_persona: str | None
    markdown_html: bool
    menus: tuple[MenuEntry, ...]
    segments: Mapping[str, Segment]
    channels: Mapping[str, Channel]
    severity: Mapping[str, str]
    cta_verbs: tuple[str, ...]
    cta_pages: bool
    originality_threshold: float
    locs: Mapping[str, Location]  # top-level key -> value location
    extra: object = None


@dataclass(frozen=True)
class Persona:
    id: str
    path: str
    name: str
    avatar: str | None
    bio: str
    address: str | None
    avoid: tuple[tuple[str, str | None], ...]
    max_sentence_chars: int | None
    palette: Mapping[str, str]
    signature: str
    loc: Location
    locs: Mapping[str, Location]


@dataclass(frozen=True)
class Campaign:
    id: str
    path: str
    title: str
    summary: str
    persona: str | None
    cover: str | None
    preheat: dt.date
    starts: dt.date
    ends: dt.date
    ctas: Mapping[str, Cta]  # phase -> action
    channels: tuple[str, ...]
    segments: tuple[str, ...]
    loc: Location
    locs: Mapping[str, Location]


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    loc: Location
    image: bool

    def __reduce__(self):  # as Location's: a loaded site holds a dozen per article
        return (Link, (self.url, self.loc, self.image))


class Links:
    """An entry's links and images, kept compact like its prose: their URLs in a tuple, and each
    one's line, column and kind (1: an image) in one array. A warm build unpickles every entry, and
    a dozen Link objects with their Locations were a third of an entry's unpickling time; only the
    link and menu checks look at them. Iterating (or indexing) makes the Link objects."""

    __slots__ = ("path", "urls", "marks")

    def __init__(self, links=(), path: str = "", urls: tuple[str, ...] | None = None, marks=None):
        if urls is not None:  # unpickling
            self.path, self.urls, self.marks = path, urls, marks
            return
        links = tuple(links)
        if any(link.loc.path != path for link in links):
            raise ValueError("an entry's links are all in its own file")
        self.path, self.urls = path, tuple(link.url for link in links)
        self.marks = array("i", [v for link in links for v in (link.loc.line, link.loc.column, link.image)])

    def __len__(self) -> int:
        return len(self.urls)

    def __getitem__(self, i: int) -> Link:
        m, at = self.marks, 3 * range(len(self.urls))[i]  # (range: negative indexes, IndexError)
        return Link(self.urls[i], Location(self.path, m[at], m[at + 1]), bool(m[at + 2]))

    def __iter__(self):
        return map(self.__getitem__, range(len(self.urls)))

    def images(self):
        """Whether each link is an image (1) or not (0), in order: beside ``urls``."""
        return self.marks[2::3]

    def __reduce__(self):
        return (Links, ((), self.path, self.urls, self.marks))

    def __eq__(self, other) -> bool:
        return isinstance(other, Links) and (self.path, self.urls, self.marks) == (other.path, other.urls, other.marks)

    def __hash__(self) -> int:
        return hash((self.path, self.urls))

    def __repr__(self) -> str:
        return f"Links({list(self)!r})"


@dataclass(frozen=True, slots=True)
class TextBlock:
    """Prose of one Markdown block (code spans blanked out), for the voice checks."""

    line: int  # file line of the block's first line
    text: str


class Prose:
    """An entry's text blocks, kept compact: their texts in one string, their lines in an array (as
    a tuple of TextBlock objects they took half of a loaded entry's memory). ``blocks()`` makes the
    objects when a check reads them."""

    __slots__ = ("text", "lines")
    SEP = "\x00"  # markdown-it replaces NUL characters, so no block holds one (else: kept as a tuple)

    def __init__(self, blocks=(), text: str | None = None, lines=None):
        if lines is not None:  # unpickling
            self.text, self.lines = text, lines
            return
        blocks = tuple(blocks)
        if any(self.SEP in b.text for b in blocks):
            self.text, self.lines = None, blocks
        else:
            self.text, self.lines = self.SEP.join(b.text for b in blocks), array("i", (b.line for b in blocks))

    @classmethod
    def of(cls, lines: list[int], texts: list[str]) -> Prose:
        """The same as Prose(map(TextBlock, lines, texts)), without making the objects."""
        if any(cls.SEP in t for t in texts):
            return cls(map(TextBlock, lines, texts))
        return cls((), cls.SEP.join(texts), array("i", lines))

    def blocks(self) -> tuple[TextBlock, ...]:
        if self.text is None:
            return self.lines
        return tuple(map(TextBlock, self.lines, self.text.split(self.SEP))) if self.lines else ()

    def joined(self, sep: str) -> str:
        """``sep.join`` of the blocks' texts."""
        return self.text.replace(self.SEP, sep) if self.text is not None else sep.join(b.text for b in self.lines)

    def __reduce__(self):
        return (Prose, ((), self.text, self.lines))

    def __eq__(self, other) -> bool:
        return isinstance(other, Prose) and self.blocks() == other.blocks()

    def __hash__(self) -> int:
        return hash(self.blocks())


class Heavy:
    """The bulky part of an entry, the body's HTML, its plain text and the file's lines (two
    thirds of its size): in memory, or — when the entry came from the build cache — read back
    from its bundle in the cache whenever it is asked for, so a build does not hold every body at
    once (load/cache.py). The last one read is kept: checks ask for one entry's parts in a row.

    In a bundle the body's HTML is a pickle of its own, followed by the pickle of the plain text
    and the lines (``pickled``): a page, which needs the HTML only, reads the first (``html``),
    about a fifth of the unpickling of all three. The lines are kept joined, as one string (a
    tuple of a string per line took twice as long to pickle: each string on its own)."""

    __slots__ = ("data", "where")
    slim = False  # set while an entry is pickled for the cache: its heavy part is stored apart
    reparse: dict = {}  # site root -> function(rel, kind) -> heavy data, when its bundle is gone
    _last: tuple = (None, None)  # (where, data) of the last one read
    _last_html: tuple = (None, None)  # (where, body_html) of the last one read by html()

    @staticmethod
    def pickled(data: tuple | None) -> bytes:
        """The bytes a bundle keeps of ``data`` (body_html, plain_text, lines)."""
        if data is None:
            return pickle.dumps(None, protocol=pickle.HIGHEST_PROTOCOL)
        return pickle.dumps(data[0], protocol=pickle.HIGHEST_PROTOCOL) + pickle.dumps(
            (data[1], "\n".join(data[2])), protocol=pickle.HIGHEST_PROTOCOL)

    def __init__(self, data: tuple | None = None, where: tuple | None = None):
        self.data = data  # (body_html, plain_text, lines)
        self.where = where  # (bundle file, offset, site root, entry path, kind)

    def get(self) -> tuple:
        if self.data is not None:
            return self.data
        last_where, last = Heavy._last
        if last_where == self.where:
            return last
        path, offset, root, rel, kind = self.where
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                html = pickle.load(fh)
                plain, text = pickle.load(fh)
            data = (html, plain, tuple(text.split("\n")))
        except Exception:  # noqa: BLE001 - pruned or damaged by another build meanwhile: parse again
            data = Heavy.reparse[root](rel, kind)
        Heavy._last = (self.where, data)
        return data

    def html(self) -> str:
        """The body's HTML: read alone from the bundle (the first pickle there)."""
        if self.data is not None:
            return self.data[0]
        for last_where, last in (Heavy._last_html, Heavy._last):
            if last_where == self.where:
                return last if type(last) is str else last[0]
        path, offset = self.where[:2]
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                html = pickle.load(fh)
        except Exception:  # noqa: BLE001 - as in get(), which parses again
            html = None
        if type(html) is not str:
            return self.get()[0]
        Heavy._last_html = (self.where, html)
        return html

    def __reduce__(self):
        return (Heavy, (None if Heavy.slim else self.get(),))

    def __eq__(self, other) -> bool:
        return isinstance(other, Heavy) and (self is other or self.get() == other.get())

    def __hash__(self) -> int:
        return hash(self.get()[0])


class Detail:
    """The parts of an entry that only some checks read, and then of few entries — its prose (the
    voice checks, whose results are kept per entry between builds: checks.Memo) and front-matter
    positions (a diagnostic's place) — kept as their pickle until first asked for. A warm build
    unpickles every entry, but its checks (in a forked process: build.py) then unpickle these parts
    of the changed entries only. In the order of ``FIELDS``."""

    __slots__ = ("value", "blob")
    FIELDS = ("prose", "locs")

    def __init__(self, value: tuple | None = None, blob: bytes | None = None):
        self.value, self.blob = value, blob

    def get(self) -> tuple:
        value = self.value
        if value is None:  # (the value is set before the blob is let go: safe with the preview's threads)
            blob = self.blob
            value = pickle.loads(blob) if blob is not None else self.value
            self.value = value
            self.blob = None
        return value

    def __reduce__(self):
        blob = self.blob if self.blob is not None else pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)
        return (Detail, (None, blob))

    def __eq__(self, other) -> bool:
        return isinstance(other, Detail) and (self is other or self.get() == other.get())

    __hash__ = None  # (it holds a dict, as the entry always did)


@dataclass(frozen=True, slots=True)  # slots: 16,000 of them are held (docs/developing.md, Memory)
class Entry:
    """An article or a page."""

    kind: str  # "article" | "page"
    path: str  # relative to the site root
    id: str  # page id (path under content/pages without .md) or the article's file stem
    slug: str
    title: str
    date: dt.datetime | None  # aware; pages have none
    updated: dt.datetime | None
    persona: str | None  # as written (None: site default)
    campaign: str | None
    phase: str | None  # as written
    segments: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    cover: str | None
    draft: bool
    expires: dt.date | None
    channels: tuple[str, ...]
    cta: Cta | None  # the body's closing block, else front matter (campaign inheritance: schedule)
    heavy: Heavy  # body_html, plain_text, lines (the properties below)
    digest: str  # of the body's HTML (render/reuse.py)
    sketch: bytes | None  # the plain text's MinHash sketch (checks/originality.py); None: too short
    reading_minutes: int
    links: Links  # tuple(entry.links): Link objects
    body_line: int  # file line where the body starts
    last_line: int  # the body's last non-blank line
    middle_ctas: tuple[Location, ...]
    anchors: frozenset[str]  # the body's heading and footnote ids
    detail: Detail  # prose, front-matter positions (the properties below)
    ignore: frozenset[str]
    loc: Location  # line 1 col 1
    extra: object = None

    def __reduce__(self):  # unpickled through __init__: faster than dataclasses' __setstate__ for slots
        return (Entry, tuple(getattr(self, f) for f in _ENTRY_FIELDS))

    @property
    def prose(self) -> Prose:  # the text blocks (text_blocks below)
        return self.detail.get()[0]

    @property
    def locs(self) -> Mapping[str, Location]:  # front-matter key -> its value's place
        return self.detail.get()[1]

    @property
    def text_blocks(self) -> tuple[TextBlock, ...]:  # prose of each Markdown block, for the voice checks
        return self.prose.blocks()

    @property
    def body_html(self) -> str:
        return self.heavy.html()

    @property
    def plain_text(self) -> str:  # for originality and summaries
        return self.heavy.get()[1]

    @property
    def lines(self) -> tuple[str, ...]:  # the file's lines (LF), for column lookups
        return self.heavy.get()[2]

    @property
    def sort_key(self):
        return (-(self.date.timestamp() if self.date else 0), self.path)


_ENTRY_FIELDS = tuple(Entry.__dataclass_fields__)


@dataclass(frozen=True)
class Site:
    root: str
    config: SiteConfig
    personas: Mapping[str, Persona]
    campaigns: Mapping[str, Campaign]
    articles: tuple[Entry, ...]  # sorted newest first, ties by path
    pages: tuple[Entry, ...]  # sorted by path
    static_files: tuple[str, ...]  # paths relative to static/, sorted
    theme_dirs: tuple[str, ...] = field(default=())  # site theme dir first, then built-in
    unloaded: frozenset[str] = frozenset()  # "persona:<id>" / "campaign:<id>" whose file failed to load
    cache_dir: str | None = None  # <root>/.site-gen-cache when the build cache is on
    source_keys: Mapping[str, str] = field(default_factory=dict)  # entry path -> its source's cache key


@dataclass(frozen=True)
class Schedule:
    """What "now" decides: what is published, each campaign's status, each article's action."""

    now: dt.datetime
    published: tuple[Entry, ...]  # articles, newest first
    pages: tuple[Entry, ...]
    campaign_status: Mapping[str, str]  # id -> upcoming | preheat | live | ended
    phase: Mapping[str, str | None]  # article path -> effective phase
    cta: Mapping[str, Cta | None]  # entry path -> effective action
    preview: frozenset[str]  # paths of drafts / future entries shown (serve, --drafts)
    drafts: bool = False  # a preview build (serve, --drafts): drafts and future entries are shown
