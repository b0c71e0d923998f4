"""LINK001–LINK002: internal links, images and #anchors in article and page bodies.

Links are resolved against the real output: the HTML routes of the published site and the files
in static/. Site paths start with ``/``; relative links are resolved against the entry's own URL.
An ``#anchor`` is checked when its page is an article or page (heading ids, footnotes) or the
same page; other generated pages (lists, campaigns) have no author-made anchors to check.
"""

from __future__ import annotations

from typing import Iterable
from urllib.parse import unquote, urljoin, urlsplit

from ..diagnostics import Diagnostic, Location, diag
from ..model import Entry, Link
from ..urls import entry_path, resolves

# ids every page of the default theme carries (the skip link's target)
THEME_IDS = frozenset({"main"})
_ORIGIN = "http://site.invalid"


def site_path(url: str, base: str) -> str | None:
    """The site path (with query/fragment) of an internal link, or None for external ones."""
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return None
    if url.startswith("/"):
        return url
    joined = urlsplit(urljoin(_ORIGIN + base, url))
    return joined.path + (f"?{joined.query}" if joined.query else "") + (f"#{joined.fragment}" if joined.fragment else "")


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


def _check_link(e: Entry, link: Link, here: str, ctx, entries: dict[str, Entry]) -> Diagnostic | None:
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
        if path not in ctx.routes and not resolves(path, ctx.routes, ctx.static_files):
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
    anchor = unquote(fragment)
    if anchor in target.anchors or fragment in target.anchors or anchor in THEME_IDS:
        return None
    page = "this page" if target is e else f"{entry_path(target)} ({target.path})"
    known = sorted(target.anchors - {a for a in target.anchors if a.startswith("fn")})
    hint = ("headings get ids from their text: " + ", ".join(f"#{a}" for a in known[:6])
            + (" …" if len(known) > 6 else "")) if known else "the page has no headings to link to; link to the page itself"
    return diag("LINK002", _where(e, link), f"#{anchor} is not an anchor on {page}", hint)


def check(ctx) -> Iterable[Diagnostic]:
    published = list(ctx.schedule.published) + list(ctx.schedule.pages)
    entries = {entry_path(e): e for e in published}
    for e in published:
        here = entry_path(e)
        for link in e.links:
            d = _check_link(e, link, here, ctx, entries)
            if d is not None:
                yield d
