"""The rule registry: one family per module, each a pure ``check(ctx) -> Iterable[Diagnostic]``.

To add a family, write ``site_gen/checks/<family>.py`` with a ``check(ctx)`` function: every module
of this package is a family, run in name order. Codes and default severities live in
:mod:`site_gen.rules`.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import pkgutil
from dataclasses import dataclass
from typing import Callable, Iterable

from .. import __version__
from ..diagnostics import Diagnostic
from ..model import Entry, Schedule, Site
from ..urls import html_routes

FAMILIES = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")))


@dataclass(frozen=True)
class CheckContext:
    site: Site
    schedule: Schedule
    routes: dict  # site path -> source (html_routes)
    static_files: frozenset[str]
    against: str | None = None  # --against DIR (ORIG001)
    memo: Memo | None = None  # the last build's per-entry results (a build or check with its cache)

    @property
    def config(self):
        return self.site.config

    def per_entry(self, family: str, entry: Entry, context: str,
                  compute: Callable[[], Iterable[Diagnostic]]) -> Iterable[Diagnostic]:
        """``compute()``: a family's diagnostics for one entry that depend on nothing but the entry's
        source file and ``context`` (text naming everything else they depend on). Taken from the
        last build's when those are unchanged."""
        return compute() if self.memo is None else self.memo.per_entry(family, entry, context, compute)


class Memo:
    """Per-entry check results kept between builds, in ``.site-gen-cache/checks-<version>``.

    A result is reused when the entry's source file has the key the loader gave it (the hash of
    its bytes, site-gen's version and the Markdown options: load/cache.py), the family's own
    context text is the same (for VOICE: the persona) and the family's module is byte for byte the
    one that made it. A damaged or missing file means every result is computed again."""

    def __init__(self, path: str, source_keys):
        self.path, self.source_keys = path, source_keys
        try:
            with open(path, "rb") as fh:
                old = pickle.load(fh)
            if not isinstance(old, dict):
                old = {}
        except Exception:  # noqa: BLE001 - missing or damaged: computed again
            old = {}
        self.old: dict = old
        self.new: dict = {}
        self.computed = 0  # results not taken from the last build's
        self._modules: dict[str, str] = {}

    @classmethod
    def for_site(cls, site: Site) -> Memo | None:
        if site.cache_dir is None:
            return None
        return cls(os.path.join(site.cache_dir, f"checks-{__version__}"), site.source_keys)

    def _module(self, family: str) -> str:
        if family not in self._modules:
            try:
                with open(os.path.join(os.path.dirname(__file__), f"{family}.py"), "rb") as fh:
                    self._modules[family] = hashlib.sha256(fh.read()).hexdigest()
            except OSError:
                self._modules[family] = os.urandom(16).hex()  # unreadable: never reused
        return self._modules[family]

    def per_entry(self, family: str, entry: Entry, context: str, compute) -> tuple[Diagnostic, ...]:
        source = self.source_keys.get(entry.path)
        if source is None:
            return tuple(compute())
        key = (source, context, self._module(family))
        hit = self.old.get((family, entry.path))
        if type(hit) is tuple and len(hit) == 2 and hit[0] == key and type(hit[1]) is tuple:
            result = hit[1]
        else:
            result = tuple(compute())
            self.computed += 1
        self.new[(family, entry.path)] = (key, result)
        return result

    def save(self, families: tuple[str, ...]) -> None:
        """Keep this run's results (and the last build's of families that did not run)."""
        for k, v in self.old.items():
            if k[0] not in families:
                self.new.setdefault(k, v)
        if not self.computed and self.new.keys() == self.old.keys():
            return
        from ..load.cache import replace_file

        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            replace_file(self.path, pickle.dumps(self.new, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # no cache: the next build computes them again


def make_context(site: Site, schedule: Schedule, against: str | None = None, memo: Memo | None = None) -> CheckContext:
    return CheckContext(site, schedule, html_routes(site, schedule), frozenset(site.static_files), against, memo)


def run_checks(ctx: CheckContext, families: tuple[str, ...] = FAMILIES) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for name in families:
        module = importlib.import_module(f"{__name__}.{name}")
        out.extend(module.check(ctx))
    if ctx.memo is not None:
        ctx.memo.save(families)
    return out
