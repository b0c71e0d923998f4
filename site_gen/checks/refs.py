"""REF001: names that point at no persona, campaign, segment or channel."""

from __future__ import annotations

import difflib
from typing import Iterable

from ..diagnostics import Diagnostic, diag


def _unknown(kind: str, name: str, known, loc, plural: str) -> Diagnostic:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.5)
    if close:
        hint = f"did you mean `{close[0]}`?"
    elif known:
        hint = f"known {plural}: {', '.join(sorted(known))}"
    else:
        hint = f"there are no {plural} yet; " + {
            "persona": "add content/personas/<id>.yaml",
            "campaign": "add content/campaigns/<id>.yaml",
            "segment": "add it under `segments:` in site.yaml",
            "channel": "add it under `channels:` in site.yaml",
        }[kind]
    return diag("REF001", loc, f"unknown {kind} `{name}`", hint)


def check(ctx) -> Iterable[Diagnostic]:
    site, cfg = ctx.site, ctx.config
    # a file that exists but failed to load already has its diagnostic: no cascade of REF001
    personas = {**site.personas, **{u[8:]: None for u in site.unloaded if u.startswith("persona:")}}
    campaigns = {**site.campaigns, **{u[9:]: None for u in site.unloaded if u.startswith("campaign:")}}
    segments, channels = cfg.segments, cfg.channels
    if cfg.default_persona and cfg.default_persona not in personas:
        yield _unknown("persona", cfg.default_persona, personas, cfg.locs["default_persona"], "personas")
    for e in site.articles + site.pages:
        if e.persona and e.persona not in personas:
            yield _unknown("persona", e.persona, personas, e.locs["persona"], "personas")
        if e.campaign and e.campaign not in campaigns:
            yield _unknown("campaign", e.campaign, campaigns, e.locs["campaign"], "campaigns")
        for s in e.segments:
            if s not in segments:
                yield _unknown("segment", s, segments, e.locs["segments"], "segments")
        for ch in e.channels:
            if ch not in channels:
                yield _unknown("channel", ch, channels, e.locs["channels"], "channels")
    for c in site.campaigns.values():
        if c.persona and c.persona not in personas:
            yield _unknown("persona", c.persona, personas, c.locs["persona"], "personas")
        for s in c.segments:
            if s not in segments:
                yield _unknown("segment", s, segments, c.locs["segments"], "segments")
        for ch in c.channels:
            if ch not in channels:
                yield _unknown("channel", ch, channels, c.locs["channels"], "channels")
