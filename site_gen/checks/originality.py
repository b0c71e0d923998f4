"""ORIG001: near-duplicate articles (搬运), among the site's articles and, with ``--against DIR``,
against a folder of reference texts (.md, .txt, .html, recursively).

Similarity is the Jaccard index of the 5-character shingles of each text with whitespace,
punctuation and symbols removed, so it works for Chinese (no word boundaries) and English alike.
Candidates come from MinHash/LSH, so the cost grows with the number of texts, not with the
number of pairs: each text gets a one-permutation MinHash sketch (one 64-bit hash per shingle,
the minimum per hash bucket, empty buckets filled by rotation), sketches are cut into bands, and
texts sharing a band are candidates. Every candidate pair is then verified with the exact
Jaccard index of its shingle sets, so reported numbers are exact and there are no false alarms.

Why hand-written rather than a MinHash library: the available ones hash each shingle in a
Python loop (six million shingles for 4,000 articles); here the shingle hashes of a text are
computed in one vectorised numpy pass over its code points.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Iterable

import numpy as np

from ..diagnostics import Diagnostic, Location, diag

SHINGLE = 5
MIN_CHARS = 50  # texts shorter than this (without spaces/punctuation) are too short to judge
BINS = 128  # MinHash values per sketch (a power of two)
MAX_REFERENCE_BYTES = 8 * 1024 * 1024
REFERENCE_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")

_NOT_TEXT = re.compile(r"[\W_]+")  # whitespace, punctuation, symbols
_M64 = (1 << 64) - 1
_BIN_SHIFT = np.uint64(64 - int(math.log2(BINS)))
_VALUE_MASK = np.uint64((1 << (64 - int(math.log2(BINS)))) - 1)
_POWERS = [np.uint64(pow(0x100000001B3, SHINGLE - 1 - i, 1 << 64)) for i in range(SHINGLE)]
_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63,
                      0x27D4EB2F165667C5, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB] * 16,
                     dtype=np.uint64)


def normalize(text: str) -> str:
    return _NOT_TEXT.sub("", text).lower()


class _Keep:
    """Which Basic Multilingual Plane code points are text (not \\W or _), as a lookup table."""

    table: np.ndarray | None = None

    @classmethod
    def get(cls) -> np.ndarray:
        if cls.table is None:
            plane = re.sub(r"[\W_]", "\0", "".join(map(chr, range(0x10000))))
            cls.table = np.frombuffer(plane.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) != 0
        return cls.table


def codepoints(text: str) -> np.ndarray:
    """The code points of ``normalize(text)``, computed with a table lookup instead of a regex."""
    cp = np.frombuffer(text.lower().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(cp) and int(cp.max()) > 0xFFFF:  # rare: characters outside the BMP
        return np.frombuffer(normalize(text).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return cp[_Keep.get()[cp]]


def shingles(norm: str) -> set[str]:
    return {norm[i:i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) if (a or b) else 0.0


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the polynomial hash over all 64 bits (arrays wrap silently)."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def sketch(cp: np.ndarray) -> np.ndarray:
    """A one-permutation MinHash sketch (BINS values) of the shingles of a text's code points."""
    cp = cp.astype(np.uint64)
    n = len(cp) - SHINGLE + 1
    h = cp[:n] * _POWERS[0]
    for i in range(1, SHINGLE):
        h = h + cp[i:n + i] * _POWERS[i]
    h = _mix(h)
    h.sort()  # duplicates need not go: the first value of each bin is its minimum either way
    bins = h >> _BIN_SHIFT
    first = np.searchsorted(bins, np.arange(BINS, dtype=np.uint64))
    present = first < len(h)
    present[present] = bins[first[present]] == np.arange(BINS, dtype=np.uint64)[present]
    out = np.zeros(BINS, dtype=np.uint64)
    out[present] = h[first[present]] & _VALUE_MASK
    if not present.all():  # densify: an empty bin borrows from the next non-empty one, shifted
        filled = np.flatnonzero(present)
        for i in np.flatnonzero(~present):
            j = filled[np.searchsorted(filled, i) % len(filled)]
            distance = int((j - i) % BINS)
            out[i] = (int(out[j]) + distance * 0x9E3779B97F4A7C15) & _M64
    return out


def text_sketch(text: str) -> bytes | None:
    """What the loader keeps of an entry's plain text for this check: its sketch (None when the
    text is too short to judge). Entries come from the build cache with it, so a warm build does
    not sketch every article again."""
    cp = codepoints(text)
    return sketch(cp).tobytes() if len(cp) >= MIN_CHARS else None


def bands_for(threshold: float, bins: int = BINS, miss: float = 0.005) -> tuple[int, int]:
    """(bands, rows): the most rows per band (fewest false candidates) that still find a pair at
    the threshold with probability ≥ 1 - miss."""
    best = (bins, 1)
    for rows in range(1, bins + 1):
        bands = bins // rows
        if (1 - threshold ** rows) ** bands <= miss:
            best = (bands, rows)
    return best


@dataclass
class Text:
    name: str  # the article's path, or the reference file as given on the command line
    _cp: np.ndarray | None  # code points of the normalised text (None: read from the entry when needed)
    entry: object | None = None  # the Entry, for articles
    sig: np.ndarray | None = None  # its sketch, when already known

    _shingles: set[str] | None = None

    @property
    def cp(self) -> np.ndarray:
        if self._cp is None:
            self._cp = codepoints(self.entry.plain_text)
        return self._cp

    @property
    def sketch(self) -> np.ndarray:
        if self.sig is None:
            self.sig = sketch(self.cp)
        return self.sig

    @property
    def shingles(self) -> set[str]:
        if self._shingles is None:
            self._shingles = shingles(self.cp.tobytes().decode("utf-32-le", "surrogatepass"))
        return self._shingles


def candidate_pairs(texts: list[Text], threshold: float) -> set[tuple[int, int]]:
    """Pairs of indexes whose sketches agree on a whole band, for some band."""
    bands, rows = bands_for(threshold)
    if len(texts) < 2:
        return set()
    sketches = np.stack([t.sketch[: bands * rows] for t in texts]).reshape(len(texts), bands, rows)
    keys = (sketches * _BAND_MIX[:rows]).sum(axis=2)  # one 64-bit key per band (wrapping sum)
    pairs: set[tuple[int, int]] = set()
    for b in range(bands):
        col = keys[:, b]
        order = np.argsort(col, kind="stable")
        ordered = col[order]
        same = np.flatnonzero(ordered[1:] == ordered[:-1])
        if not len(same):
            continue
        # runs of equal keys: every pair inside a run is a candidate
        starts = same[np.r_[True, same[1:] != same[:-1] + 1]]
        for s in starts:
            e = s + 1
            while e < len(ordered) and ordered[e] == ordered[s]:
                e += 1
            members = sorted(int(i) for i in order[s:e])
            for i, a in enumerate(members):
                for c in members[i + 1:]:
                    pairs.add((a, c))
    return pairs


# ------------------------------------------------------------------------------ references


class _TextOnly(HTMLParser):
    SKIP = {"script", "style", "template", "noscript", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join(parser.parts)


def reference_texts(folder: str) -> list[tuple[str, str]]:
    """(display name, text) of every reference file under ``folder``, sorted by path."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(REFERENCE_SUFFIXES):
                continue
            full = os.path.join(dirpath, name)
            try:
                with open(full, "rb") as fh:
                    data = fh.read(MAX_REFERENCE_BYTES)
            except OSError:
                continue  # unreadable: nothing to compare with
            text = data.decode("utf-8", "replace").lstrip("\ufeff")
            if name.lower().endswith((".html", ".htm")):
                text = html_text(text)
            elif name.lower().endswith((".md", ".markdown")) and text.startswith("---"):
                end = text.find("\n---", 3)
                text = text[end + 4:] if end >= 0 else text
            out.append((full.replace(os.sep, "/"), text))
    return sorted(out)


# ------------------------------------------------------------------------------------ check


def check(ctx) -> Iterable[Diagnostic]:
    threshold = float(ctx.config.originality_threshold)
    texts: list[Text] = []
    for e in ctx.schedule.published:
        if e.sketch is not None:  # made at load (text_sketch): the plain text is only read for candidates
            texts.append(Text(e.path, None, e, np.frombuffer(e.sketch, dtype=np.uint64)))
    n_articles = len(texts)
    if ctx.against:
        for name, text in reference_texts(ctx.against):
            cp = codepoints(text)
            if len(cp) >= MIN_CHARS:
                texts.append(Text(name, cp))
    if len(texts) < 2 or not 0 < threshold <= 1:
        return
    found = []
    for a, b in sorted(candidate_pairs(texts, threshold)):
        if a >= n_articles:
            continue  # two reference texts
        ta, tb = texts[a], texts[b]
        similarity = jaccard(ta.shingles, tb.shingles)
        if similarity < threshold:
            continue
        pct = math.floor(similarity * 100)
        if b >= n_articles:
            found.append(diag("ORIG001", Location(ta.entry.path, 1, 1),
                              f"{ta.entry.path} is {pct}% similar to {tb.name}",
                              "rewrite it in your own words, or quote the source briefly and credit it"))
            continue
        newer, older = sorted((ta.entry, tb.entry), key=lambda e: e.sort_key)  # newest first
        found.append(diag("ORIG001", Location(newer.path, 1, 1), f"{newer.path} is {pct}% similar to {older.path}",
                          "rewrite one of them in its own words; for a deliberate repost add "
                          "`checks: {ignore: [ORIG001]}` to its front matter"))
    yield from found
