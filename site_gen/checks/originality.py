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
computed in one vectorised numpy pass over its code points. A build that sketches only a few
texts (a warm build, the preview) does it in plain Python instead (``sketch_py``, the same bytes)
and never imports numpy: the check itself compares sketches as bytes.
"""

from __future__ import annotations

import bisect
import math
import os
import re
import stat
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Iterable

from ..diagnostics import Diagnostic, Location, diag
from ..load.files import read_regular

SHINGLE = 5
MIN_CHARS = 50  # texts shorter than this (without spaces/punctuation) are too short to judge
BINS = 128  # MinHash values per sketch (a power of two)
MAX_REFERENCE_BYTES = 8 * 1024 * 1024
REFERENCE_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")

_NOT_TEXT = re.compile(r"[\W_]+")  # whitespace, punctuation, symbols
_M64 = (1 << 64) - 1
_BIN_BITS = int(math.log2(BINS))
_VALUE_MASK_INT = (1 << (64 - _BIN_BITS)) - 1
_POWERS_INT = [pow(0x100000001B3, SHINGLE - 1 - i, 1 << 64) for i in range(SHINGLE)]
_MIX1, _MIX2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_GOLDEN = 0x9E3779B97F4A7C15

# numpy sketches many texts fast but costs ~50 ms to import: a build that parses only a few
# articles (a warm build, the preview) sketches them in plain Python instead, to the same bytes
NUMPY_FROM = 64  # texts to sketch at once from which numpy pays for its import


def normalize(text: str) -> str:
    return _NOT_TEXT.sub("", text).lower()


def norm_text(text: str) -> str:
    """What is compared: the text lower-cased, without whitespace, punctuation and symbols (for
    text outside the Basic Multilingual Plane: filtered first, then lower-cased)."""
    if not text.isascii() and max(text) > "\uffff":
        return normalize(text)
    return _NOT_TEXT.sub("", text.lower())


class _Np:
    """numpy and the constants of the vectorised sketch, made on first use."""

    np = None

    @classmethod
    def get(cls):
        if cls.np is None:
            import numpy as np

            cls.powers = [np.uint64(p) for p in _POWERS_INT]
            plane = re.sub(r"[\W_]", "\0", "".join(map(chr, range(0x10000))))
            cls.keep = np.frombuffer(plane.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) != 0
            cls.np = np
        return cls.np


def loaded_numpy():
    """numpy, if this process has it for the sketches already (use_numpy), else None."""
    return _Np.np


def use_numpy(count: int) -> None:
    """Called with the number of texts about to be sketched: from NUMPY_FROM on, numpy does it."""
    if count >= NUMPY_FROM:
        _Np.get()


def codepoints(text: str):
    """The code points of ``norm_text(text)`` as a numpy array, computed with a table lookup
    instead of a regex."""
    np = _Np.get()
    cp = np.frombuffer(text.lower().encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(cp) and int(cp.max()) > 0xFFFF:  # rare: characters outside the BMP
        return np.frombuffer(normalize(text).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return cp[_Np.keep[cp]]


def shingles(norm: str) -> set[str]:
    return {norm[i:i + SHINGLE] for i in range(len(norm) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) if (a or b) else 0.0


def _densify(out: list) -> bytes:
    """An empty bin (None) borrows from the next non-empty one, shifted by its distance."""
    filled = [i for i, v in enumerate(out) if v is not None]
    if len(filled) < BINS:
        for i in range(BINS):
            if out[i] is None:
                j = filled[bisect.bisect_left(filled, i) % len(filled)]
                out[i] = (out[j] + ((j - i) % BINS) * _GOLDEN) & _M64
    return b"".join(v.to_bytes(8, "little") for v in out)


def sketch(cp) -> bytes:
    """A one-permutation MinHash sketch (BINS 64-bit values, little-endian) of the shingles of a
    text's code points (a numpy array): splitmix64's finaliser over a polynomial hash of each
    shingle, the minimum per bin of the hashes' top bits."""
    np = _Np.get()
    cp = cp.astype(np.uint64)
    n = len(cp) - SHINGLE + 1
    h = cp[:n] * _Np.powers[0]
    for i in range(1, SHINGLE):
        h = h + cp[i:n + i] * _Np.powers[i]
    h = (h ^ (h >> np.uint64(30))) * np.uint64(_MIX1)  # arrays wrap silently
    h = (h ^ (h >> np.uint64(27))) * np.uint64(_MIX2)
    h = h ^ (h >> np.uint64(31))
    h.sort()  # duplicates need not go: the first value of each bin is its minimum either way
    bins = h >> np.uint64(64 - _BIN_BITS)
    ids = np.arange(BINS, dtype=np.uint64)
    first = np.searchsorted(bins, ids)
    present = first < len(h)
    present[present] = bins[first[present]] == ids[present]
    if present.all():  # (a text of some length fills every bin)
        return (h[first] & np.uint64(_VALUE_MASK_INT)).astype("<u8").tobytes()
    values = (h[first[present]] & np.uint64(_VALUE_MASK_INT)).tolist()
    out: list = [None] * BINS
    for i, v in zip(np.flatnonzero(present).tolist(), values):
        out[i] = v
    return _densify(out)


def sketch_py(norm: str) -> bytes:
    """``sketch`` in plain Python, from ``norm_text``'s string: the same bytes
    (tests/test_checks_originality.py), ~2 ms for an article, with no numpy to import."""
    cps = [ord(c) for c in norm]
    p0, p1, p2, p3, p4 = _POWERS_INT
    m64, shift = _M64, 64 - _BIN_BITS
    out: list = [None] * BINS
    for i in range(len(cps) - SHINGLE + 1):
        h = (cps[i] * p0 + cps[i + 1] * p1 + cps[i + 2] * p2 + cps[i + 3] * p3 + cps[i + 4] * p4) & m64
        h = ((h ^ (h >> 30)) * _MIX1) & m64
        h = ((h ^ (h >> 27)) * _MIX2) & m64
        h ^= h >> 31
        b = h >> shift
        v = h & _VALUE_MASK_INT
        if out[b] is None or v < out[b]:
            out[b] = v
    return _densify(out)


def text_sketch(text: str) -> bytes | None:
    """What the loader keeps of an entry's plain text for this check: its sketch (None when the
    text is too short to judge). Entries come from the build cache with it, so a warm build does
    not sketch every article again."""
    if _Np.np is not None:
        cp = codepoints(text)
        return sketch(cp) if len(cp) >= MIN_CHARS else None
    norm = norm_text(text)
    return sketch_py(norm) if len(norm) >= MIN_CHARS else None


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
    norm: str | None  # norm_text of the text (None: made from the entry when needed)
    entry: object | None = None  # the Entry, for articles
    sig: bytes | None = None  # its sketch, when already known

    _shingles: set[str] | None = None

    @property
    def sketch(self) -> bytes:
        if self.sig is None:
            self.sig = sketch_py(self.text)
        return self.sig

    @property
    def text(self) -> str:
        if self.norm is None:
            self.norm = norm_text(self.entry.plain_text)
        return self.norm

    @property
    def shingles(self) -> set[str]:
        if self._shingles is None:
            self._shingles = shingles(self.text)
        return self._shingles


def candidate_pairs(texts: list[Text], threshold: float) -> set[tuple[int, int]]:
    """Pairs of indexes whose sketches agree on a whole band (the same bytes), for some band."""
    bands, rows = bands_for(threshold)
    if len(texts) < 2:
        return set()
    width = rows * 8
    pairs: set[tuple[int, int]] = set()
    sketches = [t.sketch for t in texts]
    for keyed in _band_suspects(sketches, bands, width):
        seen: dict[bytes, list[int]] = {}
        for i, key in keyed:
            seen.setdefault(key, []).append(i)
        for members in seen.values():
            for k, a in enumerate(members):  # indexes ascend: every pair (a, c) has a < c
                for c in members[k + 1:]:
                    pairs.add((a, c))
    return pairs


def _band_suspects(sketches: list[bytes], bands: int, width: int):
    """For each band where two sketches may agree, (index, the band's bytes) of the sketches that
    may, in ascending order: all of them — or with numpy (loaded, from NUMPY_FROM sketches on)
    those whose band hashes to the same 64 bits as another's. In plain Python every sketch's band is
    sliced out for every band: at 16,000 articles, where most bands hold a pair, ≈ 0.2 s."""
    np = _Np.np
    if np is None or len(sketches) < NUMPY_FROM or len({len(s) for s in sketches}) != 1:
        for b in range(0, bands * width, width):
            keys = [s[b:b + width] for s in sketches]
            if len(set(keys)) != len(keys):  # (most bands: no two texts agree on them)
                yield enumerate(keys)
        return
    values = np.frombuffer(b"".join(sketches), dtype="<u8").reshape(len(sketches), -1)
    rows = width // 8
    for band in range(bands):
        cols = values[:, band * rows:(band + 1) * rows]
        h = cols[:, 0].copy()
        for j in range(1, rows):
            h = (h * np.uint64(_MIX1)) ^ cols[:, j]  # (wraps silently)
        order = np.argsort(h, kind="stable")
        same = h[order][1:] == h[order][:-1]
        if same.any():
            suspects = np.zeros(len(h), dtype=bool)
            suspects[order[1:][same]] = True
            suspects[order[:-1][same]] = True
            b = band * width
            yield ((i, sketches[i][b:b + width]) for i in np.flatnonzero(suspects).tolist())


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


def _read_reference(full: str) -> bytes | None:
    """The first MAX_REFERENCE_BYTES of a regular file (read_regular: a named pipe is not waited
    on); None for anything else, or when it cannot be read."""
    try:
        info, data = read_regular(full, MAX_REFERENCE_BYTES)
        if data is None and stat.S_ISREG(info.st_mode):  # longer than that: its beginning is compared
            with open(full, "rb") as fh:
                data = fh.read(MAX_REFERENCE_BYTES)
    except OSError:
        return None
    return data if data is None else data[:MAX_REFERENCE_BYTES]


def reference_texts(folder: str) -> list[tuple[str, str]]:
    """(display name, text) of every reference file under ``folder``, sorted by path."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(REFERENCE_SUFFIXES):
                continue
            full = os.path.join(dirpath, name)
            data = _read_reference(full)
            if data is None:
                continue  # unreadable, or not a regular file: nothing to compare with
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
            texts.append(Text(e.path, None, e, e.sketch))
    n_articles = len(texts)
    if ctx.against:
        references = reference_texts(ctx.against)
        use_numpy(len(references))
        for name, text in references:
            sig = text_sketch(text)
            if sig is not None:
                texts.append(Text(name, norm_text(text), sig=sig))
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
