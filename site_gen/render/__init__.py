"""Rendering: Site + Schedule → output files (bytes or a file to copy). In a build, pages are written
into write.py's staging folder as they are made, and nowhere else; otherwise nothing is written."""

from __future__ import annotations

import gc
import hashlib
import os
from dataclasses import dataclass

import jinja2

from ..diagnostics import Diagnostic, Location, diag
from ..model import Schedule, Site
from ..urls import campaign_path, entry_path, persona_path, segment_path, tag_path
from .outputs import file_digest
from .env import fingerprint_assets, make_env, reset_fragments, template_diagnostic
from . import wechat_article
from .reuse import MEMO, Unkeyable, entry_keys, fingerprint, global_key, reads_bodies
from .views import Views


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the output directory, with "/"
    data: bytes | None = None
    source: str | None = None  # a file to copy instead of data
    link: bool = False  # carried over from the previous output: hard-link ``source`` when possible
    digest: tuple[int, str] | None = None  # (bytes, sha256) when already known
    staged: bool = False  # already written at its place in the build's staging folder (``source``)


def page_file(site_path: str) -> str:
    return site_path.lstrip("/") + "index.html"


if os.sep == "/":
    def out_file(folder: str, rel: str) -> str:
        """The file of output path ``rel`` (with ``/``) in ``folder``: os.path.join, without
        splitting ``rel`` (a warm build makes 8,000 of these at 4,000 articles)."""
        return folder.rstrip("/") + "/" + rel
else:  # pragma: no cover - (site-gen runs on POSIX systems)
    def out_file(folder: str, rel: str) -> str:
        return os.path.join(folder, *rel.split("/"))


class Renderer:
    def __init__(self, site: Site, schedule: Schedule, *, env=None, views=None):
        """``env`` and ``views``: reuse a previous render's Jinja environment (its compiled templates)
        and views — the preview's incremental rebuilds (render/partial.py)."""
        self.site, self.schedule = site, schedule
        self.assets = fingerprint_assets(site.theme_dirs)
        self.env = env or make_env(site, schedule.now, self.assets, auto_reload=False)
        self.views = views or Views(site, schedule, self.env.globals["t"], self.env.globals["url"])
        self.menus = self.views.menus(site.config.menus)
        # the paths the menus open inside the site: on any other page the tab bar is the same
        self.menu_paths = frozenset(m.url for e in self.menus for m in (e, *e.items) if m.url and not m.external)
        reset_fragments(self.env)
        self.files: list[OutputFile] = []
        self.diagnostics: list[Diagnostic] = []
        self.jobs = 1
        self.reuse = None  # a reuse.Reuse: carry unchanged pages over from the last build
        self.keyed = False  # record each page's render key (a build, for the next one)
        self.keys: dict[str, str] = {}  # output path -> render key, for the next build
        self._seen_errors: set[tuple] = set()
        self.html_pages: list[str] = []  # site paths, for the sitemap
        self.stage: str | None = None  # a build's staging folder: pages are written there as they are made
        self.meanwhile = None  # work for this process while the workers render the pages (run)
        self._pending = None  # (pool, async result, diagnostics slot, job) of the pages the workers render
        self._made_dirs: set[str] = set()
        self._reads_body: dict[str, bool] = {}  # template -> can it show an entry's body (reuse.reads_bodies)
        self._cards: dict[tuple[str, bool], str] = {}  # (entry path, with its body) -> its key
        self._memo_old: dict[str, str] = {}

    def page(self, site_path: str, template: str, *, title: str, description: str = "", palette_of=None,
             image: str | None = None, kind: str = "website", draft: bool = False, sitemap: bool = True, **extra):
        v = self.views
        page = {
            "title": title, "description": description or self.site.config.description,
            "url": v.prefix + site_path, "abs_url": v.abs(site_path), "image": v.abs_link(image) if image else None,
            "type": kind, "palette": v.palette(palette_of or v.persona(None)), "draft": draft,
            "noindex": draft,
        }
        site_ctx = {"title": self.site.config.title, "base_url": self.site.config.base_url,
                    "language": self.site.config.language, "menus": self.menus, "menu_paths": self.menu_paths,
                    "default_persona": v.persona(None), "description": self.site.config.description}
        out_path = "404.html" if template == "404.html" else page_file(site_path)
        try:
            html = self.env.get_template(template).render(site=site_ctx, page=page, **extra)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
            d = template_diagnostic(exc, self.site.root, out_path)
            key = (d.location, d.message.split(": ", 1)[-1])
            if key not in self._seen_errors:
                self._seen_errors.add(key)
                self.diagnostics.append(d)
            return
        self._emit(out_path, html.encode("utf-8"))
        if sitemap and template != "404.html":
            self.html_pages.append(site_path)

    def run(self) -> None:
        site, sch, v = self.site, self.schedule, self.views
        articles = [v.entries[e.path] for e in sch.published]
        order = {"live": 0, "preheat": 1, "upcoming": 2, "ended": 3}
        campaigns = sorted(v.campaigns.values(), key=lambda c: (order[c.status], -c.starts.toordinal(), c.id))
        home_persona = v.persona(None)
        listings: list[tuple[tuple, dict]] = []  # the other pages: self.page(*args, **kwargs)

        def later(*args, **kwargs):
            listings.append((args, kwargs))

        later("/", "home.html", title=site.config.title, palette_of=home_persona, persona=home_persona,
              live_campaigns=[c for c in campaigns if c.status in ("live", "preheat")], articles=articles[:20])
        for p in sch.pages:
            view = v.entries[p.path]
            later(entry_path(p), "page.html", title=view.title, description=view.summary,
                  palette_of=view.persona, draft=view.draft, entry=view)
        later("/campaigns/", "campaigns.html", title=v.t("all_campaigns"), campaigns=campaigns)
        for c in campaigns:
            later(campaign_path(c.id), "campaign.html", title=c.title, description=c.summary,
                  palette_of=c.persona, image=c.cover, campaign=c)
        for pid, persona in v._personas.items():
            later(persona_path(pid), "persona.html", title=persona.name, description=persona.bio,
                  palette_of=persona, persona=persona, articles=[a for a in articles if a.persona and a.persona.id == pid])
        for sid, seg in sorted(site.config.segments.items()):
            camp_ids = {c.id for c in site.campaigns.values() if sid in c.segments}
            later(segment_path(sid), "segment.html", title=seg.name,
                  segment={"id": sid, "name": seg.name, "url": v.prefix + segment_path(sid)},
                  articles=[a for a in articles if any(s.id == sid for s in a.segments)
                            or (a.campaign and a.campaign.id in camp_ids)])
        tags: dict[str, list] = {}
        for a in articles:
            for tag in a.tags:
                tags.setdefault(tag.slug, []).append(a)
        for slug, tagged in sorted(tags.items()):
            tag = next(t for t in tagged[0].tags if t.slug == slug)
            later(tag_path(tag.name), "tag.html", title=f"#{tag.name}", tag=tag, articles=tagged)
        later("/404.html", "404.html", title=v.t("not_found_title"), sitemap=False)
        self.article_pages(articles, listings)
        from .outputs import extra_outputs, final_outputs

        extra_outputs(self)
        if self.meanwhile is not None:
            self.meanwhile()  # the build's checks, while the workers still render the pages
        self._join_workers()
        final_outputs(self)
        for name, (out_path, source) in self.assets.items():
            self.files.append(OutputFile(out_path, source=source))


    def article_page(self, a) -> None:
        """An article's page and its paste-ready WeChat export (article_pages has found that they
        cannot be carried over, or there is nothing to carry them over from)."""
        entry = self._entries[a.path]
        if self.keyed and self.reuse is None:  # a cold build: the key, for the next build
            self._article_key(a)
        self.page(entry_path(entry), "article.html", title=a.title, description=a.summary, palette_of=a.persona,
                  image=a.cover, kind="article", draft=a.draft, article=a)
        self.output(wechat_article.export_path(a.slug), lambda: wechat_article.export_bytes(self, entry, a))

    def _article_key(self, a) -> tuple[str, str, str, str]:
        """Record the render key of an article's page and export: (site path, page, export, key)."""
        entry = self._entries[a.path]
        site_path = entry_path(entry)
        out_path, export_path = page_file(site_path), wechat_article.export_path(a.slug)
        key = self.keys[out_path] = self.keys[export_path] = self._entry_key(entry, True)
        return site_path, out_path, export_path, key

    def _carry_article(self, a) -> bool:
        """Record the render key of an article's page and export; carry both over when they can be."""
        site_path, out_path, export_path, key = self._article_key(a)
        if self._carry(out_path, key) and self._carry(export_path, key):
            self.html_pages.append(site_path)
            return True
        return False

    def _entry_key(self, entry, body: bool) -> str:
        """An entry's card key (``body`` false) or page key (reuse.entry_keys), remembered for this render."""
        hit = self._cards.get((entry.path, body))
        if hit is None:
            self._entry_keys(entry)
            hit = self._cards[(entry.path, body)]
        return hit

    def _entry_keys(self, entry) -> None:
        """Both keys of an entry (its card's and its page's) into ``_cards``: taken from the last
        build's record when the entry's source (the cache's key of its bytes), whether it is shown
        as a preview and everything else its page depends on (the global key: site.yaml, personas,
        campaigns, theme, the day, menus) are the same; else computed. Recorded for the next build."""
        path = entry.path
        source = self.site.source_keys.get(path)
        record = f"{source} {path in self.schedule.preview:d} " if source else None
        old = self._memo_old.get(path) if record is not None else None
        kept = old[len(record):].split(" ") if type(old) is str and old.startswith(record) else ()
        if len(kept) == 2:
            card, page = kept
        else:  # none, another source's, or damaged
            card, page = entry_keys(self._global_key, entry, self.schedule)
        if record is not None:
            self.keys[MEMO + path] = f"{record}{card} {page}"
        self._cards[(path, False)], self._cards[(path, True)] = card, page

    def listing(self, args: tuple, kwargs: dict) -> None:
        """Render a page other than an article's (``self.page``'s arguments) that article_pages has
        found cannot be carried over, or has nothing to carry over from."""
        if self.keyed and self.reuse is None:  # a cold build: the key, for the next build
            self._listing_key(args, kwargs)
        self.page(*args, **kwargs)

    def _carry_listing(self, args: tuple, kwargs: dict) -> bool:
        """A page other than an article's (``self.page``'s arguments) is carried over like an
        article's page when its key is the previous build's: the page's arguments, with each entry
        shown by the key of its card — or of its whole page, when the template can show its body.
        A build records the key (a cold one too, for the next build); the preview does not."""
        keyed = self._listing_key(args, kwargs)
        if keyed is None:
            return False
        site_path, template = args
        out_path, key = keyed
        if not self._carry(out_path, key):
            return False
        if kwargs.get("sitemap", True) and template != "404.html":
            self.html_pages.append(site_path)
        return True

    def _listing_key(self, args: tuple, kwargs: dict) -> tuple[str, str] | None:
        """Record the render key of a listing page: (its output path, the key); None: it has none,
        and is always rendered."""
        if not self.keyed:
            return None
        site_path, template = args
        out_path = "404.html" if template == "404.html" else page_file(site_path)
        if template not in self._reads_body:
            self._reads_body[template] = reads_bodies(self.env, template)
        body = self._reads_body[template]

        def card(view) -> str:
            return self._entry_key(view.source, body)

        parts = [self._global_key, site_path, template]
        try:
            for name in sorted(kwargs):
                parts.append(name)
                fingerprint(kwargs[name], card, parts)
        except Unkeyable:
            return None
        key = self.keys[out_path] = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        return out_path, key

    def _carry(self, out_path: str, key: str) -> bool:
        old = self.reuse
        if old is None or old.keys.get(out_path) != key or out_path not in old.digests:
            return False
        source = out_file(old.prev_dir, out_path)
        if not os.path.isfile(source):
            return False
        # not linked here: write_site takes whole folders of carried files over from the previous
        # output when it swaps the new one in (one rename instead of a link per file), and links
        # the rest
        self.files.append(OutputFile(out_path, source=source, link=True, digest=old.digests[out_path]))
        return True

    def _folder(self, target: str) -> None:
        folder = os.path.dirname(target)
        if folder not in self._made_dirs:
            try:
                os.mkdir(folder)  # (an article's own folder: its parent is there already)
            except FileExistsError:
                pass
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            self._made_dirs.add(folder)

    def output(self, out_path: str, make) -> None:
        """A non-page output that belongs to one entry (``make()`` gives its bytes)."""
        self._emit(out_path, make())

    def _emit(self, out_path: str, data: bytes) -> None:
        """Keep an output file — in a build, written straight into the staging folder by whichever
        process made it (the workers write in parallel, and no page's bytes travel back to the
        parent or stay in memory); in the preview and for tests, in memory."""
        if self.stage is not None:
            target = out_file(self.stage, out_path)
            try:
                self._folder(target)
                _write_file(target, data)
            except OSError:
                pass  # kept in memory: write_site writes it again, and reports what fails (OUT001)
            else:
                self.files.append(OutputFile(out_path, source=target, staged=True,
                                             digest=(len(data), file_digest(data))))
                return
        self.files.append(OutputFile(out_path, data))

    def article_pages(self, articles: list, listings: list = ()) -> None:
        """Every article's page and the ``listings`` (``self.page`` arguments). When there are many
        to render: ``self.jobs - 1`` forked workers start on them at once, and this process joins
        in after its other work (see _join_workers). The pages that can be carried over from the
        previous output are sorted out here first. Workers inherit this renderer (compiled
        templates, views) by fork and send back the files they wrote."""
        # (hashed: it goes into every entry's and listing's key)
        self._global_key = hashlib.sha256((global_key(self.site, self.schedule) + repr(self.menus)).encode()).hexdigest()
        self._entries = {e.path: e for e in self.schedule.published}
        self._memo_old = {}  # entry path -> the last build's record of its keys (_entry_keys)
        if self.keyed:
            memo = self.keys[MEMO] = hashlib.sha256(self._global_key.encode()).hexdigest()
            if self.reuse is not None and self.reuse.keys.get(MEMO) == memo:
                cut = len(MEMO)
                self._memo_old = {k[cut:]: v for k, v in self.reuse.keys.items() if k.startswith(MEMO)}
        if self.reuse is not None:  # (else each page's key is recorded where it is rendered, in parallel)
            listings = [(args, kwargs) for args, kwargs in listings if not self._carry_listing(args, kwargs)]
            articles = [a for a in articles if not self._carry_article(a)]
        # a listing page shows hundreds of cards: it costs about as much as 20 article pages
        if self.jobs <= 1 or len(articles) + 20 * len(listings) < PARALLEL_MIN_PAGES:
            for args, kwargs in listings:  # the home page first: a template error names it
                self.listing(args, kwargs)
            for a in articles:
                self.article_page(a)
            return
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        step = max(1, min(64, -(-len(articles) // (self.jobs * 8))))
        tasks = [("listings", i, i + 4) for i in range(0, len(listings), 4)]  # in the same order
        tasks += [("articles", i, i + step) for i in range(0, len(articles), step)]
        job = _forked["job"] = (self, articles, listings, tasks, ctx.Value("i", 0), set(self._seen_errors))
        gc.freeze()  # the views too: the collector's passes (build.py) need not scan them
        try:
            # jobs - 1 workers: this process renders too, once it has made the other outputs and run
            # the checks (one process less holding the loaded site: less memory, the same speed)
            pool = ctx.Pool(self.jobs - 1)
        finally:
            _forked.clear()
        self._pending = (pool, pool.map_async(_render_claimed, range(self.jobs - 1), chunksize=1),
                         len(self.diagnostics), job)

    def _join_workers(self) -> None:
        """Render what the workers have not claimed yet, then collect what they rendered (this
        process made the feeds, QR codes and menus and ran the checks meanwhile)."""
        if self._pending is None:
            return
        pool, pending, slot, job = self._pending
        self._pending = None
        mine = (self.files, self.diagnostics, self.html_pages, self.keys, self._seen_errors)
        self._seen_errors = set(job[5])  # as a worker has it
        try:
            parts = _claim_and_render(*job[:5])
        finally:
            self.files, self.diagnostics, self.html_pages, self.keys, self._seen_errors = mine
        with pool:
            for more in pending.get():
                parts += more
        parts.sort(key=lambda part: part[0])  # task order, whoever rendered it
        # the workers' diagnostics go before what this process found meanwhile, as if it had
        # waited (one template error is reported once, naming the same page as with --jobs 1)
        later = self.diagnostics[slot:]
        del self.diagnostics[slot:]
        self._seen_errors = {(d.location, d.message.split(": ", 1)[-1]) for d in self.diagnostics}
        found = []
        for _, files, diagnostics, pages, keys in parts:
            self.files.extend(files)
            self.html_pages.extend(pages)
            self.keys.update(keys)
            found += diagnostics
        for d in found + later:
            key = (d.location, d.message.split(": ", 1)[-1])
            if key not in self._seen_errors:
                self._seen_errors.add(key)
                self.diagnostics.append(d)


def _write_file(path: str, data: bytes) -> None:
    """open(path, "wb").write(data) in three system calls (a file object costs a third more: 8,000
    files a cold build at 4,000 articles)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


PARALLEL_MIN_PAGES = 300
_forked: dict = {}  # the job a forked worker inherits (set only around one pool's lifetime)


def _claim_and_render(renderer, articles, listings, tasks, counter) -> list[tuple]:
    """Render tasks, claimed one at a time from the shared ``counter``, until none is left: (task
    index, files, diagnostics, site paths, keys) for each."""
    out = []
    while True:
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        if i >= len(tasks):
            return out
        renderer.files, renderer.diagnostics, renderer.html_pages, renderer.keys = [], [], [], {}
        kind, start, end = tasks[i]
        if kind == "articles":
            for a in articles[start:end]:
                renderer.article_page(a)
        else:
            for args, kwargs in listings[start:end]:
                renderer.listing(args, kwargs)
        out.append((i, renderer.files, renderer.diagnostics, renderer.html_pages, renderer.keys))


def _render_claimed(_worker: int) -> list[tuple]:
    """A render worker's whole job: the one it inherited when forked."""
    return _claim_and_render(*_forked["job"][:5])


def render_site(site: Site, schedule: Schedule, jobs: int = 1, reuse=None, keys: dict | None = None,
                stage: str | None = None, meanwhile=None) -> tuple[list[OutputFile], list[Diagnostic]]:
    """Render the whole site. ``reuse``: carry unchanged article pages over from the previous
    output (render/reuse.py); ``keys`` receives each article page's render key; ``stage``: a
    folder to write pages into as they are made (write.py's staging folder); ``meanwhile``: called
    once, while worker processes render the article pages (when they do)."""
    r = Renderer(site, schedule)
    r.jobs, r.reuse, r.stage, r.meanwhile = jobs, reuse, stage, meanwhile
    r.keyed = keys is not None
    r.run()
    if keys is not None:
        keys.update(r.keys)
    diagnostics = list(r.diagnostics)
    generated = {f.path for f in r.files}
    for rel in site.static_files:
        if rel in generated:
            diagnostics.append(diag("URL001", Location("static/" + rel, 1, 1),
                                    f"static/{rel} and a generated page both produce /{rel}",
                                    "rename or move the static file"))
            continue
        r.files.append(OutputFile(rel, source=os.path.join(site.root, "static", rel)))
    from .outputs import headers_file, manifest_bytes

    r.files.append(OutputFile("_headers", headers_file([f.path for f in r.files])))
    files = []
    manifest = []
    for f in sorted(r.files, key=lambda f: f.path):
        if f.digest is not None:
            manifest.append((f.path, f.digest[0], f.digest[1]))
            files.append(f)
            continue
        data = f.data
        if data is None:
            try:
                with open(f.source, "rb") as fh:
                    data = fh.read()
            except FileNotFoundError:
                continue  # a static file deleted while the build ran: it is simply not published
        manifest.append((f.path, len(data), file_digest(data)))
        files.append(f)
    files.append(OutputFile("manifest.json", manifest_bytes(manifest)))
    files.sort(key=lambda f: f.path)
    return files, diagnostics


__all__ = ["OutputFile", "render_site"]
