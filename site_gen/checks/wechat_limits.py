"""MENU001, MENU002, MENU007: the limits WeChat puts on a custom menu (SPEC §7.1).

WeChat's ``menu/create`` and ``menu/addconditional`` accept 1–3 buttons, 1–5 sub-buttons under a
button, names of at most 16 bytes (buttons) / 60 bytes (sub-buttons) in UTF-8, URLs of at most
1,024 bytes, and a conditional menu may link to at most 3 domains. A URL that is too long is
reported as MENU002, like a name that is too long: both are "a value longer than WeChat accepts"
(docs/wechat-guide.md). An entry with ``items: []`` is already META002 ("has no target").

The export (render/outputs.py) asks :func:`exportable` too, so a menu over the limits is never
written, even when these rules are turned off in ``checks.severity``.
"""

from __future__ import annotations

from typing import Iterable, Iterator
from urllib.parse import urlsplit

from ..diagnostics import Diagnostic, diag
from ..model import MenuEntry, Site
from ..urls import menu_link

MAX_BUTTONS = 3
MAX_ITEMS = 5
MAX_NAME_BYTES = {True: 16, False: 60}  # top-level, item
MAX_URL_BYTES = 1024
MAX_DOMAINS = 3


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _name_problem(m: MenuEntry, top: bool) -> Iterator[Diagnostic]:
    limit, size = MAX_NAME_BYTES[top], _size(m.name)
    if size > limit:
        where = "a top-level entry" if top else "a menu item"
        yield diag("MENU002", m.name_loc,
                   f"the menu name `{m.name}` is {size} bytes; WeChat accepts at most {limit} bytes for {where}",
                   f"shorten it: {limit} bytes is {limit // 3} Chinese characters or {limit} letters")


def _url_problem(site: Site, m: MenuEntry) -> Iterator[Diagnostic]:
    link = menu_link(site, m)
    if link is not None and _size(link) > MAX_URL_BYTES:
        yield diag("MENU002", m.target_loc,
                   f"the menu entry `{m.name}` opens a URL of {_size(link)} bytes (with utm_source=wechat-menu); "
                   f"WeChat accepts at most {MAX_URL_BYTES} bytes",
                   "link a shorter address, for example a page of the site that links on to it")


def limit_problems(site: Site, menus: tuple[MenuEntry, ...], owner: str = "the menu") -> Iterator[Diagnostic]:
    """MENU001/MENU002 for one menu (the site's, or a segment's own)."""
    if len(menus) > MAX_BUTTONS:
        extra = menus[MAX_BUTTONS]
        yield diag("MENU001", extra.loc,
                   f"{owner} has {len(menus)} top-level entries; WeChat accepts at most {MAX_BUTTONS}",
                   f"remove `{extra.name}` or move it into another entry's `items`")
    for m in menus:
        yield from _name_problem(m, top=True)
        if not m.items:
            yield from _url_problem(site, m)
            continue
        if len(m.items) > MAX_ITEMS:
            extra = m.items[MAX_ITEMS]
            yield diag("MENU001", extra.loc,
                       f"the menu entry `{m.name}` has {len(m.items)} items; WeChat accepts at most {MAX_ITEMS} "
                       "under one entry",
                       f"remove `{extra.name}` or move it under another top-level entry")
        for item in m.items:
            yield from _name_problem(item, top=False)
            yield from _url_problem(site, item)


def domains(site: Site, menus: tuple[MenuEntry, ...]) -> list[tuple[str, MenuEntry]]:
    """The host names a menu links to, in menu order, each with the first entry that links there."""
    seen: dict[str, MenuEntry] = {}
    for m in menus:
        for entry in (m.items or (m,)):
            link = menu_link(site, entry)
            host = (urlsplit(link).hostname or "") if link else ""
            if host and host not in seen:
                seen[host] = entry
    return list(seen.items())


def conditional_menus(site: Site) -> dict[str, tuple[MenuEntry, ...] | None]:
    """segment id -> the menu its conditional menu exports (None: there is nothing to export)."""
    cfg = site.config
    out = {}
    for sid, seg in sorted(cfg.segments.items()):
        if seg.wechat_tag_id is not None:
            menus = seg.menus if seg.menus is not None else cfg.menus
            out[sid] = menus or None
    return out


def exportable(site: Site, menus: tuple[MenuEntry, ...] | None, conditional: bool = False) -> bool:
    """May this menu be written as a WeChat menu body? (Non-empty and within every limit.)"""
    if not menus or next(limit_problems(site, menus), None) is not None:
        return False
    return not conditional or len(domains(site, menus)) <= MAX_DOMAINS


def check(ctx) -> Iterable[Diagnostic]:
    site, cfg = ctx.site, ctx.config
    yield from limit_problems(site, cfg.menus)
    for sid, seg in sorted(cfg.segments.items()):
        if seg.menus is not None and not seg.menus:
            yield diag("MENU001", seg.loc, f"segment `{sid}` has an empty `menus:` list; WeChat needs 1 to 3 entries",
                       "remove `menus:` to use the site's menus, or add 1 to 3 entries")
        elif seg.menus:
            yield from limit_problems(site, seg.menus, f"the menu of segment `{sid}`")

    # MENU007 and missing menus, per conditional menu; segments sharing the site's menus are reported together
    groups: dict[int, list[str]] = {}
    menus_of: dict[int, tuple[MenuEntry, ...]] = {}
    for sid, menus in conditional_menus(site).items():
        seg = cfg.segments[sid]
        if menus is None:
            if seg.menus is None:  # (an explicit empty list is reported above)
                yield diag("MENU001", seg.loc,
                           f"segment `{sid}` has wechat_tag_id {seg.wechat_tag_id}, but there is no menu to export "
                           "for it", "add `menus:` to site.yaml, or give the segment its own `menus:`")
            continue
        groups.setdefault(id(menus), []).append(sid)
        menus_of[id(menus)] = menus
    for key, sids in groups.items():
        hosts = domains(site, menus_of[key])
        if len(hosts) <= MAX_DOMAINS:
            continue
        names = ", ".join(f"`{s}`" for s in sids)
        tags = ", ".join(str(cfg.segments[s].wechat_tag_id) for s in sids)
        what = (f"the conditional menu of segment {names} (tag {tags}) links" if len(sids) == 1 else
                f"the conditional menus of segments {names} (tags {tags}) link")
        yield diag("MENU007", hosts[MAX_DOMAINS][1].target_loc,
                   f"{what} to {len(hosts)} domains ({', '.join(h for h, _ in hosts)}); WeChat accepts at most "
                   f"{MAX_DOMAINS} in a conditional menu",
                   "link the other domains' pages through a page of the site, or give the segment its own `menus:`")
