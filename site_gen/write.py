"""The only module that writes the site: a temporary sibling directory, then a swap.

On any failure the previous output directory is left exactly as it was and the temporary
directory is removed.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid

from .config import UsageError
from .diagnostics import Diagnostic, Location, diag
from .render import OutputFile


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


def write_site(files: list[OutputFile], out_abs: str, staging: str | None = None) -> list[Diagnostic]:
    """Write ``files`` into ``staging`` (made here when None; files marked ``staged`` are there
    already) and swap it in for ``out_abs``."""
    parent, name = os.path.split(out_abs)
    token = uuid.uuid4().hex[:8]
    tmp = staging or os.path.join(parent, f".{name}.tmp-{token}")
    current = source = None  # the output file being written, and the file it is copied from
    old = os.path.join(parent, f".{name}.old-{token}")
    try:
        if staging is None:
            os.makedirs(parent, exist_ok=True)
            os.mkdir(tmp)
        made: set[str] = {tmp}
        for f in files:
            if f.staged:
                continue
            target = current = os.path.join(tmp, *f.path.split("/"))
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
        swapped = False
        if os.path.exists(out_abs):
            os.rename(out_abs, old)
            swapped = True
        try:
            os.rename(tmp, out_abs)
        except OSError:
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
