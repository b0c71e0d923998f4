"""LINK001–LINK002: internal links, images and #anchors in article and page bodies.

Links are resolved against the real output: the HTML routes of the published site and the files
in static/. Site paths start with ``/``; relative links are resolved against the entry's own URL.
An ``#anchor`` is checked when its page is an article or page (heading ids, footnotes) or the
same page; other generated pages (lists, campaigns) have no author-made anchors to check.
"""

from __future__ import annotations

import functools
from typing import Iterable
from urllib.parse import unquote, urljoin, urlsplit

from ..diagnostics import Diagnostic, Location, diag
from ..model import Entry, Link
from ..urls import entry_path, resolves

# ids every page of the default theme carries (the skip link's target)
THEME_IDS = frozenset({"main"})
_ORIGIN = "http://site.invalid"
# the same few anchors ("#%E5%B8%B8%E8%A7%81…") are linked from many pages
_unquote = functools.lru_cache(maxsize=4096)(unquote)


def site_path(url: str, base: str) -> str | None:
    """The site path (with query/fragment) of an internal link, or None for external ones."""
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith("#") and url.isprintable():
        # an anchor on the same page (most articles have some): urljoin's answer at a fraction of its
        # cost (tabs and line breaks, which urlsplit drops, are not printable: they take the long way)
        return _page_of(base) + url if len(url) > 1 else _page_of(base)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return None
    if url.startswith("/"):
        return url
    joined = urlsplit(urljoin(_ORIGIN + base, url))
    return joined.path + (f"?{joined.query}" if joined.query else "") + (f"#{joined.fragment}" if joined.fragment else "")


def _page_of(base: str) -> str:
    """site_path("#", base): the page an anchor-only link stays on. urljoin keeps the base's path
    and query and takes the link's fragment, so site_path("#x", base) is this + "#x" when "x"
    holds no tab or line break."""
    if base.startswith("/") and base.isprintable() and not any(c in base for c in "?#;"):
        return base  # a plain site path (every entry's): nothing for urlsplit to cut off or drop
    joined = urlsplit(urljoin(_ORIGIN + base, "#"))
    return joined.path + (f"?{joined.query}" if joined.query else "")


def _page_key(path: str) -> str:
    path = unquote(path)
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path if path.endswith("/") else path + "/"


def _where(e: Entry, link: Link) -> Location:
    """The link's position; the loader searches the normalised (percent-encoded) URL in the line,
    so a link written with Chinese characters is looked up again as written."""
    loc = link.loc
    if loc.column == 1 and "%" in link.url and 0 < loc.line <= len(e.lines):
        at = e.lines[loc.line - 1].find(unquote(link.url))
        if at >= 0:
            return Location(loc.path, loc.line, at + 1)
    return loc


def _check_link(e: Entry, link: Link, here: str, ctx, entries: dict[str, Entry],
                exists: dict[str, bool]) -> Diagnostic | None:
    """``exists`` remembers, for this run, whether a site path names a page or file."""
    url = link.url.strip()
    if not url:
        return diag("LINK001", link.loc, "a link has no target",
                    "write where it goes: [text](/articles/<slug>/), or remove the brackets")
    if url.startswith("#"):
        target, path, fragment = e, here, url[1:]
    else:
        resolved = site_path(url, here)
        if resolved is None:
            return None  # https:, mailto:, tel:, weixin: … are not this site's
        path, _, fragment = resolved.partition("#")
        path = path.partition("?")[0] or here
        found = exists.get(path)
        if found is None:
            found = exists[path] = path in ctx.routes or resolves(path, ctx.routes, ctx.static_files)
        if not found:
            what = "image" if link.image else "link"
            shown = unquote(url) if url == path or url.startswith("/") else f"{unquote(url)} ({unquote(path)})"
            if link.image or "." in path.rsplit("/", 1)[-1]:
                hint = ("put the file in static/ (static/images/x.jpg is served as /images/x.jpg), "
                        "or fix the path")
            else:
                hint = "link to a published page such as /articles/<slug>/, /<page-id>/ or /campaigns/<id>/"
            return diag("LINK001", _where(e, link), f"the {what} {shown} points at no page or file of this site", hint)
        if not fragment:
            return None
        target = entries.get(_page_key(path))
    if not fragment or target is None:
        return None
    anchor = _unquote(fragment)
    if anchor in target.anchors or fragment in target.anchors or anchor in THEME_IDS:
        return None
    page = "this page" if target is e else f"{entry_path(target)} ({target.path})"
    known = sorted(target.anchors - {a for a in target.anchors if a.startswith("fn")})
    hint = ("headings get ids from their text: " + ", ".join(f"#{a}" for a in known[:6])
            + (" …" if len(known) > 6 else "")) if known else "the page has no headings to link to; link to the page itself"
    return diag("LINK002", _where(e, link), f"#{anchor} is not an anchor on {page}", hint)


def check(ctx) -> Iterable[Diagnostic]:
    published = list(ctx.schedule.published) + list(ctx.schedule.pages)
    heres = [entry_path(e) for e in published]
    entries = dict(zip(heres, published))
    routes, exists = ctx.routes, {}
    for e, here in zip(published, heres):
        for i, url in enumerate(e.links.urls):
            url = url.strip()
            if url in routes and url.startswith("/") and "#" not in url and "?" not in url:
                continue  # most links: straight to a page, which _check_link would pass at once
            d = _check_link(e, e.links[i], here, ctx, entries, exists)
            if d is not None:
                yield d
