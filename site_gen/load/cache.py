"""The build cache: parsed articles and pages keyed by a hash of everything that shapes them.

Lives in ``<site>/.site-gen-cache/`` (see docs/performance.md; `site-gen init` ignores it in git).
A key covers site-gen's version, the Markdown options, the timezone, the file's path and its bytes,
so a stale entry can never be used; entries not used by a full load are pruned. Any problem with
the cache (read-only folder, a damaged file) silently falls back to parsing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat

from .. import __version__

CACHE_DIR = ".site-gen-cache"
_FORMAT = "entries-2"  # bumped when parsing changes what an entry holds (entries-2: nesting diagnostics)


class EntryCache:
    def __init__(self, root: str, salt: str, enabled: bool = True):
        self.dir = os.path.join(root, CACHE_DIR, _FORMAT)
        self.salt = f"{__version__}\0{salt}".encode()
        self.enabled = enabled
        self.used: set[str] = set()
        self._folders: set[str] = set()

    def key(self, root: str, rel: str, kind: str) -> str | None:
        try:
            if not stat.S_ISREG(os.stat(os.path.join(root, rel)).st_mode):
                return None  # a named pipe would block; the loader reports it
            with open(os.path.join(root, rel), "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        return hashlib.sha256(self.salt + b"\0" + rel.encode() + b"\0" + kind.encode() + b"\0" + data).hexdigest()

    def get(self, key: str | None):
        if not self.enabled or key is None:
            return None
        path = os.path.join(self.dir, key[:2], key)
        try:
            with open(path, "rb") as fh:
                value = pickle.load(fh)
        except Exception:  # noqa: BLE001 - missing or damaged: parse again
            return None
        self.used.add(key)
        return value

    def put(self, key: str | None, value, *, pickled: bool = False) -> bytes | None:
        """Store ``value``. ``pickled``: return it pickled, stored or not (a loading worker sends
        those bytes to the parent rather than pickling the entry a second time)."""
        if not self.enabled or key is None:
            return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) if pickled else None
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        folder = os.path.join(self.dir, key[:2])
        path = os.path.join(folder, key)
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
            self.used.add(key)
        except OSError:
            self.enabled = False  # read-only or full: build without a cache
        return blob

    def prune(self) -> None:
        """Remove entries a full load did not use (old versions of files, deleted files)."""
        if not self.enabled or not os.path.isdir(self.dir):
            return
        for folder in os.listdir(self.dir):
            sub = os.path.join(self.dir, folder)
            for name in os.listdir(sub) if os.path.isdir(sub) else ():
                if name not in self.used:
                    try:
                        os.remove(os.path.join(sub, name))
                    except OSError:
                        pass
