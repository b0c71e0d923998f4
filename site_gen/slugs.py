"""Slugs: ASCII [a-z0-9-]; Chinese transliterated to pinyin (SPEC §3.4)."""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


# slugify is pure and pinyin is slow (its dictionaries take ~0.3 s to load): results are remembered
# for the process, and loading seeds them from the build cache (remember) so a warm build of a site
# whose names have not changed never imports pypinyin.
_memo: dict[str, str] = {}


def slugify(text: str) -> str:
    """Any text to an ASCII slug: Han characters become pinyin syllables joined by '-'."""
    hit = _memo.get(text)
    if hit is None:
        hit = _memo[text] = _slugify(text)
    return hit


def remember(text: str, slug: str) -> None:
    _memo.setdefault(text, slug)


def _slugify(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        from pypinyin import lazy_pinyin  # imported only when a name needs it

        parts = lazy_pinyin(text, errors=lambda s: [unicodedata.normalize("NFKD", s)])
        text = "-".join(p for p in parts if p.strip())
        text = text.encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower())
    return text.strip("-")


def slug_from_filename(stem: str) -> str:
    return slugify(_DATE_PREFIX.sub("", stem))


def unsafe_reason(value: str) -> str | None:
    """Why a slug or id is unsafe, or None when it is fine."""
    if "/" in value or "\\" in value:
        return "contains a path separator"
    if ".." in value:
        return "contains `..`"
    if not value:
        return "is empty"
    if not SLUG_RE.match(value):
        return "has characters outside a-z, 0-9 and single hyphens"
    return None


def suggest(value: str) -> str:
    return slugify(value.replace("/", "-").replace("\\", "-").replace("..", "-")) or "my-slug"
