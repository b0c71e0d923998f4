"""The rule registry: one family per module, each a pure ``check(ctx) -> Iterable[Diagnostic]``.

To add a family, write ``site_gen/checks/<family>.py`` with a ``check(ctx)`` function: every module
of this package is a family, run in name order. Codes and default severities live in
:mod:`site_gen.rules`.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..model import Schedule, Site
from ..urls import html_routes

FAMILIES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


@dataclass(frozen=True)
class CheckContext:
    site: Site
    schedule: Schedule
    routes: dict  # site path -> source (html_routes)
    static_files: frozenset[str]
    against: str | None = None  # --against DIR (ORIG001)

    @property
    def config(self):
        return self.site.config


def make_context(site: Site, schedule: Schedule, against: str | None = None) -> CheckContext:
    return CheckContext(site, schedule, html_routes(site, schedule), frozenset(site.static_files), against)


def run_checks(ctx: CheckContext, families: tuple[str, ...] = FAMILIES) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name in families:
        module = importlib.import_module(f"{__name__}.{name}")
        out.extend(module.check(ctx))
    return out
