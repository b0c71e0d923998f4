"""CAMP001–CAMP003: campaigns pre-heat, run and recap, in that order, each with an action."""

from __future__ import annotations

import re
from typing import Iterable

from ..diagnostics import Diagnostic, Location, diag
from ..load.schemas import PHASES
from ..model import Campaign
from ..schedule import phase_for_date

PHASE_WORDS = {"preheat": "pre-heat", "live": "live", "recap": "recap"}
_CTA_KEY = re.compile(r"cta\s*:")


def _windows(c: Campaign) -> Iterable[Diagnostic]:
    if c.preheat > c.starts:
        yield diag("CAMP001", c.locs.get("preheat", c.loc),
                   f"the pre-heat ({c.preheat}) starts after the campaign goes live ({c.starts})",
                   "make `preheat:` a date on or before `starts:` (or remove it to pre-heat from `starts:`)")
    if c.starts > c.ends:
        yield diag("CAMP001", c.locs.get("ends", c.loc),
                   f"the campaign ends ({c.ends}) before it starts ({c.starts})",
                   "make `ends:` a date on or after `starts:` (`ends:` is the last live day, inclusive)")


def _cta_key_loc(c: Campaign, root: str) -> Location:
    """The `cta:` key of the campaign file (the model keeps only where its value starts)."""
    value = c.locs.get("cta")
    if value is None:
        return Location(c.path, 1, 1)
    from ..load.files import read_text

    src, _ = read_text(root, c.path)
    lines = src.text.split("\n") if src else []
    for n in range(min(value.line, len(lines)), 0, -1):
        if _CTA_KEY.match(lines[n - 1]):
            return Location(c.path, n, 1)
    return value


def _missing_actions(c: Campaign, root: str) -> Iterable[Diagnostic]:
    missing = [p for p in PHASES if p not in c.ctas]
    if not missing:
        return
    names = ", ".join(PHASE_WORDS[p] for p in missing)
    example = {"preheat": "preheat: {text: 预约开售提醒, url: /campaigns/%s/, kind: book}",
               "live": "live: {text: 立即报名, url: /campaigns/%s/, kind: signup}",
               "recap": "recap: {text: 查看活动回顾, url: /campaigns/%s/}"}[missing[0]] % c.id
    phases = "phase has" if len(missing) == 1 else "phases have"
    yield diag("CAMP003", _cta_key_loc(c, root), f"the campaign's {names} {phases} no call to action",
               f"add it under `cta:`, e.g. `{example}`; articles of that phase without their own action "
               "inherit it")


def _phase_contradictions(ctx) -> Iterable[Diagnostic]:
    tz = ctx.config.timezone
    for e in ctx.schedule.published:
        if not e.phase or e.date is None:
            continue
        c = ctx.site.campaigns.get(e.campaign) if e.campaign else None
        if c is None or c.preheat > c.starts or c.starts > c.ends:
            continue  # no campaign is REF001's; broken windows are CAMP001's
        day = e.date.astimezone(tz).date()
        expected = phase_for_date(c, day)
        if expected == e.phase or "phase" not in e.locs:  # (positions last: model.Detail)
            continue
        window = {"preheat": f"before {c.starts}", "live": f"{c.starts} – {c.ends}", "recap": f"after {c.ends}"}
        yield diag("CAMP002", e.locs["phase"],
                   f"the article says `phase: {e.phase}`, but its date {day} is in the {PHASE_WORDS[expected]} "
                   f"window of `{c.id}` ({window[expected]})",
                   f"remove `phase:` to let the date decide, or date the article {window[e.phase]}")


def check(ctx) -> Iterable[Diagnostic]:
    for c in ctx.site.campaigns.values():
        yield from _windows(c)
        yield from _missing_actions(c, ctx.site.root)
    yield from _phase_contradictions(ctx)
