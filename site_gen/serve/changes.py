"""What a batch of changed files means for the preview: which rebuild it takes."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

ENTRY_DIRS = ("content/articles/", "content/pages/")
ENTRY_SUFFIXES = (".md", ".markdown")


@dataclass
class Changes:
    full: list[str] = field(default_factory=list)  # changes that need a full rebuild
    entries: set[str] = field(default_factory=set)  # articles and pages (changed, added or deleted)
    assets: set[str] = field(default_factory=set)  # theme assets changed in place (CSS, JS …)
    static: set[str] = field(default_factory=set)  # files in static/ changed in place

    def __bool__(self) -> bool:
        return bool(self.full or self.entries or self.assets or self.static)

    def describe(self) -> str:
        shown = sorted(set(self.full) | self.entries | self.assets | self.static)
        return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")


def classify(root: str, paths: set[str], dirs: set[str], *, theme: str, asset_names: set[str],
             static_files: set[str]) -> Changes:
    """``paths``: changed files, ``dirs``: directories created, moved or deleted (relative to the
    root, with "/"). ``asset_names``: the theme's assets as the last render fingerprinted them;
    ``static_files``: the files under static/ it copied."""
    out = Changes()
    theme_static = f"themes/{theme}/static/"
    for rel in sorted(dirs):
        if rel.startswith(("content/", "static/", f"themes/{theme}/")) or rel in ("content", "static", "themes"):
            out.full.append(rel + "/")
    for rel in sorted(paths):
        exists = os.path.isfile(os.path.join(root, rel))
        if rel.startswith(ENTRY_DIRS):
            if rel.endswith(ENTRY_SUFFIXES):
                out.entries.add(rel)
        elif rel.startswith(theme_static):
            name = rel[len(theme_static):]
            (out.assets.add if exists and name in asset_names else out.full.append)(rel)
        elif rel.startswith("static/"):
            (out.static.add if exists and rel[len("static/"):] in static_files else out.full.append)(rel)
        elif rel == "site.yaml" or rel.startswith(("content/personas/", "content/campaigns/", f"themes/{theme}/")):
            out.full.append(rel)
    return out
