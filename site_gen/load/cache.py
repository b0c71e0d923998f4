"""The build cache: parsed articles and pages keyed by a hash of everything that shapes them.

Lives in ``<site>/.site-gen-cache/`` (see docs/performance.md; `site-gen init` ignores it in git).
A key covers site-gen's version, the Markdown options, the timezone, the file's path and its bytes,
so a stale entry can never be used; entries not used by a full load are pruned. Any problem with
the cache (read-only folder, a damaged file) silently falls back to parsing.

An entry is kept in two pickles. Its heavy part (body HTML, plain text, the file's lines —
model.Heavy) is appended to a **bundle**, ``b-<pid>-<time>``: one file per process that parsed
entries in a load (each loading worker has its own), never changed in place once written, so an
offset into it stays valid until a later load prunes the whole file. Creating one file per entry
cost about 0.5 ms of system time each on the benchmark machine (4,000 in a cold build); appending
costs next to nothing. The rest of the entry, slim, is kept in ``pack`` with the key, the bundle
and the offset of its heavy part: the pack is the index, and a warm load reads that one file. A
stage that asks for an entry's body reads it back from its bundle (the render workers, the feeds,
a diagnostic's column), so a build never holds every body at once.

Which key a source file has is known without reading it when the file's size, times, inode and
device are those the last load recorded (``sources``, as git's index does): the key is still
the hash of its bytes, only not recomputed. A file changed within two seconds of that record
(``_RACY_NS``) is read again, since a file system's clock may not tell two quick saves apart.

The pack is written again (through a temporary file, swapped in at the end) when it lacks many of
a load's entries or holds many it no longer needs; a load that parsed only a few entries appends
theirs to it instead, and a later record of a key stands over an earlier one. A pack cut short
keeps what comes before the cut. A record whose bundle is gone or shorter than it says is a miss:
the source is parsed again. When most of the bundles' bytes belong to entries no longer used, a
load moves the used bodies of those bundles into its own (``_relocating``), and the old bundles
are pruned.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
import struct
import time

from .. import __version__
from ..model import Heavy
from .files import read_regular

CACHE_DIR = ".site-gen-cache"
_FORMAT = "entries-14"  # bumped when parsing changes what an entry holds, or the cache its layout (7: bundles, 11: Links, Detail, 12: the HTML apart, 13: tag slugs in sources, 14: lines joined)

_RACY_NS = 2_000_000_000
_PACK_MAGIC = b"site-gen pack 2\n"
_KEY_BYTES = 64  # a sha256 in hex
_THREE = struct.Struct("<QQQ")  # a pack record's body offset, body length and slim length
_BUNDLE = "b-"  # bundle names start so
_COMPACT_MIN = 8 << 20  # bundles are compacted when their unused bytes pass this and the used ones


class EntryCache:
    def __init__(self, root: str, salt: str, enabled: bool = True):
        self.root = root
        self.dir = os.path.join(root, CACHE_DIR, _FORMAT)
        self.salt = f"{__version__}\0{salt}".encode()
        self.enabled = enabled
        self.bundles: set[str] = set()  # the bundles that hold this load's entries (prune keeps them)
        self._paths: dict[str, str] = {}  # bundle -> its path
        self._recorded: dict[str, tuple] = {}  # source -> (signature, key), as the last load left them
        self._trusted: dict[str, tuple] = {}  # the same, less those changed too close to the record
        self._seen: dict[str, tuple] = {}  # this load's
        self.slugs: dict[str, str] = {}  # tag -> its slug, as the last load recorded them (pinyin is slow)
        self._slugs_seen: dict[str, str] | None = None  # this load's (record_slugs)
        self._pack: dict = {}  # key -> (slim pickle, bundle, offset, length), from the pack (while loading)
        self._bundle: list | None = None  # [fd, name, size, pid] of the bundle this process appends to
        self._relocating: set[str] = set()  # bundles whose used bodies this load moves into its own
        self._writer = None  # (the pack file, its temporary name or None when appended to), while written
        self._writer_pid = 0  # the process writing it (forked loading workers inherit the object)
        self._wanted: set[str] = set()  # the keys a new pack must hold
        self._written: set[str] = set()  # the keys it holds so far
        if enabled:
            self._read_sources()

    def _read_sources(self) -> None:
        try:
            with open(os.path.join(self.dir, "sources"), "rb") as fh:
                salt, when, recorded, slugs = pickle.load(fh)
        except Exception:  # noqa: BLE001 - missing or damaged: every source is read
            return
        if salt != self.salt or not isinstance(recorded, dict) or not isinstance(slugs, dict):
            return
        self._recorded, self.slugs = recorded, slugs
        self._trusted = {rel: v for rel, v in recorded.items() if max(v[0][2], v[0][3]) < when - _RACY_NS}

    @property
    def cold(self) -> bool:
        """No source recorded by an earlier load (or no cache): every source will be parsed."""
        return not self._recorded

    def key(self, root: str, rel: str, kind: str) -> str | None:
        full = os.path.join(root, rel)
        try:
            hit = self._trusted.get(rel)
            if hit is not None:  # (a warm load: most files need only their stat)
                st = os.stat(full)
                signature = (kind, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
                if hit[0] == signature and stat.S_ISREG(st.st_mode):
                    self._seen[rel] = hit
                    return hit[1]
            st, data = read_regular(full)
        except OSError:
            return None
        if data is None:
            return None  # not a regular file: the loader reports it
        signature = (kind, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        key = hashlib.sha256(b"".join((self.salt, b"\0", rel.encode(), b"\0", kind.encode(), b"\0", data))).hexdigest()
        self._seen[rel] = (signature, key)
        return key

    def source_keys(self) -> dict[str, str]:
        """Each source's key, as this load found it (empty when the cache is off)."""
        return {rel: v[1] for rel, v in self._seen.items()} if self.enabled else {}

    def record_slugs(self, slugs: dict[str, str]) -> None:
        """The slug of each tag of this load's entries, for save_sources."""
        self._slugs_seen = slugs

    def save_sources(self) -> None:
        """Record each source's signature and key, and the tags' slugs, for the next load (after a
        full load)."""
        slugs = self.slugs if self._slugs_seen is None else self._slugs_seen
        if not self.enabled or (self._seen == self._recorded and len(self._trusted) == len(self._recorded)
                                and slugs == self.slugs):
            return
        try:
            os.makedirs(self.dir, exist_ok=True)
            replace_file(os.path.join(self.dir, "sources"), pickle.dumps(
                (self.salt, time.time_ns(), self._seen, slugs), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass

    # ------------------------------------------------------------------------------ the pack

    def begin(self, keys: list[str | None]) -> None:
        """Before a full load of ``keys``: read the pack (dropping records whose bundle is gone or
        short), and start writing a new one when it lacks or holds more than a few of them, or
        appending to it when it lacks a few."""
        if not self.enabled:
            return
        path = os.path.join(self.dir, "pack")
        whole = False
        try:
            with open(path, "rb") as fh:
                data = fh.read()
            self._pack, whole = _read_pack(data, self.salt)
        except (OSError, ValueError):
            self._pack = {}
        wanted = {k for k in keys if k}
        sizes: dict[str, int] = {}
        for name in {v[1] for v in self._pack.values()}:
            try:
                sizes[name] = os.stat(os.path.join(self.dir, name)).st_size
            except OSError:
                sizes[name] = -1
        self._pack = {k: v for k, v in self._pack.items() if v[2] + v[3] <= sizes[v[1]]}
        used: dict[str, int] = {}
        for k in wanted & self._pack.keys():
            used[self._pack[k][1]] = used.get(self._pack[k][1], 0) + self._pack[k][3]
        unused = sum(size - used.get(name, 0) for name, size in sizes.items() if size > 0)
        if unused > max(_COMPACT_MIN, sum(used.values())):
            self._relocating = {name for name, size in sizes.items() if used.get(name, 0) * 2 < size}
        missing, stale = len(wanted - self._pack.keys()), len(self._pack.keys() - wanted)
        rewrite = not whole or self._relocating or missing > max(16, len(wanted) // 50) \
            or stale > max(16, len(self._pack) // 10)
        if not rewrite and not missing:
            return
        try:
            os.makedirs(self.dir, exist_ok=True)
            if rewrite:
                tmp = f"{path}.{os.getpid()}.tmp"
                writer = open(tmp, "wb", buffering=0)  # unbuffered: a forked worker inherits no pending bytes
                writer.write(_PACK_MAGIC + len(self.salt).to_bytes(4, "little") + self.salt)
            else:
                tmp, writer = None, open(path, "ab", buffering=0)
        except OSError:
            return
        self._writer, self._writer_pid, self._wanted = (writer, tmp), os.getpid(), wanted
        self._written = set() if rewrite else set(self._pack)

    def pack(self, key: str | None, blob, where: tuple) -> None:
        """Add an entry's slim pickle and where its body is (bundle, offset, length) to the pack
        being written (in the loading process only)."""
        if self._writer is None or key is None or key in self._written or os.getpid() != self._writer_pid:
            return
        name = where[0].encode()
        record = b"".join((key.encode(), len(name).to_bytes(1, "little"), name,
                           _THREE.pack(where[1], where[2], len(blob)), blob))
        try:
            self._writer[0].write(record)
        except OSError:
            self._close_writer(keep=False)
            return
        self._written.add(key)

    def stored(self, key: str | None, blob: bytes, where: tuple):
        """An entry a loading worker stored (its slim pickle, where its body is): kept and packed."""
        self.bundles.add(where[0])
        self.pack(key, blob, where)
        return self.attach(pickle.loads(blob), where)

    def finish(self) -> None:
        """After the load: swap the new pack in when it holds every entry; let go of the old one."""
        self._pack = {}
        if self._writer is not None:
            self._close_writer(keep=self._written >= self._wanted)
        if self._bundle is not None and self._bundle[3] == os.getpid():
            try:
                os.close(self._bundle[0])
            except OSError:
                pass
            self._bundle = None

    def _close_writer(self, keep: bool) -> None:
        writer, tmp = self._writer
        self._writer = None
        try:
            writer.close()
            if tmp is None:
                return  # appended to the pack in place
            if keep:
                os.replace(tmp, os.path.join(self.dir, "pack"))
                return
        except OSError:
            pass
        if tmp is not None:
            try:
                os.remove(tmp)
            except OSError:
                pass

    # ------------------------------------------------------------------------------ entries

    def get(self, key: str | None):
        if not self.enabled or key is None:
            return None
        hit = self._pack.get(key)
        if hit is None:
            return None
        blob, *where = hit
        value = _loads(blob)
        if value is None:
            self._written.discard(key)  # damaged: parsed again, and packed again when appending
            return None
        if where[0] in self._relocating:
            try:
                with open(os.path.join(self.dir, where[0]), "rb") as fh:
                    fh.seek(where[1])
                    heavy = fh.read(where[2])
                where = self._append_body(heavy)
            except OSError:
                return None
        self.bundles.add(where[0])
        self.pack(key, blob, tuple(where))
        return self.attach(value, where)

    def attach(self, value, where):
        """Point an entry's heavy part at its place in a bundle (and let go of it when in memory)."""
        entry = value[0]
        if entry is not None:
            path = self._paths.get(where[0])
            if path is None:
                path = self._paths[where[0]] = os.path.join(self.dir, where[0])
            entry.heavy.data = None
            entry.heavy.where = (path, where[1], self.root, entry.path, entry.kind)
        return value

    def _append_body(self, heavy: bytes) -> tuple[str, int, int]:
        """Append a heavy pickle to this process's bundle: (bundle, offset, length)."""
        pid = os.getpid()
        if self._bundle is None or self._bundle[3] != pid:  # (a forked worker opens its own)
            os.makedirs(self.dir, exist_ok=True)
            name = f"{_BUNDLE}{pid}-{time.time_ns():x}"
            fd = os.open(os.path.join(self.dir, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o666)
            self._bundle = [fd, name, 0, pid]
        fd, name, offset, _ = self._bundle
        view = memoryview(heavy)
        while view:
            view = view[os.write(fd, view):]
        self._bundle[2] = offset + len(heavy)
        return name, offset, len(heavy)

    def put(self, key: str | None, value, *, pickled: bool = False) -> tuple[bytes | None, tuple | None]:
        """Store ``value``: (entry, diagnostics). Returns (the pickle, where its body is) — the
        pickle when ``pickled``, for a loading worker to send to the parent (which then need not
        pickle it a second time): slim when it was stored, whole when not (where is then None)."""
        whole = lambda: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)  # noqa: E731
        if not self.enabled or key is None:
            return (whole() if pickled else None), None
        entry = value[0]
        heavy = Heavy.pickled(entry.heavy.data if entry is not None else None)
        Heavy.slim = True
        try:
            slim = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            Heavy.slim = False
        try:
            where = self._append_body(heavy)
        except OSError:
            self.enabled = False  # read-only or full: build without a cache
            return (whole() if pickled else None), None
        self.bundles.add(where[0])
        if self._writer is not None:
            self.pack(key, slim, where)  # this process's: a worker's entries are packed when they arrive
        return (slim if pickled else None), where

    def prune(self) -> None:
        """After a full load: remove the bundles that hold none of its entries, what a load cut
        short left behind, and the folders of other cache formats."""
        if not self.enabled or not os.path.isdir(self.dir):
            return
        mine = f"pack.{os.getpid()}.tmp"
        for name in os.listdir(self.dir):
            if name in ("sources", "pack", mine) or name in self.bundles:
                continue
            full = os.path.join(self.dir, name)
            try:
                if os.path.isdir(full) and not os.path.islink(full):
                    shutil.rmtree(full)  # entry folders of an earlier format
                else:
                    os.remove(full)
            except OSError:
                pass
        top = os.path.dirname(self.dir)
        for name in os.listdir(top):
            if name.startswith("entries-") and name != _FORMAT:
                shutil.rmtree(os.path.join(top, name), ignore_errors=True)


def replace_file(path: str, *chunks: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file, then a rename); OSError on failure."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
    os.replace(tmp, path)


def _read_pack(data: bytes, salt: bytes) -> tuple[dict, bool]:
    """(key -> (slim pickle (a view into ``data``), bundle, offset, length), whether the pack is
    whole) of a pack written with ``salt``: the records before a cut or damage when not whole;
    ValueError if it is not a pack or another salt's."""
    head = len(_PACK_MAGIC)
    if data[:head] != _PACK_MAGIC:
        raise ValueError("not a pack")
    size = int.from_bytes(data[head:head + 4], "little")
    if data[head + 4:head + 4 + size] != salt:
        raise ValueError("another salt")
    view, pos, end, out = memoryview(data), head + 4 + size, len(data), {}
    while pos < end:
        at = pos + _KEY_BYTES
        if at + 1 > end:
            return out, False
        key = bytes(view[pos:at])
        name_end = at + 1 + view[at]
        if name_end + 24 > end or not key.isalnum():
            return out, False
        name = bytes(view[at + 1:name_end])
        offset, length, slim = _THREE.unpack_from(view, name_end)
        pos = name_end + 24 + slim
        if pos > end or not name.startswith(_BUNDLE.encode()) or not name.isascii() or b"/" in name:
            return out, False
        out[key.decode("ascii")] = (view[name_end + 24:pos], name.decode("ascii"), offset, length)
    return out, True


def _loads(blob):
    """An (entry, diagnostics) pair from its slim pickle, or None when the pickle is damaged."""
    try:
        value = pickle.loads(blob)
    except Exception:  # noqa: BLE001 - truncated or foreign bytes
        return None
    return value if isinstance(value, tuple) and len(value) == 2 else None
