"""CTA001–CTA005: every article ends in a clear action for the reader."""

from __future__ import annotations

from typing import Iterable

from ..diagnostics import Diagnostic, Location, diag
from ..model import Cta
from ..urls import is_internal, resolves

SCHEMES_OK = ("http://", "https://", "mailto:", "tel:", "weixin://", "sms:")


def has_verb(text: str, verbs: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(v.lower() in lowered for v in verbs)


def target_problem(cta: Cta, ctx) -> tuple[str, str] | None:
    """(message, hint) when the action has no usable target."""
    if cta.kind == "reply":
        return None if (cta.keyword or cta.text) else ("the reply action has no keyword",
                                                       "write the keyword to send, e.g. 回复「烘焙」领取课表")
    if not cta.url:
        return ("the call to action has no link", "make the action a link: [立即报名](/campaigns/…/)"
                if cta.source == "body" else "add `url:` to the `cta:`")
    url = cta.url
    if is_internal(url):
        if not resolves(url, ctx.routes, ctx.static_files):
            return (f"the call to action links to {url}, which is not a page of this site",
                    "link to a published page (e.g. /campaigns/<id>/ or /articles/<slug>/) or a file in static/")
        return None
    if url.startswith(SCHEMES_OK) or url.startswith("#"):
        return None
    return (f"the call to action link `{url}` is neither a site path nor an absolute URL",
            "start site links with / (e.g. /stores/) and external ones with https://")


def check(ctx) -> Iterable[Diagnostic]:
    cfg, schedule = ctx.config, ctx.schedule
    entries = list(schedule.published) + (list(schedule.pages) if cfg.cta_pages else [])
    for e in entries:
        cta = schedule.cta[e.path]
        if cta is None:
            hint = "end the body with a ::: cta block, or add `cta:` to the front matter"
            if e.campaign in ctx.site.campaigns:
                hint += f" (the campaign `{e.campaign}` has no action for its current phase)"
            yield diag("CTA001", Location(e.path, e.last_line, 1),
                       f"the {e.kind} does not end in a call to action", hint)
            continue
        if cta.source == "campaign":
            continue  # the campaign's own actions are checked once, at the campaign file
        yield from _check_action(cta, ctx)
        camp = ctx.site.campaigns.get(e.campaign) if e.campaign else None
        if camp and cta.kind in ("signup", "buy", "book") and schedule.campaign_status[camp.id] == "ended":
            yield diag("CTA004", cta.loc,
                       f"this {cta.kind} action belongs to the campaign `{camp.id}`, which ended on {camp.ends}",
                       "point the action at what readers can still do (the recap, the next campaign), "
                       "or remove it to inherit the campaign's recap action")
    for e in list(schedule.published) + list(schedule.pages):
        for loc in e.middle_ctas:
            yield diag("CTA005", loc, "a ::: cta block sits in the middle of the body",
                       "move the ::: cta block to the end of the body; only the closing block is the action")
    for c in ctx.site.campaigns.values():
        for cta in c.ctas.values():
            yield from _check_action(cta, ctx)


def _check_action(cta: Cta, ctx) -> Iterable[Diagnostic]:
    if not cta.text.strip():
        yield diag("CTA002", cta.text_loc, "the call to action has no text",
                   "say what the reader should do, e.g. 立即报名 or 预约到店")
    elif not has_verb(cta.text, ctx.config.cta_verbs):
        yield diag("CTA002", cta.text_loc, f"the call-to-action text `{cta.text}` has no action verb",
                   "start with what the reader should do (报名, 预约, 购买, 领取 …); "
                   "add your own verbs under checks.cta.verbs in site.yaml")
    problem = target_problem(cta, ctx)
    if problem:
        yield diag("CTA003", cta.url_loc if cta.url else cta.loc, *problem)
