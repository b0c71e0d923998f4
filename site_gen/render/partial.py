"""Render a subset of the site's pages with the normal Renderer (the preview's incremental rebuilds).

The preview keeps one Jinja environment (compiled templates) and one set of views between edits.
After an article or page changes it:

1. updates the views for just the changed entries (:func:`update_views`) and renders the changed
   entries' own pages (:func:`render_entries`) — the page the editor is looking at;
2. renders every page that is not another entry's own page (home, campaigns, personas, tags,
   segments, indexes …) and every non-page output (:func:`render_subset`). Which listing pages an
   entry appears on is the theme's business, so all of them are redone; only the pages that belong
   to the *other* entries (:func:`owned_by`) keep their bytes.

``tests/test_serve_http.py`` checks that the result is byte-identical to a full build.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..diagnostics import Diagnostic
from ..model import Entry, Schedule, Site
from ..urls import entry_path
from . import OutputFile, Renderer, page_file
from .outputs import file_digest, headers_file, manifest_bytes
from .views import Views

# Outputs that depend on every other file: the preview recomputes them after each change.
SUMMARY_FILES = ("_headers", "manifest.json")


class Interrupted(Exception):
    """A newer change is waiting: the subset render was given up."""


class _Outputs(list):
    """The renderer's output list, watched: each new file is handed to ``publish`` at once (a
    waiting request need not wait for the whole subset), and a newer change interrupts the render
    between two files."""

    def __init__(self, publish: Callable[[OutputFile], None] | None, interrupted: Callable[[], bool]):
        super().__init__()
        self.publish, self.interrupted = publish, interrupted

    def append(self, f: OutputFile) -> None:
        if self.interrupted():
            raise Interrupted
        super().append(f)
        if self.publish is not None and f.source is None:
            self.publish(f)


class _Subset(Renderer):
    """A Renderer that renders only the pages ``skip`` does not name; the skipped ones are only
    listed (for the sitemap). ``page_outputs`` records every page the full site has."""

    def __init__(self, site: Site, schedule: Schedule, skip: Callable[[str], bool], *, env=None, views=None,
                 interrupted: Callable[[], bool] = lambda: False, publish=None):
        super().__init__(site, schedule, env=env, views=views)
        self.skip = skip
        self.files = _Outputs(publish, interrupted)
        self.page_outputs: set[str] = set()

    def page(self, site_path: str, template: str, **kw):
        out_path = "404.html" if template == "404.html" else page_file(site_path)
        self.page_outputs.add(out_path)
        if not self.skip(out_path):
            return super().page(site_path, template, **kw)
        if kw.get("sitemap", True) and template != "404.html":
            self.html_pages.append(site_path)
        return None

    def output(self, out_path: str, make) -> None:
        self.page_outputs.add(out_path)
        if not self.skip(out_path):
            super().output(out_path, make)


@dataclass
class Subset:
    """What a partial render produced."""

    pages: dict[str, OutputFile]  # the pages rendered
    others: dict[str, OutputFile]  # every non-page output: feeds, sitemap, QR codes, menus, exports …
    diagnostics: list[Diagnostic] = field(default_factory=list)
    page_outputs: set[str] = field(default_factory=set)  # every page of the site, rendered or not


def owned_by(entries: Iterable[Entry]) -> Callable[[str], bool]:
    """A test for output paths: does it belong to one of these entries alone — the entry's page, or
    a per-article output ``…/articles/<slug>/…``, ``…/articles/<slug>.html`` or ``qr/<slug>/…``
    (such as the WeChat export and its preview page)?"""
    entries = list(entries)
    slugs = {e.slug for e in entries if e.kind == "article"}
    pages = {page_file(entry_path(e)) for e in entries}

    def test(out_path: str) -> bool:
        if out_path in pages:
            return True
        parts = out_path.split("/")
        if len(parts) == 3 and parts[0] == "qr":
            return parts[1] in slugs
        for i in range(len(parts) - 1):
            if parts[i] == "articles":
                name = parts[i + 1]
                if i + 2 == len(parts) and name.endswith(".html"):
                    name = name[:-5]
                return name in slugs
        return False

    return test


def render_subset(site: Site, schedule: Schedule, skip: Callable[[str], bool], *, env=None,
                  views: Views | None = None, interrupted: Callable[[], bool] = lambda: False,
                  publish: Callable[[OutputFile], None] | None = None) -> Subset:
    """Render every page ``skip`` does not name, and every non-page output (not the assets, which are
    files to copy); ``publish`` gets each file as soon as it is made. Raises :class:`Interrupted`
    when ``interrupted()`` turns true."""
    r = _Subset(site, schedule, skip, env=env, views=views, interrupted=interrupted, publish=publish)
    r.run()
    pages, others = {}, {}
    for f in r.files:
        if f.path in r.page_outputs:
            pages[f.path] = f
        elif f.source is None:
            others[f.path] = f
    return Subset(pages, others, list(r.diagnostics), r.page_outputs)


def render_entries(site: Site, schedule: Schedule, paths: set[str], *, env=None,
                   views: Views | None = None) -> Subset:
    """Render only the own pages of the entries at ``paths`` (source paths) that are shown — the
    fast first step after an edit; nothing else is walked. The calls mirror Renderer.run."""
    r = Renderer(site, schedule, env=env, views=views)
    v = r.views
    for e in schedule.published:
        if e.path in paths:
            a = v.entries[e.path]
            r.page(entry_path(e), "article.html", title=a.title, description=a.summary, palette_of=a.persona,
                   image=a.cover, kind="article", draft=a.draft, article=a)
    for p in schedule.pages:
        if p.path in paths:
            view = v.entries[p.path]
            r.page(entry_path(p), "page.html", title=view.title, description=view.summary,
                   palette_of=view.persona, draft=view.draft, entry=view)
    return Subset({f.path: f for f in r.files}, {}, list(r.diagnostics))


def update_views(old: Views, site: Site, schedule: Schedule, changed: dict[str, Entry | None]) -> Views:
    """The views of ``site`` built from ``old`` by rebuilding only the ``changed`` entries (source path
    -> the entry now, None when it is gone). Everything else a view holds depends on personas,
    campaigns, config and "now", which an entry edit does not change (those take a full rebuild)."""
    v = copy.copy(old)
    v.site, v.schedule = site, schedule
    v.entries = dict(old.entries)
    shown = set(map(id, schedule.published + schedule.pages))
    for path, e in changed.items():
        v.entries.pop(path, None)
        if e is not None and id(e) in shown:
            v.entries[path] = v._entry(e)
    # campaign pages list their articles: when a changed entry is (or was) in one, rebuild those
    # lists in schedule order (as Views.__init__ does)
    touched = [x for x in (old.entries.get(p) for p in changed) if x is not None]
    touched += [v.entries[p] for p in changed if p in v.entries]
    if any(x.campaign is not None for x in touched):
        for c in v.campaigns.values():
            c.articles = []
            c.articles_by_phase = {}
        for e in schedule.published:
            view = v.entries[e.path]
            if view.campaign is not None:
                view.campaign.articles.append(view)
                view.campaign.articles_by_phase.setdefault(view.phase or "live", []).append(view)
    return v


def summary_files(files: dict[str, OutputFile], digests: dict[str, tuple[object, str]]) -> list[OutputFile]:
    """``_headers`` and ``manifest.json`` for ``files`` (as render_site makes them). ``digests``
    caches each file's sha256 by the identity of its data (or its source path and mtime)."""
    paths = sorted(p for p in files if p not in SUMMARY_FILES)
    headers = OutputFile("_headers", headers_file(paths))
    manifest = []
    for path in sorted(paths + ["_headers"]):
        f = headers if path == "_headers" else files[path]
        key: object = f.data if f.data is not None else (f.source, _mtime(f.source))
        hit = digests.get(path)
        if hit is not None and (hit[0] is key or hit[0] == key):
            size, digest = hit[1]
        else:
            data = f.data if f.data is not None else _read(f.source)
            size, digest = len(data), file_digest(data)
            digests[path] = (key, (size, digest))
        manifest.append((path, size, digest))
    return [headers, OutputFile("manifest.json", manifest_bytes(manifest))]


def _mtime(path: str | None) -> float:
    try:
        return os.stat(path).st_mtime_ns if path else 0
    except OSError:
        return 0


def _read(path: str | None) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except (OSError, TypeError):
        return b""
