"""Loading: site.yaml and content/ into a Site model, with diagnostics."""

from __future__ import annotations

import os
from types import MappingProxyType

from ..config import UsageError, load_config
from ..diagnostics import Diagnostic
from ..model import Site
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


def load_site(root: str, base_url: str | None = None) -> tuple[Site | None, list[Diagnostic]]:
    config, diagnostics = load_config(root, base_url)
    if config is None:
        return None, diagnostics
    themes = theme_dirs(root, config.theme)
    md = make_markdown(config.markdown_html, config.base_path)

    personas, campaigns, unloaded = {}, {}, set()
    for kind, loader, bucket in (("persona", load_persona, personas), ("campaign", load_campaign, campaigns)):
        for rel in walk(root, f"content/{kind}s", (".yaml", ".yml")):
            obj, more = loader(root, rel)
            diagnostics += more
            if obj:
                bucket[obj.id] = obj
            else:
                unloaded.add(f"{kind}:{rel.rsplit('/', 1)[-1].rsplit('.', 1)[0]}")
    articles, pages = [], []
    for kind, top, bucket in (("article", "content/articles", articles), ("page", "content/pages", pages)):
        for rel in walk(root, top, (".md", ".markdown")):
            entry, more = load_entry(root, rel, kind, md, config.timezone)
            diagnostics += more
            if entry:
                bucket.append(entry)
    articles.sort(key=lambda e: e.sort_key)
    pages.sort(key=lambda e: e.path)
    static = tuple(p[len("static/"):] for p in walk(root, "static", ("",)))
    site = Site(root=root, config=config, personas=MappingProxyType(personas),
                campaigns=MappingProxyType(campaigns), articles=tuple(articles), pages=tuple(pages),
                static_files=static, theme_dirs=themes, unloaded=frozenset(unloaded))
    return site, diagnostics
