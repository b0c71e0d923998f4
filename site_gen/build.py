"""The pipeline, top to bottom: config → load → schedule → checks → render → write."""

from __future__ import annotations

import datetime as dt
import gc
import os
import pickle
import signal
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .checks import Memo, make_context, run_checks
from .diagnostics import Diagnostic, apply_policy, failed
from .load.site import load_site
from .model import Schedule, Site
from .schedule import parse_now, plan

if TYPE_CHECKING:
    from .render import OutputFile


@dataclass
class Result:
    site: Site | None = None
    schedule: Schedule | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[OutputFile] = field(default_factory=list)
    render_keys: dict[str, str] = field(default_factory=dict)  # for the next warm build (render/reuse.py)
    previous: frozenset[str] | None = None  # the files the previous output's manifest lists, if read

    def failed(self, strict: bool) -> bool:
        return failed(self.diagnostics, strict)


def site_policy(site: Site | None, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    if site is None:
        return apply_policy(diagnostics)
    ignored = {e.path: e.ignore for e in site.articles + site.pages if e.ignore}
    return apply_policy(diagnostics, dict(site.config.severity), ignored)


def run(root: str, *, now: str | dt.datetime | None = None, drafts: bool = False, base_url: str | None = None,
        against: str | None = None, render: bool = True, strict: bool = False, jobs: int = 1,
        previous_output: str | None = None, stage: str | None = None) -> Result:
    """Load, schedule, check and (unless ``render`` is false) render. Writes nothing outside
    ``stage`` (write.py's staging folder: pages are written there as they are made; without it,
    every file is kept in memory). ``jobs``: worker processes for large sites (0: one per core)."""
    jobs = jobs or os.cpu_count() or 1
    collecting = gc.isenabled()
    gc.disable()  # see _run
    try:
        return _run(root, now, drafts, base_url, against, render, strict, jobs, previous_output, stage)
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()
        else:
            gc.disable()


def _run(root, now, drafts, base_url, against, render, strict, jobs, previous_output, stage) -> Result:
    """A build makes hundreds of thousands of small objects that live until it ends (entries,
    their links and text blocks, views) and almost no reference cycles, so Python's cyclic
    collector only re-scans the live site again and again: at 16,000 articles that was half of a
    warm build (docs/performance.md). It is off while the site loads; for rendering, which leaves a
    reference cycle per page (Jinja's contexts: 10 KB a page, 160 MB at 16,000 articles), it is on
    with the loaded site frozen out of its passes (and so in the forked render workers, whose
    passes then touch none of the memory they share with this process). Afterwards it is as the
    caller had it (the preview keeps running)."""
    site, diagnostics = load_site(root, base_url, jobs=jobs)
    if site is None:
        return Result(diagnostics=site_policy(None, diagnostics))
    when = now if isinstance(now, dt.datetime) else parse_now(now, site.config.timezone)
    schedule = plan(site, when, drafts=drafts)
    context = make_context(site, schedule, against, Memo.for_site(site))
    if not render:
        return Result(site, schedule, site_policy(site, diagnostics + run_checks(context)))
    from .render import PARALLEL_MIN_PAGES  # (here, not at the top: see render_site)
    from .render.reuse import load_reuse

    gc.freeze()
    gc.enable()
    reuse = load_reuse(root, previous_output) if previous_output else None
    keys: dict[str, str] = {}
    if jobs > 1 and len(site.articles) >= PARALLEL_MIN_PAGES:  # the pages render in worker processes
        # this process runs the checks while its workers render the article pages; when the checks
        # fail, the pages are dropped (the caller discards the staging folder) as if never rendered.
        # A warm build renders few pages, most of them in this process: a forked process runs the
        # checks meanwhile instead
        checked: list[Diagnostic] = []
        forked = _ForkedChecks(context) if reuse is not None else None
        try:
            files, more = render_site(site, schedule, jobs=jobs, reuse=reuse, keys=keys, stage=stage,
                                      meanwhile=lambda: checked.extend(
                                          forked.result() if forked is not None else _checks_here(context)))
        finally:
            if forked is not None:
                forked.discard()  # (interrupted before its result was read: not left running)
        diagnostics += checked
    else:
        diagnostics += _checks_here(context)
        if failed(site_policy(site, diagnostics), strict):
            return Result(site, schedule, site_policy(site, diagnostics))
        files, more = render_site(site, schedule, jobs=jobs, reuse=reuse, keys=keys, stage=stage)
    result = Result(site, schedule, site_policy(site, diagnostics))
    if result.failed(strict):
        return result
    result.diagnostics = site_policy(site, diagnostics + more)
    if not result.failed(strict):
        result.files, result.render_keys = files, keys
        result.previous = frozenset(reuse.digests) if reuse is not None else None
    return result


def render_site(*args, **kwargs):
    """render.render_site, imported when a build first renders: `site-gen check` renders nothing,
    and need not import Jinja, the views and the exports (tests/test_startup.py)."""
    from .render import render_site as render

    return render(*args, **kwargs)


class _ForkedChecks:
    """``run_checks(context)`` in a forked process, started now; ``result()`` waits for its
    diagnostics — or, if the process could not be made or did not deliver them, runs the checks here.
    Only from a process with one thread (forking copies no other thread, but any lock one held)."""

    def __init__(self, context):
        self.context, self.pid, self.fd = context, None, None
        if threading.active_count() != 1 or not hasattr(os, "fork"):
            return
        try:
            r, w = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:
            os.close(r)
            os.close(w)
            return
        if pid == 0:  # the checking process: its diagnostics down the pipe, then gone without cleanup
            try:
                os.close(r)
                data = pickle.dumps(run_checks(context), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(w, "wb") as fh:
                    fh.write(data)
            finally:
                os._exit(0)
        os.close(w)
        self.pid, self.fd = pid, r

    def result(self) -> list[Diagnostic]:
        if self.pid is None:
            return _checks_here(self.context)
        pid, self.pid = self.pid, None
        try:
            with os.fdopen(self.fd, "rb") as fh:
                data = fh.read()
        finally:
            os.waitpid(pid, 0)
        try:
            found = pickle.loads(data)
        except Exception:  # noqa: BLE001 - nothing or a part arrived: the process failed
            found = None
        return found if isinstance(found, list) else _checks_here(self.context)

    def discard(self) -> None:
        """Stop the checking process if its result was never asked for (the build was interrupted)."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass


def _checks_here(context) -> list[Diagnostic]:
    """run_checks in the build process, while or before it renders: then what the checks
    unpickled of the entries (model.Detail, kept with the site) is frozen out of the collector's
    passes like the rest of the loaded site."""
    found = run_checks(context)
    gc.freeze()
    return found
