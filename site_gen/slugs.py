"""Slugs: ASCII [a-z0-9-]; Chinese transliterated to pinyin (SPEC §3.4)."""

from __future__ import annotations

import os
import pickle
import re
import threading
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


class Helper:
    """Slugs made in a forked helper process, for a parallel load: pinyin's tables take a process
    about 0.17 s and 55 MB to load. Made there while the loading workers parse, they are loaded
    once, and never in the building process, which goes on to render (its render workers would
    share them, and the summed memory count each copy). ``send`` texts as they come, ``collect``
    their slugs into this process's memo. A helper that cannot be made (other threads running, no
    fork) or fails leaves the slugs to be made here. ``prime``: the helper loads the tables at once,
    before any text comes (site.load_entries forks it early for a cold load of a Chinese site)."""

    _END = 0xFFFFFFFF

    def __init__(self, prime: bool = False):
        self.pid, self.to_helper, self.from_helper, self.sent = None, -1, -1, []
        if threading.active_count() != 1 or not hasattr(os, "fork"):
            return  # (a process forked while another thread holds a lock could block on it)
        try:
            down, self.to_helper = os.pipe()
            self.from_helper, up = os.pipe()
            self.pid = os.fork()
        except OSError:
            self._close()
            return
        if self.pid == 0:  # the helper: texts in, their slugs out when told the end, then gone
            try:
                os.close(self.to_helper)
                os.close(self.from_helper)
                if prime:
                    _slugify("中文")  # (loads pinyin's tables)
                self._serve(down, up)
            finally:
                os._exit(0)
        os.close(down)
        os.close(up)

    @classmethod
    def _serve(cls, down: int, up: int) -> None:
        slugs, buffer = {}, b""
        while True:
            chunk = os.read(down, 65536)
            if not chunk:
                return  # the building process went away: nothing to answer
            buffer += chunk
            while len(buffer) >= 4:
                size = int.from_bytes(buffer[:4], "little")
                if size == cls._END:
                    data = pickle.dumps(slugs, protocol=pickle.HIGHEST_PROTOCOL)
                    while data:
                        data = data[os.write(up, data):]
                    return
                if len(buffer) < 4 + size:
                    break
                text, buffer = buffer[4:4 + size].decode("utf-8"), buffer[4 + size:]
                slugs[text] = slugify(text)

    def send(self, texts) -> None:
        """Texts whose slugs will be needed (those not known yet go to the helper)."""
        for text in texts:
            if text in _memo:
                continue
            if self.pid is None or text.isascii():
                slugify(text)  # (cheap without pinyin)
                continue
            _memo[text] = None  # (sent: not again; collect() puts the slug here)
            self.sent.append(text)
            data = text.encode("utf-8")
            self._write(len(data).to_bytes(4, "little") + data)

    def _write(self, data: bytes) -> None:
        try:
            while data:
                data = data[os.write(self.to_helper, data):]
        except OSError:
            self.stop()

    def collect(self) -> None:
        """Wait for the helper's slugs and remember them (or make here what it did not give)."""
        found = {}
        if self.pid is not None:
            self._write(self._END.to_bytes(4, "little"))
        sent, self.sent = self.sent, []  # (what a failed write left: stop() has forgotten the rest)
        if self.pid is not None:
            chunks = []
            try:
                while chunk := os.read(self.from_helper, 65536):
                    chunks.append(chunk)
                found = pickle.loads(b"".join(chunks))
            except Exception:  # noqa: BLE001 - the helper failed: the slugs are made here
                found = {}
            self.stop()
        for text in sent:
            slug = found.get(text) if isinstance(found, dict) else None
            _memo[text] = slug if isinstance(slug, str) else _slugify(text)

    def stop(self) -> None:
        """End the helper (if running) and forget what was sent to it and not collected (a load
        cut short): those texts' slugs are made when next asked for."""
        for text in self.sent:
            if _memo.get(text) is None:
                _memo.pop(text, None)
        self.sent = []
        if self.pid is not None:
            pid, self.pid = self.pid, None
            self._close()
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass

    def _close(self) -> None:
        for fd in (self.to_helper, self.from_helper):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.to_helper = self.from_helper = -1
