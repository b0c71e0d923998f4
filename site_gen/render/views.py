"""Template-facing views of the model (the contract in docs/theme-guide.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from markupsafe import Markup

from ..model import Campaign, Cta, Entry, MenuEntry, Persona, Schedule, Site
from ..urls import (campaign_path, entry_path, is_internal, menu_target, persona_path, qr_sheet_path, segment_path,
                    tag_path, tag_slug)

DEFAULT_PALETTE = {"primary": "#c2410c", "accent": "#ffc914", "background": "#fffaf3"}
STATUS_KEYS = {"upcoming": "status_upcoming", "preheat": "status_preheat", "live": "status_live", "ended": "status_ended"}


@dataclass
class CtaView:
    text: str
    url: str | None
    kind: str
    keyword: str | None


@dataclass
class PersonaView:
    id: str
    name: str
    avatar: str | None
    bio: str
    signature: str
    palette: dict
    url: str
    address: str | None


@dataclass
class TagView:
    name: str
    slug: str
    url: str


@dataclass
class SegmentView:
    id: str
    name: str
    url: str


@dataclass
class MenuView:
    id: str
    name: str
    url: str | None
    external: bool
    service: bool
    items: list["MenuView"] = field(default_factory=list)


@dataclass
class EntryView:
    kind: str
    path: str
    title: str
    url: str
    abs_url: str
    slug: str
    summary: str
    persona: PersonaView | None
    source: Entry  # its body_html is read when a page shows it (model.Heavy)
    cta: CtaView | None
    cover: str | None = None
    date: dt.datetime | None = None
    updated: dt.datetime | None = None
    campaign: "CampaignView | None" = None
    phase: str | None = None
    tags: list[TagView] = field(default_factory=list)
    segments: list[SegmentView] = field(default_factory=list)
    reading_minutes: int = 1
    draft: bool = False

    @property
    def body_html(self) -> Markup:
        return Markup(self.source.body_html)


@dataclass
class CampaignView:
    id: str
    title: str
    summary: str
    url: str
    persona: PersonaView | None
    preheat: dt.date
    starts: dt.date
    ends: dt.date
    status: str
    status_label: str
    cta: CtaView | None
    phases: list[dict]
    qr_url: str | None
    cover: str | None = None
    articles: list[EntryView] = field(default_factory=list)
    articles_by_phase: dict = field(default_factory=dict)


class Views:
    """Builds and caches view objects for one render."""

    def __init__(self, site: Site, schedule: Schedule, t, url):
        self.site, self.schedule, self.t, self.url = site, schedule, t, url
        self.base = site.config.base_url.rstrip("/")
        self.prefix = site.config.base_path.rstrip("/")
        self._personas = {pid: self._persona(p) for pid, p in sorted(site.personas.items())}
        self.campaigns = {cid: self._campaign(c) for cid, c in sorted(site.campaigns.items())}
        self.entries = {e.path: self._entry(e) for e in schedule.published + schedule.pages}
        for e in schedule.published:
            view = self.entries[e.path]
            if view.campaign is not None:
                view.campaign.articles.append(view)
                view.campaign.articles_by_phase.setdefault(view.phase or "live", []).append(view)

    # -------------------------------------------------------------------------------- helpers

    def abs(self, site_path: str) -> str:
        return self.base + site_path

    def link(self, url: str | None) -> str | None:
        """A URL as written in content: site paths get the base prefix."""
        if url and is_internal(url):
            return self.prefix + url
        return url

    def abs_link(self, url: str | None) -> str | None:
        if url and is_internal(url):
            return self.base + url
        return url

    def persona(self, pid: str | None) -> PersonaView | None:
        pid = pid or self.site.config.default_persona
        return self._personas.get(pid) if pid else None

    def campaign(self, cid: str | None) -> CampaignView | None:
        return self.campaigns.get(cid) if cid else None

    def cta(self, cta: Cta | None) -> CtaView | None:
        if cta is None:
            return None
        return CtaView(cta.text, self.link(cta.url), cta.kind, cta.keyword)

    def palette(self, persona: PersonaView | None) -> dict:
        return {**DEFAULT_PALETTE, **(persona.palette if persona else {})}

    # ---------------------------------------------------------------------------------- views

    def _persona(self, p: Persona) -> PersonaView:
        return PersonaView(p.id, p.name, self.link(p.avatar), p.bio, p.signature, dict(p.palette),
                           self.prefix + persona_path(p.id), p.address)

    def _campaign(self, c: Campaign) -> CampaignView:
        status = self.schedule.campaign_status[c.id]
        from ..schedule import STATUS_PHASE

        phases = [
            {"key": "preheat", "label": self.t("phase_preheat"), "start": c.preheat, "end": c.starts,
             "current": status == "preheat"},
            {"key": "live", "label": self.t("phase_live"), "start": c.starts, "end": c.ends, "current": status == "live"},
            {"key": "recap", "label": self.t("phase_recap"), "start": c.ends, "end": None, "current": status == "ended"},
        ]
        return CampaignView(
            id=c.id, title=c.title, summary=c.summary, url=self.prefix + campaign_path(c.id),
            persona=self.persona(c.persona), preheat=c.preheat, starts=c.starts, ends=c.ends, status=status,
            status_label=self.t(STATUS_KEYS[status]), cta=self.cta(c.ctas.get(STATUS_PHASE[status])),
            phases=phases, qr_url=self.prefix + qr_sheet_path(c.id) if c.channels else None,
            cover=self.link(c.cover),
        )

    def _entry(self, e: Entry) -> EntryView:
        site_path = entry_path(e)
        seg = self.site.config.segments
        return EntryView(
            kind=e.kind, path=e.path, title=e.title, url=self.prefix + site_path, abs_url=self.abs(site_path),
            slug=e.slug, summary=e.summary, persona=self.persona(e.persona), source=e,
            cta=self.cta(self.schedule.cta.get(e.path)), cover=self.link(e.cover), date=e.date,
            updated=e.updated, campaign=self.campaign(e.campaign), phase=self.schedule.phase.get(e.path),
            tags=[self.tag(t) for t in e.tags],
            segments=[SegmentView(s, seg[s].name, self.prefix + segment_path(s)) for s in e.segments if s in seg],
            reading_minutes=e.reading_minutes, draft=e.path in self.schedule.preview,
        )

    def tag(self, name: str) -> TagView:
        return TagView(name, tag_slug(name), self.prefix + tag_path(name))

    def menus(self, entries: tuple[MenuEntry, ...]) -> list[MenuView]:
        out = []
        for i, m in enumerate(entries, 1):
            url = self.menu_url(m)
            view = MenuView(id=f"menu-{i}", name=m.name, url=self.link(url) if url else None,
                            external=bool(url and urlsplit(url).scheme), service=m.service)
            for j, item in enumerate(m.items, 1):
                iu = self.menu_url(item)
                view.items.append(MenuView(id=f"menu-{i}-{j}", name=item.name, url=self.link(iu) if iu else "#",
                                           external=bool(iu and urlsplit(iu).scheme), service=item.service))
            out.append(view)
        return out

    def menu_url(self, m: MenuEntry) -> str | None:
        """The site path (or absolute URL) a menu entry opens; None when it has no (known) target."""
        return menu_target(self.site, m)
