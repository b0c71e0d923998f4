"""URL001: two sources, one URL (also when they differ only by case or Unicode normalisation).
URL002 (unsafe slugs and ids) is reported while loading, where the slug is read."""

from __future__ import annotations

from typing import Iterable

from ..diagnostics import Diagnostic, Location, diag
from ..urls import collision_key, entry_path

_RESERVED = {"/": "the home page", "/campaigns/": "the campaign list", "/articles/": "the articles folder",
             "/personas/": "the personas folder", "/segments/": "the segments folder", "/tags/": "the tags folder",
             "/assets/": "the theme assets", "/qr/": "the QR codes", "/wechat/": "the WeChat exports"}


def check(ctx) -> Iterable[Diagnostic]:
    seen: dict[str, tuple[str, str]] = {}  # key -> (url, path)
    for key, label in _RESERVED.items():
        seen[key] = (key, label)
    for e in sorted(ctx.site.articles + ctx.site.pages, key=lambda e: e.path):
        url = entry_path(e)
        key = collision_key(url)
        if key in seen:
            other_url, other = seen[key]
            where = e.locs.get("slug", Location(e.path, 1, 1))
            if other in _RESERVED.values():
                yield diag("URL001", where, f"{e.path} would be written to {url}, which is {other}",
                           "give the file another name or a `slug:` of its own")
            else:
                same = collision_key(e.path) == collision_key(other)
                note = (" (the two names differ only in upper/lower case or in how an accented letter is "
                        "encoded, so they look alike)") if same else ""
                yield diag("URL001", where, f"{e.path} and {other} both produce {url}{note}",
                           f"give one of them another file name or a `slug:` (the other is {other})")
            continue
        seen[key] = (url, e.path)
