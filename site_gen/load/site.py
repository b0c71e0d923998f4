"""Loading: site.yaml and content/ into a Site model, with diagnostics."""

from __future__ import annotations

import os
import pickle
from types import MappingProxyType

from ..checks.originality import use_numpy
from ..config import UsageError, load_config
from ..diagnostics import Diagnostic
from ..model import Heavy, Site
from ..slugs import Helper, remember, slugify
from .cache import CACHE_DIR, EntryCache
from .content import load_campaign, load_entry, load_persona
from .files import walk
from .markdown import make_markdown

BUILTIN_THEMES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "themes")


def theme_dirs(root: str, theme: str) -> tuple[str, ...]:
    dirs = tuple(d for d in (os.path.join(root, "themes", theme), os.path.join(BUILTIN_THEMES, theme))
                 if os.path.isdir(d))
    if not dirs:
        raise UsageError(f"unknown theme `{theme}`: there is no themes/{theme}/ in the site and no built-in "
                         "theme of that name (set `theme: default` in site.yaml)")
    return dirs


# Per-process state of a loading worker (a fresh process each pool): the Markdown parser and the
# cache it writes to. Workers store what they parse themselves, so cache writes run in parallel.
_worker: dict = {}


def _init_worker(html: bool, base_path: str, cache: EntryCache) -> None:
    _worker["md"] = make_markdown(html, base_path)
    _worker["cache"] = cache


def _load_one(root: str, rel: str, kind: str, tz, key: str | None) -> tuple[bytes, tuple | None]:
    """In a worker: the entry pickled once, for the cache and for the parent alike (slim, with
    where its body is, when it was stored)."""
    return _parse_and_store(root, rel, kind, _worker["md"], tz, _worker["cache"], key, pickled=True)[1:]


def _load_star(args: tuple) -> tuple[bytes, tuple | None]:
    return _load_one(*args)


def _parse_and_store(root: str, rel: str, kind: str, md, tz, cache: EntryCache, key: str | None,
                     pickled: bool = False):
    """((entry, diagnostics), the same pickled when ``pickled``, where its body is stored or None)"""
    entry, diagnostics = load_entry(root, rel, kind, md, tz)
    blob, where = cache.put(key, (entry, diagnostics), pickled=pickled)
    if where is not None and not pickled:
        cache.attach((entry, diagnostics), where)  # stored: its body is read back when needed
    return (entry, diagnostics), blob, where


PARALLEL_MIN_FILES = 300  # below this a process pool costs more than it saves


def load_entries(root: str, sources: list[tuple[str, str]], config, jobs: int, cache: EntryCache) -> list[tuple]:
    """Load (rel, kind) sources: from the cache, else parsed (and stored) — in a pool of ``jobs``
    processes when there are many. Order is kept."""
    # the tags' slugs are made by one helper process as the entries arrive, not by each worker:
    # pinyin's tables take each process that needs them about 0.17 s to load (slugs.Helper). For a
    # cold load of many sources of a Chinese site it is forked first and loads them while this
    # process reads every source for its cache key, with the other core idle
    early = Helper(prime=True) if (jobs > 1 and len(sources) >= PARALLEL_MIN_FILES and cache.cold
                                   and config.language.lower().startswith("zh")) else None
    try:
        keys = [cache.key(root, rel, kind) for rel, kind in sources]
        cache.begin(keys)
        results: list = [cache.get(k) for k in keys]
        todo = [i for i, r in enumerate(results) if r is None]
        tz = config.timezone
        use_numpy(len(todo))  # (imported before any worker is forked)
        if jobs <= 1 or len(todo) < PARALLEL_MIN_FILES:
            md = make_markdown(config.markdown_html, config.base_path) if todo else None
            fresh = [_parse_and_store(root, *sources[i], md, tz, cache, keys[i])[0] for i in todo]
        else:
            import multiprocessing

            ctx = multiprocessing.get_context("fork")
            slugs, early = early or Helper(), None  # (forked before the pool: no thread of it runs yet)
            try:
                with ctx.Pool(jobs, initializer=_init_worker, initargs=(config.markdown_html, config.base_path, cache)) as pool:
                    # imap, not map: each entry is unpickled as its chunk arrives, so this process never
                    # holds all the pickles at once (freed, their memory would stay with the process)
                    fresh = []
                    for i, (blob, where) in zip(todo, pool.imap(_load_star, [(root, *sources[i], tz, keys[i]) for i in todo],
                                                                chunksize=max(8, min(64, len(todo) // (jobs * 8))))):
                        value = cache.stored(keys[i], blob, where) if where else pickle.loads(blob)
                        fresh.append(value)
                        if value[0] is not None:
                            slugs.send(value[0].tags)
                slugs.collect()
            finally:
                slugs.stop()
    finally:
        if early is not None:
            early.stop()  # (not used: the load parsed in this process after all, or was cut short)
    for i, value in zip(todo, fresh):
        results[i] = value
    return results


def _tag_slugs(loaded: list) -> dict[str, str]:
    """Each tag of the loaded entries and its slug (recorded in the cache: a warm build then never
    imports pinyin for a tag it has seen)."""
    return {tag: slugify(tag) for entry, _ in loaded if entry is not None for tag in entry.tags}


def _reparser(root: str, config):
    """Parse an entry again for its heavy part, when its bundle went away after loading (another
    build with other settings pruned it)."""
    made: list = []

    def reparse(rel: str, kind: str) -> tuple:
        if not made:
            made.append(make_markdown(config.markdown_html, config.base_path))
        entry, _ = load_entry(root, rel, kind, made[0], config.timezone)
        if entry is None:  # changed on disk meanwhile into something unreadable
            return ("", "", ())
        return entry.heavy.data

    return reparse


def load_site(root: str, base_url: str | None = None, jobs: int = 1,
              use_cache: bool = True) -> tuple[Site | None, list[Diagnostic]]:
    config, diagnostics = load_config(root, base_url)
    if config is None:
        return None, diagnostics
    themes = theme_dirs(root, config.theme)

    personas, campaigns, unloaded = {}, {}, set()
    for kind, loader, bucket in (("persona", load_persona, personas), ("campaign", load_campaign, campaigns)):
        for rel in walk(root, f"content/{kind}s", (".yaml", ".yml")):
            obj, more = loader(root, rel)
            diagnostics += more
            if obj:
                bucket[obj.id] = obj
            else:
                unloaded.add(f"{kind}:{rel.rsplit('/', 1)[-1].rsplit('.', 1)[0]}")
    sources = [(rel, kind) for kind, top in (("article", "content/articles"), ("page", "content/pages"))
               for rel in walk(root, top, (".md", ".markdown"))]
    cache = EntryCache(root, f"{config.markdown_html}\0{config.base_path}\0{config.timezone.key}", use_cache)
    for tag, slug in cache.slugs.items():
        remember(tag, slug)
    Heavy.reparse[root] = _reparser(root, config)
    articles, pages = [], []
    loaded = load_entries(root, sources, config, jobs, cache)
    cache.record_slugs(_tag_slugs(loaded))
    cache.finish()
    cache.prune()
    cache.save_sources()
    for entry, more in loaded:
        diagnostics += more
        if entry:
            (articles if entry.kind == "article" else pages).append(entry)
    articles.sort(key=lambda e: e.sort_key)
    pages.sort(key=lambda e: e.path)
    static = tuple(p[len("static/"):] for p in walk(root, "static", ("",)))
    site = Site(root=root, config=config, personas=MappingProxyType(personas),
                campaigns=MappingProxyType(campaigns), articles=tuple(articles), pages=tuple(pages),
                static_files=static, theme_dirs=themes, unloaded=frozenset(unloaded),
                cache_dir=os.path.join(root, CACHE_DIR) if cache.enabled else None, source_keys=cache.source_keys())
    return site, diagnostics
