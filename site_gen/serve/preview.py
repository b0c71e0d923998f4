"""The previewed site: built in memory, rebuilt after each change, read consistently by the server.

State lives in one :class:`Preview` object (no module state). One worker thread calls
:meth:`Preview.full` and :meth:`Preview.apply`; the HTTP threads call :meth:`Preview.lookup`, which
waits while a rebuild is swapping files in or while the page it wants is still being re-rendered.

An article or page edit is rebuilt in two steps (SPEC §8 "rebuilds only what the change affects"):

1. load the file, re-plan, re-render its own page, swap it in and tell the browsers to reload;
2. re-render the pages that list it (home, campaign, persona, tags, segments), the feeds, sitemap,
   QR codes and manifest — requests for those wait — then re-run every check. Check errors put the
   overlay over the page; a file that does not load leaves the last good page underneath.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import os
import re
import threading
import time
from dataclasses import replace
from typing import Callable

from ..build import site_policy
from ..checks import FAMILIES, make_context, run_checks
from ..config import UsageError
from ..diagnostics import ERROR, Diagnostic, Location, apply_policy, failed, format_text
from ..load.content import load_entry
from ..load.markdown import make_markdown
from ..load.site import load_site
from ..render import OutputFile, page_file, render_site
from ..urls import entry_path
from ..render.env import fingerprint_assets, make_env
from ..render.partial import SUMMARY_FILES, Interrupted, owned_by, render_entries, render_subset, summary_files, update_views
from ..render.views import Views
from ..schedule import parse_now, plan
from .changes import Changes, classify
from .overlay import payload

Notify = Callable[[str, dict], None]
MAX_INCREMENTAL = 20  # more changed entries than this in one batch: a full rebuild


class Preview:
    def __init__(self, root: str, *, now: dt.datetime | None, drafts: bool, notify: Notify,
                 log: Callable[[str], None]):
        self.root, self.fixed_now, self.drafts = root, now, drafts
        self.notify, self.log = notify, log
        self.cond = threading.Condition()
        # what is served (guarded by cond)
        self.files: dict[str, OutputFile] = {}
        self.pending: set[str] = set()  # pages being re-rendered (step 2): requests wait
        self.busy = True  # until the first build is in
        self.version = 0
        self.problems: dict[str, list[Diagnostic]] = {}  # stage -> diagnostics of a failing build
        self.base_path = "/"
        self.output_dir = "public"
        # the model of the last good render, for incremental rebuilds
        self.site = None
        self.schedule = None
        self.env = None
        self.views: Views | None = None
        self.md = None
        self.loaded: dict[str, list[Diagnostic]] = {}  # load diagnostics by source file
        self.changed: set[str] = set()  # entries changed since the last completed step 2
        self.by_path: dict = {}  # source path -> Entry of self.site
        self.shared: set[str] = set()  # generated files that belong to no single entry (listings, feeds …)
        self.digests: dict = {}
        self.needs_full = True
        self.unapplied: set[str] = set()  # entry files whose last edit did not load
        self.assets: dict[str, tuple[str, str]] = {}  # theme asset name -> (output path, source)

    # ------------------------------------------------------------------------------- reading

    def lookup(self, key: str, timeout: float = 120.0) -> tuple[OutputFile | None, OutputFile | None, int]:
        """(the file at ``key``, the 404 page, version) once no rebuild is swapping files in."""
        with self.cond:
            self.cond.wait_for(lambda: not self.busy and key not in self.pending, timeout)
            return self.files.get(key), self.files.get("404.html"), self.version

    def errors(self) -> list[Diagnostic]:
        with self.cond:
            found = [d for ds in self.problems.values() for d in ds]
        return sorted((d for d in found if d.severity == ERROR), key=lambda d: d.sort_key)

    def has(self, key: str) -> bool:
        with self.cond:
            return key in self.files

    # ------------------------------------------------------------------------------ building

    def _now(self, site) -> dt.datetime:
        return self.fixed_now or parse_now(None, site.config.timezone)

    def full(self, why: str = "") -> bool:
        """Load, check and render everything; swap it in when it succeeds. Never raises."""
        started = time.perf_counter()
        with self.cond:
            self.busy = True
        collecting = gc.isenabled()
        gc.disable()  # as in build.run: the collector would only re-scan the site being built
        gc.unfreeze()  # the previous full build's site may be garbage now
        try:
            ok = self._full(started, why)
        except UsageError as e:
            ok = self._fail("build", [Diagnostic("USAGE", ERROR, Location("site.yaml"), str(e),
                                                 "fix site.yaml; the preview rebuilds when you save")])
        except Exception as e:  # a bug in site-gen: the preview stays up and says so
            ok = self._fail("build", [_internal(e)])
        finally:
            with self.cond:
                self.busy = False
                self.cond.notify_all()
            if collecting:
                # the site stays in memory until the next full build: the collector's passes need
                # not re-scan it after every edit (a pass over a 4,000-article site held the GIL
                # long enough to delay the next reload by hundreds of milliseconds)
                gc.collect()
                gc.freeze()
                gc.enable()
        return ok

    def _full(self, started: float, why: str) -> bool:
        site, loaded = load_site(self.root)
        if site is None:
            self.needs_full = True
            return self._fail("build", site_policy(None, loaded))
        now = self._now(site)
        schedule = plan(site, now, drafts=self.drafts)
        diagnostics = site_policy(site, loaded + run_checks(make_context(site, schedule)))
        if failed(diagnostics, False):
            self.needs_full = True
            return self._fail("build", diagnostics)
        files, more = render_site(site, schedule)
        diagnostics = site_policy(site, diagnostics + more)
        if failed(diagnostics, False):
            self.needs_full = True
            return self._fail("build", diagnostics)
        by_path: dict[str, list[Diagnostic]] = {}
        for d in loaded:
            by_path.setdefault(d.location.path, []).append(d)
        pages = {f.path for f in files if f.path.endswith("index.html") or f.path == "404.html"}
        with self.cond:
            self.files = {f.path: f for f in files}
            self.pending = set()
            self.problems = {}
            self.version += 1
            version = self.version
            self.site, self.schedule, self.loaded = site, schedule, by_path
            self.base_path, self.output_dir = site.config.base_path, site.config.output
            self.changed = set()
            self.shared = _shared(self.files, site)
            self.by_path = {e.path: e for e in site.articles + site.pages}
            self.needs_full = False
            self.busy = False
            self.cond.notify_all()
        self._warnings(diagnostics)
        self.notify("reload", {"version": version})
        ms = (time.perf_counter() - started) * 1000
        self.log(f"built {len(pages)} pages in {ms:.0f} ms" + (f" ({why})" if why else ""))
        # keep compiled templates and views for the incremental rebuilds
        self.md = make_markdown(site.config.markdown_html, site.config.base_path)
        self.assets = fingerprint_assets(site.theme_dirs)  # the table render_site used
        self.env = make_env(site, now, self.assets)
        self.unapplied = set()
        self.views = Views(site, schedule, self.env.globals["t"], self.env.globals["url"])
        for name in self.env.list_templates():
            try:
                self.env.get_template(name)
            except Exception:  # noqa: BLE001 — a broken template shows up when a page needs it
                pass
        return True

    def apply(self, paths: set[str], dirs: set[str] = frozenset(), event_time: float | None = None,
              interrupted: Callable[[], bool] = lambda: False) -> None:
        """Rebuild after a batch of changed files and directories (relative to the site root, "/")."""
        started = event_time or time.perf_counter()
        if self.site is None:
            changes = Changes(full=sorted(paths | dirs))
        else:
            changes = classify(self.root, paths | self.unapplied, dirs, theme=self.site.config.theme,
                               asset_names=set(self.assets), static_files=set(self.site.static_files))
        if not changes:
            return
        try:
            if changes.full or self.needs_full or self.site is None or len(changes.entries) > MAX_INCREMENTAL \
                    or self._day_changed():
                self.full(changes.describe())
                return
            if changes.assets:
                self._assets(changes)
                if self.needs_full:
                    self.full(changes.describe())
                    return
            if changes.entries:
                self._entries(changes.entries, started, interrupted)
            elif changes.static:  # files in static/ that changed in place: served from disk already
                with self.cond:
                    self.files.update({f.path: f for f in summary_files(self.files, self.digests)})
                    self.version += 1
                    version = self.version
                self.notify("reload", {"version": version})
                self.log(f"{changes.describe()} → reloaded")
        except Exception as e:  # noqa: BLE001 — never let a change kill the preview
            with self.cond:
                self.busy = False
                self.pending = set()
                self.cond.notify_all()
            self.needs_full = True
            self._fail("build", [_internal(e)])

    def _day_changed(self) -> bool:
        if self.fixed_now or self.schedule is None:
            return False
        return self._now(self.site).date() != self.schedule.now.date()

    # ------------------------------------------------------------- step 1: the changed entries

    def _entries(self, paths: set[str], started: float, interrupted: Callable[[], bool]) -> None:
        cpu = time.thread_time()
        paths = set(paths) | self.unapplied  # edits of an earlier batch that did not load
        site, cfg = self.site, self.site.config
        before = {p: self.by_path[p] for p in paths if p in self.by_path}
        fresh = {}
        for rel in sorted(paths):
            kind = "article" if rel.startswith("content/articles/") else "page"
            entry, diagnostics = (load_entry(self.root, rel, kind, self.md, cfg.timezone)
                                  if os.path.isfile(os.path.join(self.root, rel)) else (None, []))
            self.loaded[rel] = diagnostics
            fresh[rel] = entry
        new_site = replace(site, articles=_merged(site.articles, before, fresh, "article", lambda e: e.sort_key),
                           pages=_merged(site.pages, before, fresh, "page", lambda e: e.path))
        load_problems = self.local_policy(new_site, [d for ds in self.loaded.values() for d in ds])
        if failed(load_problems, False):
            # the last good site stays; the model is not advanced: these files are loaded again next time
            self.unapplied = set(fresh)
            self._fail("load", load_problems)
            self.log(f"{_names(paths)}: not rebuilt")
            return
        if self._menus_move(before, fresh):
            self.full(_names(paths))
            return
        schedule = plan(new_site, self.schedule.now, drafts=self.drafts)
        views = update_views(self.views, new_site, schedule, fresh)
        sub = render_entries(new_site, schedule, set(fresh), env=self.env, views=views)
        render_problems = self.local_policy(new_site, sub.diagnostics)
        if failed(render_problems, False):
            self._fail("render", render_problems)
            return
        changed = self.changed | set(fresh)
        touched = [e for e in list(before.values()) + list(fresh.values()) if e is not None]
        own = owned_by(touched)
        words = re.compile("|".join(re.escape(w) for w in sorted({e.slug for e in touched} | {e.id for e in touched})))
        with self.cond:
            self.busy = True
            for p in fresh:  # the old page of a renamed, hidden or deleted entry
                if before.get(p) is not None:
                    self.files.pop(page_file(entry_path(before[p])), None)
            self.files.update(sub.pages)
            # the listing pages and the changed entries' other outputs are redone in step 2: requests
            # for them wait; every other entry's own outputs stay as they are
            mine = {k for k in filter(words.search, self.files) if own(k)}
            self.pending |= (self.shared | mine | set(SUMMARY_FILES)) - set(sub.pages)
            self.problems.pop("load", None)
            self.problems.pop("render", None)
            self.site, self.schedule, self.views = new_site, schedule, views
            self.unapplied = set()
            self.changed = changed
            for p, e in fresh.items():
                if e is None:
                    self.by_path.pop(p, None)
                else:
                    self.by_path[p] = e
            self.version += 1
            version = self.version
            self.busy = False
            self.cond.notify_all()
        elapsed = (time.perf_counter() - started) * 1000
        cpu_ms = (time.thread_time() - cpu) * 1000  # this thread's work, whatever else the machine does
        self.notify("reload", {"version": version, "ms": round(elapsed, 1), "cpu_ms": round(cpu_ms, 1)})
        self.log(f"{_names(paths)} → {len(sub.pages)} page{'s' if len(sub.pages) != 1 else ''} "
                 f"in {elapsed:.0f} ms")
        self._step2(set(sub.pages), interrupted)

    def _menus_move(self, before: dict, fresh: dict) -> bool:
        """A menu entry naming an article (by slug) or a page (by id) puts its URL in every page's tab
        bar: when such an entry appears, goes or moves, every page changes — a full rebuild."""
        cfg = self.site.config
        menus = list(cfg.menus) + [m for s in cfg.segments.values() for m in (s.menus or ())]
        named = {(m.target_kind, m.target) for m in menus + [i for m in menus for i in m.items]}
        for path, entry in fresh.items():
            old = before.get(path)
            if old is not None and entry is not None and (old.slug, old.id, old.kind) == (entry.slug, entry.id, entry.kind):
                continue
            for e in (old, entry):
                if e is not None and (("article", e.slug) in named or ("page", e.id) in named):
                    return True
        return False

    def _step2(self, done: set[str], interrupted: Callable[[], bool]) -> None:
        """Re-render everything the changed entries can appear on, then re-run the checks. Each file
        is served as soon as it is made; a newer change waiting interrupts this (the pending files
        keep waiting, and that change's step 2 covers both)."""
        started = time.perf_counter()
        site, schedule, views = self.site, self.schedule, self.views
        keep = owned_by(e for e in site.articles + site.pages if e.path not in self.changed)

        def publish(f: OutputFile) -> None:
            with self.cond:
                self.files[f.path] = f
                if f.path in self.pending:
                    self.pending.discard(f.path)
                    self.cond.notify_all()

        try:
            sub = render_subset(site, schedule, lambda k: k in done or keep(k), env=self.env, views=views,
                                interrupted=interrupted, publish=publish)
        except Interrupted:
            return
        render_problems = self.local_policy(site, sub.diagnostics)
        with self.cond:
            made = set(sub.pages) | set(sub.others)
            for key in self.pending - made:
                if key not in sub.page_outputs:  # gone: a tag no longer used, a hidden article's export …
                    self.files.pop(key, None)  # (a page that failed to render keeps its last bytes)
            self.files.update({f.path: f for f in summary_files(self.files, self.digests)})
            self.pending = set()
            self.changed = set()
            self.cond.notify_all()
        self.shared = _shared(self.files, site)
        if failed(render_problems, False):
            self._fail("render", render_problems)
            return
        listed_ms = (time.perf_counter() - started) * 1000
        # the checks: one family at a time, given up when a newer change is waiting (it re-runs them)
        ctx = make_context(site, schedule)
        found: list[Diagnostic] = [d for ds in self.loaded.values() for d in ds]
        for family in FAMILIES:
            if interrupted():
                return
            found += run_checks(ctx, (family,))
        diagnostics = site_policy(site, found)  # all files: the per-file `checks.ignore` of every entry
        if failed(diagnostics, False):
            self._fail("checks", diagnostics)
        else:
            self._clear("checks")
            self._warnings(diagnostics)
        self.log(f"  {len(sub.pages)} listing pages in {listed_ms:.0f} ms, checks in "
                 f"{(time.perf_counter() - started) * 1000 - listed_ms:.0f} ms")

    # ---------------------------------------------------------------- theme assets (CSS …)

    def _assets(self, changes: Changes) -> None:
        """A changed theme asset gets a new fingerprint: swap the file and the URL in every page.
        A CSS-only change is restyled in place by the browsers ("css" event)."""
        assets, old = fingerprint_assets(self.site.theme_dirs), self.assets
        if set(assets) != set(old):
            self.needs_full = True  # an asset appeared or went: templates may name it
            return
        prefix = self.base_path.rstrip("/")
        swap = {prefix + "/" + old[n][0]: prefix + "/" + assets[n][0] for n in assets if assets[n][0] != old[n][0]}
        if not swap:
            return
        with self.cond:
            self.busy = True
            for name in assets:
                if assets[name][0] != old[name][0]:
                    self.files.pop(old[name][0], None)
                    self.files[assets[name][0]] = OutputFile(assets[name][0], source=assets[name][1])
            pairs = [(a.encode(), b.encode()) for a, b in swap.items()]
            for key, f in list(self.files.items()):
                if f.data is not None and (key.endswith((".html", ".xml", ".json")) or key == "_headers"):
                    data = f.data
                    for a, b in pairs:
                        data = data.replace(a, b)
                    if data != f.data:
                        self.files[key] = OutputFile(key, data)
            self.files.update({f.path: f for f in summary_files(self.files, self.digests)})
            self.env = make_env(self.site, self.schedule.now, assets)
            self.assets = assets
            self.version += 1
            version = self.version
            self.busy = False
            self.cond.notify_all()
        css_only = all(n.endswith(".css") for n in assets if assets[n][0] != old[n][0])
        self.notify("css" if css_only else "reload", {"version": version, "swap": swap})
        self.log(f"{changes.describe()} → " + ("restyled" if css_only else "reloaded"))

    # ---------------------------------------------------------------------------- reporting

    @staticmethod
    def local_policy(site, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """build.site_policy for a few diagnostics: looks up only their files' `checks.ignore`."""
        if not diagnostics:
            return []
        paths = {d.location.path for d in diagnostics}
        ignored = {e.path: e.ignore for e in site.articles + site.pages if e.path in paths and e.ignore}
        return apply_policy(diagnostics, dict(site.config.severity), ignored)

    def _fail(self, stage: str, diagnostics: list[Diagnostic]) -> bool:
        with self.cond:
            self.problems[stage] = list(diagnostics)
        errors = self.errors()
        for d in diagnostics:
            self.log(format_text(d))
        self.notify("problems", {"diagnostics": payload(errors)})
        return False

    def _clear(self, stage: str) -> None:
        with self.cond:
            had = bool(self.problems.pop(stage, None))
        if had and not self.errors():
            self.notify("ok", {})

    def _warnings(self, diagnostics: list[Diagnostic]) -> None:
        warnings = [d for d in diagnostics if d.severity != ERROR]
        for d in warnings[:20]:
            self.log(format_text(d))
        if len(warnings) > 20:
            self.log(f"… and {len(warnings) - 20} more warnings (run `site-gen check` for all)")


def _shared(files: dict[str, OutputFile], site) -> set[str]:
    own = owned_by(site.articles + site.pages)
    return {k for k, f in files.items() if f.data is not None and not own(k)}


def _merged(entries: tuple, before: dict, fresh: dict, kind: str, key) -> tuple:
    """``entries`` with the ``fresh`` ones (path -> Entry or None; ``before``: the old ones) put in,
    kept in ``key`` order. An edit that keeps an entry's place (the usual case) is a replacement."""
    out = entries
    for path, new in fresh.items():
        old = before.get(path)
        old = old if old is not None and old.kind == kind else None
        new = new if new is not None and new.kind == kind else None
        if old is not None and new is not None and key(old) == key(new):
            i = _position(out, old)
            out = out[:i] + (new,) + out[i + 1:]
            continue
        if old is not None:
            i = _position(out, old)
            out = out[:i] + out[i + 1:]
        if new is not None:
            i = bisect.bisect_left([key(e) for e in out], key(new))
            out = out[:i] + (new,) + out[i:]
    return out


def _position(entries: tuple, entry) -> int:
    """The index of this very object (by identity: a scan in C, no dataclass comparisons)."""
    return list(map(id, entries)).index(id(entry))


def _names(paths: set[str]) -> str:
    shown = sorted(paths)
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")


def _internal(e: Exception) -> Diagnostic:
    return Diagnostic("INTERNAL", ERROR, Location("site.yaml"),
                      f"site-gen failed while building ({type(e).__name__}: {e}); this is a bug in site-gen",
                      "please report it; the preview keeps the last good site and retries on the next save")
