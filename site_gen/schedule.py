""""Now" decides: drafts, future and expired entries, campaign status, phase and inherited action."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from .model import Campaign, Entry, Schedule, Site

STATUS_PHASE = {"upcoming": "preheat", "preheat": "preheat", "live": "live", "ended": "recap"}


def campaign_status(c: Campaign, today: dt.date) -> str:
    if today < c.preheat:
        return "upcoming"
    if today < c.starts:
        return "preheat"
    if today <= c.ends:
        return "live"
    return "ended"


def phase_for_date(c: Campaign, day: dt.date) -> str:
    if day < c.starts:
        return "preheat"
    if day <= c.ends:
        return "live"
    return "recap"


def plan(site: Site, now: dt.datetime, drafts: bool = False) -> Schedule:
    now = now.astimezone(site.config.timezone)
    today = now.date()
    status = {cid: campaign_status(c, today) for cid, c in sorted(site.campaigns.items())}

    def visible(e: Entry) -> tuple[bool, bool]:
        """(shown, shown only as a preview)"""
        if e.expires is not None and today > e.expires:
            return False, False
        hidden = e.draft or (e.date is not None and e.date > now)
        if hidden:
            return drafts, True
        return True, False

    published, pages, preview = [], [], set()
    for bucket, entries in ((published, site.articles), (pages, site.pages)):
        for e in entries:
            shown, is_preview = visible(e)
            if shown:
                bucket.append(e)
                if is_preview:
                    preview.add(e.path)
    phase, cta = {}, {}
    for e in site.articles + site.pages:
        camp = site.campaigns.get(e.campaign) if e.campaign else None
        phase[e.path] = e.phase or (phase_for_date(camp, e.date.astimezone(site.config.timezone).date())
                                    if camp and e.date else None)
        action = e.cta
        if action is None and camp is not None:
            action = camp.ctas.get(STATUS_PHASE[status[camp.id]])
        cta[e.path] = action
    return Schedule(now=now, published=tuple(published), pages=tuple(pages),
                    campaign_status=MappingProxyType(status), phase=MappingProxyType(phase),
                    cta=MappingProxyType(cta), preview=frozenset(preview), drafts=drafts)


def parse_now(value: str | None, tz) -> dt.datetime:
    """--now: an ISO date or datetime (naive: the site's timezone); default the clock."""
    if value is None:
        return dt.datetime.now(tz).replace(microsecond=0)
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
