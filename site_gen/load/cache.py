"""The build cache: parsed articles and pages keyed by a hash of everything that shapes them.

Lives in ``<site>/.site-gen-cache/`` (see docs/performance.md; `site-gen init` ignores it in git).
A key covers site-gen's version, the Markdown options, the timezone, the file's path and its bytes,
so a stale entry can never be used; entries not used by a full load are pruned. Any problem with
the cache (read-only folder, a damaged file) silently falls back to parsing.

A file holds an entry in two pickles: its heavy part (body HTML, plain text, the file's lines —
model.Heavy) first, then the rest with the diagnostics; 8 bytes in front give the first one's
length. Loading reads only the second: the heavy part is read back from the file when a stage
asks for it (the render workers, the feeds, a diagnostic's column), so a build never holds every
body at once.

Which key a source file has is known without reading it when the file's size, times, inode and
device are those the last load recorded (``sources``, as git's index does): the key is still
the hash of its bytes, only not recomputed. A file changed within two seconds of that record
(``_RACY_NS``) is read again, since a file system's clock may not tell two quick saves apart.

The slim pickles of a whole load are also kept together in one file, ``pack``, so a warm load
reads one file instead of one per entry. It is written again only when it lacks or holds more than
a few entries (a load of mostly unchanged files reads the rest from their own files), while the
entries load, and swapped in at the end; a damaged pack is ignored.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import time

from .. import __version__
from ..model import Heavy

CACHE_DIR = ".site-gen-cache"
_FORMAT = "entries-6"  # bumped when parsing changes what an entry holds (6: compact prose, slots)

_RACY_NS = 2_000_000_000
_PACK_MAGIC = b"site-gen pack 1\n"
_KEY_BYTES = 64  # a sha256 in hex


class EntryCache:
    def __init__(self, root: str, salt: str, enabled: bool = True):
        self.root = root
        self.dir = os.path.join(root, CACHE_DIR, _FORMAT)
        self.salt = f"{__version__}\0{salt}".encode()
        self.enabled = enabled
        self.used: set[str] = set()
        self._folders: set[str] = set()
        self._recorded: dict[str, tuple] = {}  # source -> (signature, key), as the last load left them
        self._trusted: dict[str, tuple] = {}  # the same, less those changed too close to the record
        self._seen: dict[str, tuple] = {}  # this load's
        self._pack: dict = {}  # key -> slim pickle, from the pack file (while loading)
        self._writer = None  # (the new pack file, its temporary name), while one is written
        self._writer_pid = 0  # the process writing it (forked loading workers inherit the object)
        self._wanted: set[str] = set()  # the keys the new pack must hold
        self._written: set[str] = set()  # the keys it holds so far
        if enabled:
            self._read_sources()

    def _read_sources(self) -> None:
        try:
            with open(os.path.join(self.dir, "sources"), "rb") as fh:
                salt, when, recorded = pickle.load(fh)
        except Exception:  # noqa: BLE001 - missing or damaged: every source is read
            return
        if salt != self.salt or not isinstance(recorded, dict):
            return
        self._recorded = recorded
        self._trusted = {rel: v for rel, v in recorded.items() if max(v[0][2], v[0][3]) < when - _RACY_NS}

    def key(self, root: str, rel: str, kind: str) -> str | None:
        full = os.path.join(root, rel)
        try:
            st = os.stat(full)
            if not stat.S_ISREG(st.st_mode):
                return None  # a named pipe would block; the loader reports it
            signature = (kind, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
            hit = self._trusted.get(rel)
            if hit is not None and hit[0] == signature:
                key = hit[1]
            else:
                with open(full, "rb") as fh:
                    data = fh.read()
                key = hashlib.sha256(self.salt + b"\0" + rel.encode() + b"\0" + kind.encode() + b"\0" + data).hexdigest()
        except OSError:
            return None
        self._seen[rel] = (signature, key)
        return key

    def source_keys(self) -> dict[str, str]:
        """Each source's key, as this load found it (empty when the cache is off)."""
        return {rel: v[1] for rel, v in self._seen.items()} if self.enabled else {}

    def save_sources(self) -> None:
        """Record each source's signature and key for the next load (after a full load)."""
        if not self.enabled or (self._seen == self._recorded and len(self._trusted) == len(self._recorded)):
            return
        try:
            os.makedirs(self.dir, exist_ok=True)
            replace_file(os.path.join(self.dir, "sources"),
                     pickle.dumps((self.salt, time.time_ns(), self._seen), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass

    # ------------------------------------------------------------------------------ the pack

    def begin(self, keys: list[str | None]) -> None:
        """Before a full load of ``keys``: read the pack, and start writing a new one when it lacks
        or holds more than a few of them."""
        if not self.enabled:
            return
        path = os.path.join(self.dir, "pack")
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            self._pack = _read_pack(data, self.salt)
        except (OSError, ValueError):
            self._pack = {}
        wanted = {k for k in keys if k}
        missing, stale = len(wanted - self._pack.keys()), len(self._pack.keys() - wanted)
        if missing <= max(16, len(wanted) // 50) and stale <= max(16, len(self._pack) // 10):
            return
        try:
            os.makedirs(self.dir, exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            writer = open(tmp, "wb", buffering=0)  # unbuffered: a forked worker inherits no pending bytes
            writer.write(_PACK_MAGIC + len(self.salt).to_bytes(4, "little") + self.salt)
        except OSError:
            return
        self._writer, self._writer_pid, self._wanted, self._written = (writer, tmp), os.getpid(), wanted, set()

    def pack(self, key: str | None, blob) -> None:
        """Add an entry's slim pickle to the pack being written (in the loading process only)."""
        if self._writer is None or key is None or key in self._written or os.getpid() != self._writer_pid:
            return
        try:
            self._writer[0].write(b"".join((key.encode(), len(blob).to_bytes(8, "little"), blob)))
        except OSError:
            self._close_writer(keep=False)
            return
        self._written.add(key)

    def finish(self) -> None:
        """After the load: swap the new pack in when it holds every entry; let go of the old one."""
        self._pack = {}
        if self._writer is not None:
            self._close_writer(keep=self._written == self._wanted)

    def _close_writer(self, keep: bool) -> None:
        writer, tmp = self._writer
        self._writer = None
        try:
            writer.close()
            if keep:
                os.replace(tmp, os.path.join(self.dir, "pack"))
                return
        except OSError:
            pass
        try:
            os.remove(tmp)
        except OSError:
            pass

    # ------------------------------------------------------------------------------ entries

    def get(self, key: str | None):
        if not self.enabled or key is None:
            return None
        path = os.path.join(self.dir, key[:2], key)
        blob = self._pack.get(key)
        value = _loads(blob) if blob is not None else None
        if value is None:  # not in the pack (or damaged there): its own file
            try:
                with open(path, "rb") as fh:
                    offset = 8 + int.from_bytes(fh.read(8), "little")
                    fh.seek(offset)
                    blob = fh.read()
            except OSError:
                return None
            value = _loads(blob)
            if value is None:
                return None  # damaged: parse again
        self.used.add(key)
        if self._writer is not None:
            self.pack(key, blob)
        return self.attach(value, path)

    def attach(self, value, path: str):
        """Point an entry's heavy part at its cache file (and let go of it when in memory)."""
        entry = value[0]
        if entry is not None:
            entry.heavy.data, entry.heavy.where = None, (path, 8, self.root, entry.path, entry.kind)
        return value

    def put(self, key: str | None, value, *, pickled: bool = False) -> tuple[bytes | None, str | None]:
        """Store ``value``: (entry, diagnostics). ``pickled``: also return it pickled — slim, with the
        path of its file, when it was stored; whole when not — for a loading worker to send to the
        parent (which then need not pickle it a second time)."""
        whole = lambda: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)  # noqa: E731
        if not self.enabled or key is None:
            return (whole() if pickled else None), None
        entry = value[0]
        heavy = pickle.dumps(entry.heavy.data if entry is not None else None, protocol=pickle.HIGHEST_PROTOCOL)
        Heavy.slim = True
        try:
            slim = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            Heavy.slim = False
        folder = os.path.join(self.dir, key[:2])
        path = os.path.join(folder, key)
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            chunks = (len(heavy).to_bytes(8, "little"), heavy, slim)
            try:
                create_file(path, *chunks)
            except FileExistsError:  # left damaged (this load could not read it), or stored meanwhile
                replace_file(path, *chunks)
            self.used.add(key)
        except OSError:
            self.enabled = False  # read-only or full: build without a cache
            return (whole() if pickled else None), None
        if self._writer is not None:
            self.pack(key, slim)  # this process's: a worker's entries are packed when they arrive
        return (slim if pickled else None), path

    def prune(self) -> None:
        """Remove entries a full load did not use (old versions of files, deleted files)."""
        if not self.enabled or not os.path.isdir(self.dir):
            return
        for folder in os.listdir(self.dir):
            if folder in ("sources", "pack"):
                continue
            sub = os.path.join(self.dir, folder)
            for name in os.listdir(sub) if os.path.isdir(sub) else ():
                if name not in self.used:
                    try:
                        os.remove(os.path.join(sub, name))
                    except OSError:
                        pass


def create_file(path: str, *chunks: bytes) -> None:
    """Write a file that is not there yet, in place: about half the file-system work of a temporary
    file and a rename (about 0.3 against 0.5 ms a file on the benchmark machine, one file per entry
    in a cold build). A reader that finds it half written takes it as damaged and parses the source
    again; FileExistsError when it is there already."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
    except OSError:
        try:
            os.remove(path)
        except OSError:
            pass
        raise


def replace_file(path: str, *chunks: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file, then a rename); OSError on failure."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
    os.replace(tmp, path)


def _read_pack(data: bytes, salt: bytes) -> dict:
    """key -> slim pickle (a view into ``data``) of a pack written with ``salt``; ValueError if the
    pack is damaged or another salt's."""
    head = len(_PACK_MAGIC)
    if data[:head] != _PACK_MAGIC:
        raise ValueError("not a pack")
    size = int.from_bytes(data[head:head + 4], "little")
    if data[head + 4:head + 4 + size] != salt:
        raise ValueError("another salt")
    view, pos, end, out = memoryview(data), head + 4 + size, len(data), {}
    while pos < end:
        if pos + _KEY_BYTES + 8 > end:
            raise ValueError("truncated")
        key = bytes(view[pos:pos + _KEY_BYTES]).decode("ascii")
        length = int.from_bytes(view[pos + _KEY_BYTES:pos + _KEY_BYTES + 8], "little")
        pos += _KEY_BYTES + 8
        if pos + length > end:
            raise ValueError("truncated")
        out[key] = view[pos:pos + length]
        pos += length
    return out


def _loads(blob):
    """An (entry, diagnostics) pair from its slim pickle, or None when the pickle is damaged."""
    try:
        value = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - truncated or foreign bytes
        return None
    return value if isinstance(value, tuple) and len(value) == 2 else None
