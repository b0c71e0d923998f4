"""The only module that writes the site: a temporary sibling directory, then a swap.

On any failure the previous output directory is left exactly as it was and the temporary
directory is removed.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import uuid
from typing import Iterable

from .config import UsageError
from .diagnostics import Diagnostic, Location, diag
from .render import OutputFile, out_file


def check_output_dir(out: str, root: str) -> str:
    """Refuse dangerous output directories before anything is touched (exit 2)."""
    out_abs = os.path.realpath(os.path.abspath(out))
    root_abs = os.path.realpath(os.path.abspath(root))
    home = os.path.realpath(os.path.expanduser("~"))
    shown = os.path.relpath(out_abs) if not os.path.relpath(out_abs).startswith("..") else out_abs

    def refuse(why: str) -> UsageError:
        return UsageError(f"refusing to write the site to {shown}: {why}; "
                          "choose a separate folder such as `public` (output: in site.yaml, or --out)")

    if out_abs in ("/", home):
        raise refuse("that is the root or home directory")
    if out_abs == root_abs:
        raise refuse("that is the site's own folder")
    if root_abs.startswith(out_abs + os.sep):
        raise refuse("it contains the site")
    for sub in ("content", "static", "themes"):
        inner = os.path.join(root_abs, sub)
        if out_abs == inner or out_abs.startswith(inner + os.sep):
            raise refuse(f"it is inside the site's {sub}/ folder")
    if os.path.exists(out_abs):
        if not os.path.isdir(out_abs):
            raise refuse("it is a file, not a folder")
        if os.listdir(out_abs) and not os.path.isfile(os.path.join(out_abs, "manifest.json")):
            raise refuse("it is a folder with other files in it (no manifest.json from an earlier build), "
                         "which a build would replace")
    return out_abs


def make_staging(out_abs: str) -> str | None:
    """The temporary sibling folder a build writes into (render workers write their pages there as
    they make them); None when it cannot be made — then write_site makes it and reports why."""
    parent, name = os.path.split(out_abs)
    tmp = os.path.join(parent, f".{name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        os.makedirs(parent, exist_ok=True)
        os.mkdir(tmp)
    except OSError:
        return None
    return tmp


def discard_staging(tmp: str | None) -> None:
    if tmp and os.path.isdir(tmp):
        shutil.rmtree(tmp, ignore_errors=True)


def _taken_over(files: list[OutputFile], out_abs: str,
                previous: Iterable[str] | None) -> tuple[set[str], dict[str, list[str]], dict[str, list[str]]]:
    """Which top-level folders of the previous output a warm build takes over whole (those where
    files carried over outnumber the files made anew), and per folder the files made anew and the
    files of the previous output the new site no longer has (``previous``: the files its
    manifest.json lists, when the build read it already; else it is read here)."""
    carried: dict[str, int] = {}
    fresh: dict[str, list[str]] = {}
    for f in files:
        top, sep, _ = f.path.partition("/")
        if not sep:
            continue
        if f.link and f.source == out_file(out_abs, f.path):
            carried[top] = carried.get(top, 0) + 1
        else:
            fresh.setdefault(top, []).append(f.path)
    tops = {top for top, n in carried.items() if n > len(fresh.get(top, ()))}
    if not tops:
        return set(), {}, {}
    before = previous
    if before is None:
        try:
            with open(os.path.join(out_abs, "manifest.json"), encoding="utf-8") as fh:
                before = [f["path"] for f in json.load(fh)["files"]]
        except (OSError, ValueError, KeyError, TypeError):
            return set(), {}, {}  # no trustworthy list of what is there: link file by file
    tops = {top for top in tops if os.path.isdir(os.path.join(out_abs, top))}
    now = {f.path for f in files}
    stale: dict[str, list[str]] = {}
    for path in before:
        top = path.partition("/")[0]
        if top in tops and path not in now:
            stale.setdefault(top, []).append(path)
    return tops, {t: fresh.get(t, []) for t in tops}, stale


class _Journal:
    """The renames (and folders made or removed) that take folders over from the previous output,
    undone in reverse when one of them fails, so the previous output is restored."""

    def __init__(self):
        self.steps: list[tuple] = []

    def rename(self, a: str, b: str) -> None:
        os.rename(a, b)
        self.steps.append(("rename", a, b))

    def makedirs(self, d: str) -> None:
        missing = []
        while not os.path.isdir(d):
            missing.append(d)
            d = os.path.dirname(d)
        for m in reversed(missing):
            os.mkdir(m)
            self.steps.append(("mkdir", m))

    def rmdir_empty(self, d: str, stop: str) -> None:
        while d != stop and d.startswith(stop + os.sep):
            try:
                os.rmdir(d)
            except OSError:
                return  # not empty
            self.steps.append(("rmdir", d))
            d = os.path.dirname(d)

    def undo(self) -> None:
        for step in reversed(self.steps):
            try:
                if step[0] == "rename":
                    os.makedirs(os.path.dirname(step[1]), exist_ok=True)
                    os.rename(step[2], step[1])
                elif step[0] == "mkdir":
                    os.rmdir(step[1])
                else:
                    os.mkdir(step[1])
            except OSError:
                pass  # best effort: the rest is still put back


def _take_over(old: str, tmp: str, tops: set[str], fresh: dict[str, list[str]], stale: dict[str, list[str]],
               journal: _Journal) -> None:
    """Move each folder in ``tops`` from the previous output (``old``, already moved aside) into the
    new one (``tmp``): first the files made anew go into it (what they replace is set aside), the
    files the site no longer has are set aside, then the folder moves."""
    n = 0
    for top in sorted(tops):
        here, there = os.path.join(old, top), os.path.join(tmp, top)
        for rel in fresh[top]:
            target = os.path.join(old, *rel.split("/"))
            if os.path.lexists(target):
                n += 1
                journal.rename(target, os.path.join(old, f".replaced-{n}"))
            else:
                journal.makedirs(os.path.dirname(target))
            journal.rename(os.path.join(tmp, *rel.split("/")), target)
        for rel in stale.get(top, ()):
            target = os.path.join(old, *rel.split("/"))
            if os.path.lexists(target):
                n += 1
                journal.rename(target, os.path.join(old, f".stale-{n}"))
                journal.rmdir_empty(os.path.dirname(target), here)
        if os.path.isdir(there):
            shutil.rmtree(there)  # only the (now empty) folders the new files were written in
        journal.rename(here, there)


def write_site(files: list[OutputFile], out_abs: str, staging: str | None = None,
               previous: Iterable[str] | None = None) -> list[Diagnostic]:
    """Write ``files`` into ``staging`` (made here when None; files marked ``staged`` are there
    already) and swap it in for ``out_abs``. ``previous``: the files the previous output's
    manifest.json lists, when the build has read it (render/reuse.py).

    Files carried over from the previous output (``link``) are hard-linked into the new one, except
    in top-level folders made mostly of them (``articles/``, ``wechat/``, ``qr/`` in a warm build):
    such a folder is taken over whole at the swap — one rename instead of a folder and a link per
    page now, and an unlink and a folder removal per page when the old output is deleted. The
    previous output is only touched after the new one is complete, and put back if a step fails."""
    parent, name = os.path.split(out_abs)
    token = uuid.uuid4().hex[:8]
    tmp = staging or os.path.join(parent, f".{name}.tmp-{token}")
    current = source = None  # the output file being written, and the file it is copied from
    old = os.path.join(parent, f".{name}.old-{token}")
    try:
        if staging is None:
            os.makedirs(parent, exist_ok=True)
            os.mkdir(tmp)
        tops, fresh, stale = _taken_over(files, out_abs, previous) if os.path.isdir(out_abs) else (set(), {}, {})
        made: set[str] = {tmp}
        for f in files:
            if f.staged or (f.link and f.path.partition("/")[0] in tops
                            and f.source == out_file(out_abs, f.path)):
                continue
            target = current = out_file(tmp, f.path)
            source = f.source
            d = os.path.dirname(target)
            if d not in made:
                os.makedirs(d, exist_ok=True)
                made.add(d)
            if f.data is not None:
                with open(target, "wb") as fh:
                    fh.write(f.data)
            elif f.link:
                try:
                    os.link(f.source, target)  # unchanged since the last build: not rewritten
                except OSError:
                    shutil.copyfile(f.source, target)
            else:
                shutil.copyfile(f.source, target)
        current = source = None
        swapped = False
        if os.path.exists(out_abs):
            os.rename(out_abs, old)
            swapped = True
        journal = _Journal()
        try:
            _take_over(old, tmp, tops, fresh, stale, journal)
            os.rename(tmp, out_abs)
        except OSError:
            journal.undo()
            if swapped:
                os.rename(old, out_abs)
            raise
        if swapped:
            shutil.rmtree(old, ignore_errors=True)
        return []
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        where = e.filename or out_abs
        if current and where == source and not isinstance(e, FileNotFoundError):
            where = current  # a failed copy names its source; the write is what failed (full disk)
        if where == tmp or where.startswith(tmp + os.sep):
            where = out_abs + where[len(tmp):]  # name the output folder, not the temporary one
        shown = os.path.relpath(out_abs) if not os.path.relpath(out_abs).startswith("..") else out_abs
        reason = e.strerror or str(e)
        if isinstance(e, FileExistsError) and os.path.isfile(where):
            reason = os.strerror(errno.ENOTDIR)  # a file stands where a folder must go
        return [diag("OUT001", Location(shown, 1, 1),
                     f"cannot write the site: {reason} ({where})",
                     "check that the output folder is writable and the disk has room; "
                     "the previous output is unchanged")]
