"""Watching site.yaml, content/, static/ and themes/ with watchdog, debounced into batches.

Editors save in many ways: in place (VS Code: truncate, write, close), by renaming (vim: move the
file to ``file~``, write a new one), through a temp file (JetBrains: ``file___jb_tmp___`` renamed
over the file). Every path of a batch is simply "changed": the rebuild looks at what is on disk.
Editor temp files and dotfiles never count. A batch fires once the tree has been quiet for
``quiet`` seconds — or only ``settled`` seconds after a file was closed or moved into place, the
moment an editor's save is complete.
"""

from __future__ import annotations

import errno
import os
import threading
import time
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from ..load.files import is_temp_name

WATCHED = ("content", "static", "themes")
Batch = Callable[[set[str], set[str], float], None]  # (files, directories, time of the first event)

LIMIT_MESSAGE = ("the system's limit of file watches is reached ({err}); watching by polling instead, "
                 "which notices changes a little later. To raise the limit: "
                 "sudo sysctl fs.inotify.max_user_watches=524288")


class Debouncer:
    """Collects changed paths and hands them over as one batch once the tree is quiet."""

    def __init__(self, fire: Batch, quiet: float = 0.06, settled: float = 0.012, longest: float = 0.5):
        self.fire, self.quiet, self.settled, self.longest = fire, quiet, settled, longest
        self.cond = threading.Condition()
        self.paths: set[str] = set()
        self.dirs: set[str] = set()
        self.first = self.last = 0.0
        self.last_settled = False
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="site-gen-debounce", daemon=True)
        self.thread.start()

    def add(self, rel: str, *, is_dir: bool = False, settled: bool = False) -> None:
        now = time.perf_counter()
        with self.cond:
            if not self.paths and not self.dirs:
                self.first = now
            (self.dirs if is_dir else self.paths).add(rel)
            self.last, self.last_settled = now, settled
            self.cond.notify()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify()

    def _run(self) -> None:
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.stopped or self.paths or self.dirs)
                if self.stopped:
                    return
                while True:
                    wait = self.settled if self.last_settled else self.quiet
                    deadline = min(self.last + wait, self.first + self.longest)
                    left = deadline - time.perf_counter()
                    if left <= 0 or self.stopped:
                        break
                    self.cond.wait(left)
                paths, dirs, first = self.paths, self.dirs, self.first
                self.paths, self.dirs = set(), set()
            if paths or dirs:
                self.fire(paths, dirs, first)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: "Watcher"):
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write") or (kind == "modified" and event.is_directory):
            return
        self.watcher.seen(event.src_path, event.is_directory, settled=kind == "closed")
        if kind == "moved" and event.dest_path:
            self.watcher.seen(event.dest_path, event.is_directory, settled=True)


class Watcher:
    """The observer over the site plus the debouncer. ``poll`` forces watchdog's polling observer;
    when the OS refuses more inotify watches the watcher says so and polls."""

    def __init__(self, root: str, fire: Batch, *, poll: bool = False, output: str = "public",
                 log: Callable[[str], None] = print, make_observer=Observer, interval: float = 0.5):
        self.root = os.path.abspath(root)
        self.output = output.strip("/")
        self.log = log
        self.debouncer = Debouncer(fire)
        self.handler = _Handler(self)
        self.interval = interval
        self.mode = "poll" if poll else "events"
        self.observer = None
        try:
            self.observer = self._start(PollingObserver(timeout=interval) if poll else make_observer())
        except OSError as e:
            if e.errno not in (errno.ENOSPC, errno.EMFILE):
                raise
            self.log("site-gen serve: " + LIMIT_MESSAGE.format(err=e.strerror or e))
            self.mode = "poll"
            self.observer = self._start(PollingObserver(timeout=interval))

    def _start(self, observer):
        observer.schedule(self.handler, self.root, recursive=False)
        for top in WATCHED:
            full = os.path.join(self.root, top)
            if os.path.isdir(full):
                observer.schedule(self.handler, full, recursive=True)
        observer.daemon = True
        try:
            observer.start()
        except BaseException:
            observer.unschedule_all()
            raise
        return observer

    def seen(self, path, is_dir: bool, settled: bool = False) -> None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        if rel.startswith("../") or rel == "." or not self.relevant(rel):
            return
        if is_dir and rel in WATCHED and os.path.isdir(path):
            self._watch_new_top(path)
        self.debouncer.add(rel, is_dir=is_dir, settled=settled)

    def relevant(self, rel: str) -> bool:
        if rel == "site.yaml":
            return True
        parts = rel.split("/")
        if parts[0] not in WATCHED or any(is_temp_name(p) for p in parts):
            return False
        return not (self.output and (rel == self.output or rel.startswith(self.output + "/")))

    def _watch_new_top(self, path: str) -> None:
        """content/, static/ or themes/ appeared after the start: watch it too."""
        try:
            self.observer.schedule(self.handler, path, recursive=True)
        except OSError as e:
            self.log(f"site-gen serve: cannot watch {path} ({e.strerror or e})")

    def stop(self) -> None:
        self.debouncer.stop()
        if self.observer is not None:
            self.observer.stop()
