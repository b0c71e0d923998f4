"""Warm builds: a page whose inputs did not change since the last successful build into the same
output folder is carried over from that output, not rendered again.

The key of a page is a hash of everything its HTML depends on: site-gen's version, the theme's
files, site.yaml, every persona and campaign file, the build's day (campaign status), the
base URL and the menus, and then

- for an article's page and its WeChat export: the article's own model and effective action;
- for any other page (home, campaigns, personas, segments, tags, pages, 404): its template's
  arguments, each entry among them by the key of its card (its model without its body) — or of its
  whole page, when the template or anything it includes names ``body_html`` or ``source``
  (:func:`reads_bodies`). So a body edit renders the article's page again and no listing page; a
  new title renders the pages that list the article.

The keys of the last build live in ``.site-gen-cache/render-<output hash>.json``; the previous
output's ``manifest.json`` supplies sizes and digests, so carried files are not read again.

The same file keeps, under names that cannot be output paths (``MEMO`` + an entry's path), each
entry's two keys with what they were computed from: the cache's key of the entry's source, whether
it was shown as a preview, and (under ``MEMO`` alone) a hash of the global key. A warm build whose
global key is the same takes an unchanged entry's keys from there instead of computing them (about
a tenth of a warm build at 4,000 articles: Renderer._entry_keys).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass

from .. import __version__
from ..load.cache import CACHE_DIR
from ..model import Entry, Schedule, Site


MEMO = "\0entry:"  # render keys file: the per-entry record of keys (no output path starts with NUL)


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
    if not isinstance(keys, dict):
        return None  # damaged: everything is rendered (a key that is not a string matches no page's)
    return Reuse(out_abs, keys, digests)


def save_keys(root: str, out_abs: str, keys: dict[str, str]) -> None:
    path = _keys_file(root, out_abs)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(keys, sort_keys=True))  # dumps: the C encoder in one go (dump streams in Python)
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


def entry_parts(base: str, e: Entry, schedule: Schedule) -> str:
    """Everything an entry's page depends on but its body, as text (its action without the places
    in the file it was read from, which move when the body above it changes)."""
    cta = schedule.cta.get(e.path)
    return repr((base, e.path, e.slug, e.title, e.summary, e.persona, e.campaign, e.cover, e.date, e.updated,
                 e.tags, e.segments, e.reading_minutes, schedule.phase.get(e.path),
                 cta and (cta.text, cta.url, cta.kind, cta.keyword, cta.source), e.path in schedule.preview))


def entry_keys(base: str, e: Entry, schedule: Schedule) -> tuple[str, str]:
    """(the key of an entry's card, of its own page): the card's covers everything but its body
    (what a listing page that shows the entry as a card can depend on), the page's the body too."""
    parts = entry_parts(base, e, schedule)
    return tuple(hashlib.sha256(f"{parts}\0{digest}".encode()).hexdigest()  # digest: of the body's HTML
                 for digest in ("", e.digest))


# --------------------------------------------------------------------------- listing pages

# Words through which a template can reach an entry's body (EntryView.body_html, or the model entry
# behind a view). A listing page whose templates never name one depends on the cards it lists only.
_BODY_WORDS = re.compile(r"\b(?:body_html|source)\b")


# {% include/extends/import/from <what> … %}: <what> must be a quoted name for reads_bodies to follow it
_REFERENCE = re.compile(r"\{%[-+]?\s*(?:include|extends|import|from)\s+(.*?)[-+]?%\}", re.S)
_QUOTED = re.compile(r"""(?:"([^"\\]*)"|'([^'\\]*)')""")


def reads_bodies(env, template: str) -> bool:
    """Can ``template`` (with everything it includes, extends or imports) show an entry's body? Read
    from the sources, conservatively: a mention anywhere (even in a comment) or a template name
    that is not a quoted constant counts as yes."""
    from jinja2 import TemplateNotFound

    seen, stack = set(), [template]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            source = env.loader.get_source(env, name)[0]
        except TemplateNotFound:
            continue  # rendering reports it
        if _BODY_WORDS.search(source):
            return True
        for what in _REFERENCE.findall(source):
            quoted = _QUOTED.match(what)
            if quoted is None:
                return True  # a name computed when rendering: anything could be included
            stack.append(quoted.group(1) if quoted.group(1) is not None else quoted.group(2))
    return False


class Unkeyable(Exception):
    """A template argument with no stable fingerprint: the page is always rendered."""


def fingerprint(value, card, out: list[str]) -> None:
    """Append a stable text form of a listing page's template argument to ``out``: a view of an entry
    as ``card(view)`` (a key of the entry), other views field by field."""
    from .views import EntryView

    if value is None or isinstance(value, (str, int, float, bool, dt.date)):
        out.append(repr(value))
    elif isinstance(value, EntryView):
        out.append("E" + card(value))
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for item in value:
            if type(item) is EntryView:  # the common case, a list of articles, without a call per item
                out.append("E" + card(item))
            else:
                fingerprint(item, card, out)
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for k, item in value.items():
            out.append(repr(k))
            fingerprint(item, card, out)
        out.append("}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(type(value).__name__ + "(")
        for f in dataclasses.fields(value):  # a campaign's articles go by their cards, like any entry view
            out.append(f.name)
            fingerprint(getattr(value, f.name), card, out)
        out.append(")")
    else:
        raise Unkeyable(type(value).__name__)
