"""MENU003–MENU006: menus that fit on a phone, open something real, offer service, and lead
to every published article. (MENU001/002/007, WeChat's hard limits, are in wechat_limits.py.)

The main menus and each segment's own menus (``segments.<id>.menus``) are checked alike.
MENU006 follows the links of the pages the default theme generates, modelled from the site
(no HTML is rendered): every page links home and to the menu targets; home lists the latest 20
articles and the live/pre-heat campaigns; lists (campaigns, personas, tags, segments) link their
articles; an article links its campaign, persona, tags, body links and action.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict, deque
from typing import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from ..diagnostics import Diagnostic, Location, diag
from ..model import Entry, MenuEntry
from ..urls import campaign_path, entry_path, persona_path, qr_sheet_path, resolves, segment_path, tag_path
from .links import site_path

HOME_ARTICLES = 20  # render/__init__.py: the home page lists the latest 20 articles
TOP_WIDTH, ITEM_WIDTH = 4, 8


def display_width(name: str) -> float:
    """Width in Chinese characters: wide characters count 1, everything else (Latin letters,
    digits, spaces, narrow punctuation) ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5 for ch in name)


def _menus(cfg) -> Iterator[tuple[str, tuple[MenuEntry, ...], Location]]:
    """(label, menus, where) for the main menus and every segment's own menus."""
    yield "the menus", cfg.menus, cfg.locs.get("menus", Location(cfg.path, 1, 1))
    for sid, seg in sorted(cfg.segments.items()):
        if seg.menus is not None:
            yield f"the menus of segment `{sid}`", seg.menus, seg.loc


def _entries(menus: tuple[MenuEntry, ...]) -> Iterator[tuple[MenuEntry, bool]]:
    for m in menus:
        yield m, True
        for item in m.items:
            yield item, False


# -------------------------------------------------------------------------------- MENU003


def _widths(menus) -> Iterator[Diagnostic]:
    for m, top in _entries(menus):
        limit = TOP_WIDTH if top else ITEM_WIDTH
        width = display_width(m.name)
        if width > limit:
            level = "a top-level menu" if top else "a menu item"
            shown = f"{width:g}"
            yield diag("MENU003", m.name_loc,
                       f"the menu name `{m.name}` is {shown} characters wide; phones show about {limit} in {level}",
                       f"shorten it to {limit} Chinese characters or fewer (a Latin letter or digit counts as half)")


# -------------------------------------------------------------------------------- MENU004


def _suggest(name: str, known, plural: str) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.5)
    if close:
        return f"did you mean `{close[0]}`?"
    if not known:
        return ""
    return f"known {plural}: " + ", ".join(sorted(known)[:8]) + (" …" if len(known) > 8 else "")


def menu_path(m: MenuEntry, ctx) -> str | None:
    """The site path an entry opens when it exists and is published; None otherwise."""
    kind, target = m.target_kind, m.target
    if kind is None or target is None:
        return None
    site = ctx.site
    if kind == "url":
        path = site_path(target, "/")
        return _norm(path, ctx) if path is not None and resolves(path, ctx.routes, ctx.static_files) else None
    if kind == "page":
        page = next((p for p in ctx.schedule.pages if p.id == target), None)
        return entry_path(page) if page else None
    if kind == "article":
        art = next((a for a in ctx.schedule.published if a.slug == target), None)
        return entry_path(art) if art else None
    found = {"campaign": (site.campaigns, campaign_path), "persona": (site.personas, persona_path),
             "segment": (site.config.segments, segment_path)}.get(kind)
    if found and target in found[0]:
        return found[1](target)
    return None


def _target_problem(m: MenuEntry, ctx) -> tuple[str, str] | None:
    kind, target = m.target_kind, m.target
    if kind is None or target is None or menu_path(m, ctx) is not None:
        return None
    site, name = ctx.site, m.name
    if kind == "url":
        parts = urlsplit(target)
        if parts.scheme in ("http", "https") and parts.netloc:
            return None
        if parts.scheme or parts.netloc:
            return (f"the menu entry `{name}` opens `{target}`, which WeChat menus cannot open",
                    "use a site path (/stores/) or an https:// address")
        if not target.startswith("/"):
            return (f"the menu entry `{name}` opens `{target}`, which is neither a site path nor an absolute URL",
                    f"start site paths with /, e.g. url: /{target.lstrip('./')}")
        return (f"the menu entry `{name}` opens {target}, which is not a page or file of this site",
                "point it at a published page, e.g. /campaigns/ or /<page-id>/, or use `page:`/`article:`")
    if kind == "page":
        if any(p.id == target for p in site.pages):
            return (f"the page `{target}` of menu entry `{name}` is not published (draft)",
                    "publish the page (remove `draft: true`) or point the menu elsewhere")
        return (f"the menu entry `{name}` opens the page `{target}`, which does not exist",
                _suggest(target, [p.id for p in site.pages], "pages") or "add content/pages/" + target + ".md")
    if kind == "article":
        if any(a.slug == target for a in site.articles):
            return (f"the article `{target}` of menu entry `{name}` is not published (draft, future or expired)",
                    "point the menu at a published article or page")
        return (f"the menu entry `{name}` opens the article `{target}`, which does not exist",
                _suggest(target, [a.slug for a in site.articles], "articles") or "use the article's slug (its URL's last part)")
    known = {"campaign": site.campaigns, "persona": site.personas, "segment": site.config.segments}[kind]
    adding = {"campaign": "add content/campaigns/<id>.yaml", "persona": "add content/personas/<id>.yaml",
              "segment": "add it under `segments:` in site.yaml"}[kind]
    return (f"the menu entry `{name}` opens the {kind} `{target}`, which does not exist",
            _suggest(target, known, kind + "s") or adding)


def _targets(menus, ctx) -> Iterator[Diagnostic]:
    for m, _top in _entries(menus):
        problem = _target_problem(m, ctx)
        if problem:
            yield diag("MENU004", m.target_loc, *problem)


# -------------------------------------------------------------------------------- MENU005


def _service(label: str, menus, where: Location) -> Iterator[Diagnostic]:
    if not any(m.service for m, _top in _entries(menus)):
        yield diag("MENU005", where, f"{label} offer no service entry",
                   "mark the entry that helps readers (store finder, orders, contact) with `service: true`")


# -------------------------------------------------------------------------------- MENU006


def _norm(path: str, ctx) -> str:
    """A linked site path as a key of ctx.routes (no query/fragment, directory form)."""
    if path in ctx.routes:
        return path
    path = unquote(path.partition("#")[0].partition("?")[0])
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    if path not in ctx.routes and path + "/" in ctx.routes:
        path += "/"
    return path


class SiteGraph:
    """The links between the generated pages, built from the model (the default theme)."""

    def __init__(self, ctx):
        self.ctx = ctx
        sch, site = ctx.schedule, ctx.site
        self.articles = [a for a in sch.published if a.path not in sch.preview]
        self.urls = [entry_path(a) for a in self.articles]  # each article's page, in the same order
        self.by_path = dict(zip(self.urls + [entry_path(p) for p in sch.pages], self.articles + list(sch.pages)))
        self.lists: dict[str, list[str]] = defaultdict(list)  # list page -> article paths
        self.tag_paths: dict[str, str] = {}  # tag -> its page (slugs come from pinyin: worth caching)
        self.cards: dict[str, list[str]] = {}  # entry path -> _card (an article is listed on many pages)
        self.targets: dict[str, str] = {}  # site path "/…" written in a body -> _norm of it
        default = ctx.config.default_persona
        segment_campaigns = defaultdict(set)
        for cid, c in site.campaigns.items():
            for s in c.segments:
                segment_campaigns[s].add(cid)
        for a, url in zip(self.articles, self.urls):
            pid = a.persona or default
            if pid in site.personas:
                self.lists[persona_path(pid)].append(url)
            if a.campaign in site.campaigns:
                self.lists[campaign_path(a.campaign)].append(url)
            for tag in a.tags:
                self.lists[self.tag_path(tag)].append(url)
            for sid in ctx.config.segments:
                if sid in a.segments or (a.campaign and a.campaign in segment_campaigns[sid]):
                    self.lists[segment_path(sid)].append(url)
        status = sch.campaign_status
        home = self.urls[:HOME_ARTICLES]
        live = [campaign_path(cid) for cid in sorted(site.campaigns) if status.get(cid) in ("live", "preheat")]
        if default in site.personas:
            home.append(persona_path(default))
        if live:
            home += live + ["/campaigns/"]
        self.lists["/"] = home
        self.lists["/campaigns/"] = [campaign_path(cid) for cid in sorted(site.campaigns)]
        for cid, c in site.campaigns.items():
            if c.channels:
                self.lists[campaign_path(cid)].append(qr_sheet_path(cid))

    def tag_path(self, tag: str) -> str:
        if tag not in self.tag_paths:
            self.tag_paths[tag] = tag_path(tag)
        return self.tag_paths[tag]

    def _card(self, a: Entry) -> list[str]:
        """What an article's card (and its own header) links: campaign and persona."""
        out = []
        if a.campaign in self.ctx.site.campaigns:
            out.append(campaign_path(a.campaign))
        pid = a.persona or self.ctx.config.default_persona
        if pid in self.ctx.site.personas:
            out.append(persona_path(pid))
        return out

    def card(self, path: str) -> list[str]:
        """_card of the entry at ``path`` ([] when there is none), each worked out once."""
        out = self.cards.get(path)
        if out is None:
            e = self.by_path.get(path)
            out = self.cards[path] = self._card(e) if e is not None else []
        return out

    def target(self, url: str, base: str) -> str | None:
        """_norm of a link's site path (None for an external link) on the page ``base``."""
        if url.startswith("/") and not url.startswith("//"):
            # a site path, the same from every page (site_path gives it back as it is)
            if url not in self.targets:
                self.targets[url] = _norm(url, self.ctx)
            return self.targets[url]
        p = site_path(url, base)
        return _norm(p, self.ctx) if p is not None else None

    def links(self, path: str) -> list[str]:
        out = ["/"]  # the site title on every page
        cards = self.cards  # the memos are read here first; card() and target() fill them
        for target in self.lists.get(path, ()):
            out.append(target)
            out += cards.get(target) or self.card(target)
        e = self.by_path.get(path)
        if e is not None:
            if e.kind == "article":
                out += self.card(path) + [self.tag_path(t) for t in e.tags]
            targets = self.targets
            for url, image in zip(e.links.urls, e.links.images()):
                if not image:
                    p = targets.get(url) or self.target(url, path)
                    if p is not None:
                        out.append(p)
            cta = self.ctx.schedule.cta.get(e.path)
            if cta is not None and cta.url:
                p = self.target(cta.url, path)
                if p is not None:
                    out.append(p)
        return out

    def reachable(self, roots: Iterable[str], wanted: set[str] | None = None) -> set[str]:
        """The pages a path of links from ``roots`` leads to — or, given ``wanted``, as many as it
        takes to see that every page in it is one (the walk stops there: usually the listing pages
        reach every article long before the articles' own links are followed)."""
        seen: set[str] = set()
        todo = deque(r for r in roots if r in self.ctx.routes)
        seen.update(todo)
        missing = len(wanted - seen) if wanted is not None else -1
        while todo and missing:
            for nxt in self.links(todo.popleft()):
                if nxt not in seen and nxt in self.ctx.routes:
                    seen.add(nxt)
                    todo.append(nxt)
                    if wanted is not None and nxt in wanted:
                        missing -= 1
        return seen


def _unreachable(ctx) -> Iterator[Diagnostic]:
    all_menus = [menus for _label, menus, _where in _menus(ctx.config) if menus]
    if not all_menus:
        return  # a site without menus has no WeChat entry to reach articles from
    roots = [p for menus in all_menus for m, _top in _entries(menus) if (p := menu_path(m, ctx))]
    graph = SiteGraph(ctx)
    seen = graph.reachable(roots, wanted=set(graph.urls))
    for a, url in zip(graph.articles, graph.urls):
        if url not in seen:
            yield diag("MENU006", Location(a.path, 1, 1),
                       f"no path of links from the menus leads to this article ({url})",
                       "give it a tag or a campaign, link it from a page the menus open, or add it to a menu")


def check(ctx) -> Iterable[Diagnostic]:
    for label, menus, where in _menus(ctx.config):
        yield from _widths(menus)
        yield from _targets(menus, ctx)
        yield from _service(label, menus, where)
    yield from _unreachable(ctx)
