"""Warm builds: an article page whose inputs did not change since the last successful build into
the same output folder is carried over from that output (a hard link), not rendered again.

The key of a page is a hash of everything its HTML depends on: site-gen's version, the theme's
files, site.yaml, every persona and campaign file, the build's day (campaign status), the
base URL, and the article's own model and effective action. The keys of the last build live in
``.site-gen-cache/render-<output hash>.json``; the previous output's ``manifest.json`` supplies
sizes and digests, so carried files are not read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

from .. import __version__
from ..load.cache import CACHE_DIR
from ..model import Entry, Schedule, Site


@dataclass
class Reuse:
    prev_dir: str
    keys: dict[str, str]  # output path -> key, from the last build
    digests: dict[str, tuple[int, str]]  # output path -> (bytes, sha256), from its manifest


def _keys_file(root: str, out_abs: str) -> str:
    return os.path.join(root, CACHE_DIR, f"render-{hashlib.sha256(out_abs.encode()).hexdigest()[:16]}.json")


def load_reuse(root: str, out_abs: str) -> Reuse | None:
    try:
        with open(_keys_file(root, out_abs), encoding="utf-8") as fh:
            keys = json.load(fh)
        with open(os.path.join(out_abs, "manifest.json"), encoding="utf-8") as fh:
            manifest = json.load(fh)
        digests = {f["path"]: (f["bytes"], f["sha256"]) for f in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Reuse(out_abs, keys, digests)


def save_keys(root: str, out_abs: str, keys: dict[str, str]) -> None:
    path = _keys_file(root, out_abs)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(keys, fh, sort_keys=True)
        os.replace(tmp, path)
    except OSError:
        pass  # no cache: the next build renders everything


def global_key(site: Site, schedule: Schedule) -> str:
    h = hashlib.sha256(f"{__version__}\0{site.config.base_url}\0{schedule.now.date()}\0".encode())
    paths = ["site.yaml"] + sorted(p.path for p in site.personas.values()) + sorted(
        c.path for c in site.campaigns.values())
    for rel in paths:
        h.update(rel.encode() + b"\0")
        with open(os.path.join(site.root, rel), "rb") as fh:
            h.update(fh.read())
    for d in site.theme_dirs:
        for dirpath, dirnames, filenames in os.walk(d):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                if not os.path.isfile(full):
                    continue  # a named pipe would block the build; a broken link has nothing to read
                h.update(os.path.relpath(full, d).encode() + b"\0")
                with open(full, "rb") as fh:
                    h.update(fh.read())
    h.update(repr(sorted(schedule.campaign_status.items())).encode())
    return h.hexdigest()


def entry_key(base: str, e: Entry, schedule: Schedule) -> str:
    parts = (base, e.path, e.slug, e.title, e.summary, e.persona, e.campaign, e.cover, e.date, e.updated,
             e.tags, e.segments, e.reading_minutes, schedule.phase.get(e.path), schedule.cta.get(e.path),
             e.path in schedule.preview)
    return hashlib.sha256(repr(parts + (e.digest,)).encode()).hexdigest()  # digest: of the body's HTML
