"""The shortcuts the link, menu and voice checks take for speed give exactly what the long way gives:
site_path's anchor-only fast path (urljoin), SiteGraph.target's memo (site_path + _norm),
AvoidMatcher.occurs_in (pattern.search) and voice's _may_run_long (never skips a long sentence)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from site_gen.checks import links, menus, voice
from site_gen.model import Prose, TextBlock
from site_gen.model import Persona

SETTINGS = settings(max_examples=400, deadline=None, derandomize=True)


def slow_site_path(url: str, base: str) -> str | None:
    """site_path without its shortcuts, as it was written first."""
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return None
    if url.startswith("/"):
        return url
    joined = urlsplit(urljoin(links._ORIGIN + base, url))
    return joined.path + (f"?{joined.query}" if joined.query else "") + (f"#{joined.fragment}" if joined.fragment else "")


def outcome(f, *args):
    try:
        return f(*args)
    except ValueError as e:  # urlsplit's own complaints must stay the same too
        return type(e)


URL_BITS = st.sampled_from(["#", "/", "//", "?", ";", "%", "%E4", "%E9%80%89", ":", ".", "..", "a", "选购指南", " ", "\t",
                            "\n", "\r", "\x00", "\u00a0", "\u3000", "[", "]", "@", "http:", "main", "x=1"])
URL = st.lists(URL_BITS, max_size=8).map("".join)
BASE = st.one_of(st.sampled_from(["/", "/articles/x/", "/stores/", "/a;p/", "/a?q=1", "/a/b", "//x/", "/a#f", "/中/", "",
                                  "/a/;x", "x", "/a\t/", "/?q", "/#", "/a b/"]),
                 URL.map(lambda u: "/" + u), URL)


@SETTINGS
@given(st.one_of(URL.map(lambda u: "#" + u), URL), BASE)
def test_site_path_matches_urljoin(url, base):
    assert outcome(links.site_path, url, base) == outcome(slow_site_path, url, base)


def test_site_path_anchor_examples():
    assert links.site_path("#%E9%80%89", "/articles/x/") == "/articles/x/#%E9%80%89"
    assert links.site_path("#", "/articles/x/") == "/articles/x/"
    assert links.site_path("#a\tb", "/x/") == slow_site_path("#a\tb", "/x/") == "/x/#ab"


@SETTINGS
@given(st.lists(st.one_of(URL, URL.map(lambda u: "/" + u), URL.map(lambda u: "#" + u)), max_size=6), BASE)
def test_graph_targets_match_site_path_then_norm(urls, base):
    routes = {"/": "home", "/articles/x/": "a", "/stores/": "p", "/中/": "p", "/a b/": "p", "/a/": "p"}
    ctx = SimpleNamespace(routes=routes)
    graph = object.__new__(menus.SiteGraph)  # only what target() uses
    graph.ctx, graph.targets = ctx, {}
    for url in urls + urls:  # the second time from the memo
        p = outcome(slow_site_path, url, base)
        expected = p if p is None or p is ValueError else menus._norm(p, ctx)
        assert outcome(graph.target, url, base) == expected


def persona(avoid: tuple[tuple[str, str | None], ...], limit: int | None = None) -> Persona:
    fields = {name: None for name in Persona.__dataclass_fields__}
    return Persona(**{**fields, "id": "p", "name": "P", "avoid": avoid, "max_sentence_chars": limit})


PHRASES = st.sampled_from(["您", "尊敬的用户", "hello world", "best-ever", "kiss", "a.b", "T恤", "。", "ok", " ", "İ"])
TEXT_BITS = st.sampled_from(["您", "尊敬", "的用户", "hello", "HELLO", " ", "  ", "\n", "\t", "world", "World", "best-ever",
                             "best", "-ever", "kiſs", "KİSS", "Kiss", "kiss", "a.b", "aXb", "t恤", "T恤", "。", "ok", "OK",
                             "x", "_", "9", "\n。\n"])
TEXT = st.lists(TEXT_BITS, max_size=12).map("".join)


@SETTINGS
@given(st.lists(PHRASES, max_size=5, unique=True), TEXT)
def test_occurs_in_is_pattern_search(phrases, text):
    matcher = voice.AvoidMatcher(persona(tuple((p, None) for p in phrases)))
    if matcher.pattern is None:
        return
    assert matcher.occurs_in(text) == (matcher.pattern.search(text) is not None)


SENTENCE_BITS = st.sampled_from(["面包", "可颂很好吃", "x", "abc def", " ", "\n", "。", "！", "？", "!", "?", "…", "……",
                                 "。。。。。", "。”", "！」", "』", "’", "\"", "'", ")", "）", ".", ". ", ".\n", "[a](/b/)",
                                 "**", "`", "~", "\n。\n"])
# a stretch of one character repeated, then an end: sentences of every length around the limit
SENTENCE = st.tuples(st.integers(min_value=0, max_value=45), st.sampled_from(["面", "a", " ", "’", ".", ". ", "！"]),
                     st.lists(st.sampled_from("。！？!?…”」』’\"')）"), max_size=7).map("".join)).map(
    lambda t: t[1] * t[0] + t[2])
BLOCK = st.lists(st.one_of(SENTENCE_BITS, SENTENCE), max_size=12).map("".join)


@SETTINGS
@given(st.lists(BLOCK, min_size=1, max_size=4), st.integers(min_value=1, max_value=40))
def test_may_run_long_never_skips_a_long_sentence(blocks, limit):
    """When it says no, no sentence is longer than the limit: in a block, or in any block of a _prose."""
    for text in blocks:
        if not voice._may_run_long(text, limit):
            assert all(len(s) <= limit for _offset, s in voice.sentences(text)), text
    entry = SimpleNamespace(prose=Prose(TextBlock(i + 1, t) for i, t in enumerate(blocks)))
    if not voice._may_run_long(voice._prose(entry), limit):
        assert all(len(s) <= limit for t in blocks for _offset, s in voice.sentences(t)), blocks


def test_may_run_long_at_the_edges():
    """Every stretch length and end length around each limit, before and after other sentences."""
    ends = [""] + [first + rest * j for first in ("。", "！", "…", ".") for rest in ("”", "。", "？") for j in range(7)]
    for limit in range(1, 14):
        for k in range(limit + 3):
            for run in ("面", " ", "’"):
                for end in ends:
                    for before in ("", "。", "x。", "！", ". "):
                        for after in ("", "面", "。"):
                            text = before + run * k + end + after
                            if not voice._may_run_long(text, limit):
                                assert all(len(s) <= limit for _offset, s in voice.sentences(text)), (text, limit)
