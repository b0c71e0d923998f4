"""Where everything lives in the output (SPEC §3.4, §5). Site paths start and end with "/"."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit, parse_qsl

from .model import Entry, MenuEntry, Schedule, Site
from .slugs import slugify


def entry_path(e: Entry) -> str:
    return f"/articles/{e.slug}/" if e.kind == "article" else f"/{e.slug}/"


def campaign_path(cid: str) -> str:
    return f"/campaigns/{cid}/"


def persona_path(pid: str) -> str:
    return f"/personas/{pid}/"


def segment_path(sid: str) -> str:
    return f"/segments/{sid}/"


def tag_slug(tag: str) -> str:
    return slugify(tag) or "tag"


def tag_path(tag: str) -> str:
    return f"/tags/{tag_slug(tag)}/"


def qr_sheet_path(cid: str) -> str:
    return f"/campaigns/{cid}/qr/"


def collision_key(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def html_routes(site: Site, schedule: Schedule) -> dict[str, str]:
    """Every HTML page the build writes: site path -> what produces it (a source file or a name)."""
    routes = {"/": "home", "/campaigns/": "campaign list"}
    for e in schedule.published + schedule.pages:
        routes[entry_path(e)] = e.path
    for cid, c in site.campaigns.items():
        routes[campaign_path(cid)] = c.path
        if c.channels:
            routes[qr_sheet_path(cid)] = c.path
    for pid, p in site.personas.items():
        routes[persona_path(pid)] = p.path
    for sid in site.config.segments:
        routes[segment_path(sid)] = "site.yaml"
    for e in schedule.published:
        for tag in e.tags:
            routes[tag_path(tag)] = e.path
    return routes


FIXED_FILES = ("/404.html", "/feed.xml", "/feed.json", "/sitemap.xml", "/robots.txt", "/manifest.json",
               "/_headers", "/wechat/menu.json")


def resolves(url: str, routes: dict[str, str], static_files: frozenset[str]) -> bool:
    """Does an internal site path (no base prefix) name an output page or file?"""
    path = unquote(urlsplit(url).path)
    if not path.startswith("/"):
        return False
    if path in routes or (path + "/") in routes or path in FIXED_FILES:
        return True
    if path.endswith("/index.html") and path[: -len("index.html")] in routes:
        return True
    return path.lstrip("/") in static_files


def is_internal(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and url.startswith("/")


def with_query(url: str, **params: str) -> str:
    """Add query parameters; the URL's own query is kept verbatim and wins over a parameter of the same name."""
    parts = urlsplit(url)
    have = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    extra = urlencode([(k, v) for k, v in params.items() if k not in have])
    query = "&".join(q for q in (parts.query, extra) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def menu_target(site: Site, m: MenuEntry) -> str | None:
    """The site path (or absolute URL) a menu entry opens; None when it has no (known) target."""
    kind, target = m.target_kind, m.target
    if kind is None or target is None:
        return None
    if kind == "url":
        return target
    if kind == "page":
        page = next((p for p in site.pages if p.id == target), None)
        return entry_path(page) if page else None
    if kind == "article":
        art = next((a for a in site.articles if a.slug == target), None)
        return entry_path(art) if art else None
    if kind == "campaign":
        return campaign_path(target) if target in site.campaigns else None
    if kind == "persona":
        return persona_path(target) if target in site.personas else None
    if kind == "segment":
        return segment_path(target) if target in site.config.segments else None
    return None


def menu_link(site: Site, m: MenuEntry) -> str | None:
    """The absolute URL a WeChat menu button opens (SPEC §7.1): base_url + path, plus utm_source=wechat-menu."""
    target = menu_target(site, m)
    if target is None:
        return None
    absolute = site.config.base_url.rstrip("/") + target if is_internal(target) else target
    return with_query(absolute, utm_source="wechat-menu")
