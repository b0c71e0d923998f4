"""`site-gen serve`: build in memory, serve, watch, rebuild what changed, reload the browsers (SPEC §8).

    preview.py   the built site in memory; full and incremental rebuilds; consistent reads
    changes.py   what a batch of changed files needs (entry, CSS, static, full rebuild)
    watcher.py   watchdog + debounce (editor saves, temp files, polling fallback)
    server.py    HTTP: host allow-list, path safety, GET/HEAD, injected reload script
    reload.py    Server-Sent Events and the browser script; overlay.py draws the diagnostics
"""

from __future__ import annotations

import queue
import socket
import sys
import threading
import time
import webbrowser

from ..config import UsageError

DEFAULT_HOST = "127.0.0.1"


def serve(args) -> int:
    from ..cli import prepare
    from .preview import Preview
    from .reload import Broker
    from .server import LOOPBACK_HOSTS, PreviewServer
    from .watcher import Watcher

    root, now = prepare(args)
    _stop_on_sigterm()
    from ..config import load_config

    config, _ = load_config(root)  # no site.yaml: a usage error (exit 2) before anything starts
    out = _Printer()
    broker = Broker()
    preview = Preview(root, now=now, drafts=not args.no_drafts, notify=broker.publish, log=out.line)

    host = args.host
    wildcard = host in ("0.0.0.0", "::", "")
    lan = lan_addresses(host) if host not in ("127.0.0.1", "localhost", "::1") else []
    allowed = set(LOOPBACK_HOSTS) | {_bracket(a) for a in lan}
    if not wildcard:
        allowed.add(_bracket(host.lower()))
    refusal = ("Open the preview as http://localhost:PORT/ or http://127.0.0.1:PORT/; to preview from "
               "another device, restart it with `--host 0.0.0.0` and use the address it prints.").replace(
        "PORT", str(args.port))
    if not (1 <= args.port <= 65535 or args.port == 0):
        raise UsageError(f"--port {args.port}: use a port between 1 and 65535")
    try:
        server = PreviewServer((host if host != "localhost" else "127.0.0.1", args.port), preview, broker,
                               allowed, refusal)
    except OSError as e:
        raise UsageError(f"cannot listen on {host}:{args.port} ({e.strerror or e}); "
                         "pass another --port, or stop the program using it") from None
    port = server.server_address[1]

    stopping = threading.Event()
    work: queue.Queue = queue.Queue()

    def batch(paths, dirs, first):
        work.put((set(paths), set(dirs), first))

    def worker():
        while not stopping.is_set():
            try:
                paths, dirs, first = work.get(timeout=0.2)
            except queue.Empty:
                continue
            while not work.empty():  # changes that piled up during a long rebuild: one rebuild
                more = work.get_nowait()
                paths |= more[0]
                dirs |= more[1]
            preview.apply(paths, dirs, first, interrupted=lambda: not work.empty() or stopping.is_set())

    # watch first: a file saved during the first build is rebuilt right after it
    watcher = Watcher(root, batch, poll=args.poll, output=config.output if config else "public", log=out.line)
    # serve at once: requests wait for the first build (Preview starts busy)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="site-gen-http",
                     daemon=True).start()
    out.line("building…")
    preview.full()
    threading.Thread(target=worker, name="site-gen-rebuild", daemon=True).start()
    local = f"http://{'127.0.0.1' if wildcard or host == 'localhost' else _bracket(host)}:{port}{preview.base_path}"
    out.line(f"serving at {local} (Ctrl-C to stop)")
    if watcher.mode == "poll":
        out.line("watching for changes by polling")
    if lan:
        urls = [f"http://{_bracket(a)}:{port}{preview.base_path}" for a in lan]
        out.line("on your network: " + "  ".join(urls))
        out.line(f"warning: the preview is now reachable by anyone on your network ({', '.join(lan)}); "
                 "the default --host 127.0.0.1 keeps it on this computer")
        out.qr(urls[0])
    out.line("ready")
    if args.open:
        webbrowser.open(local)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        out.line("stopped")
    finally:
        stopping.set()
        server.stopping.set()
        broker.close()
        watcher.stop()
        server.shutdown()
        server.server_close()
    return 0


def _stop_on_sigterm() -> None:
    """`kill` stops the preview like Ctrl-C does (cleanly, exit 0)."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (serve() called from a test): leave it
        pass


class _Printer:
    """Terminal lines from several threads, never interleaved."""

    def __init__(self):
        self.lock = threading.Lock()

    def line(self, text: str) -> None:
        with self.lock:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()

    def qr(self, url: str) -> None:
        import segno

        with self.lock:
            try:
                segno.make(url, error="l").terminal(out=sys.stdout, compact=True)
            except (UnicodeEncodeError, OSError):
                segno.make(url, error="l").terminal(out=sys.stdout)
            sys.stdout.flush()


def _bracket(addr: str) -> str:
    return f"[{addr}]" if ":" in addr and not addr.startswith("[") else addr


def lan_addresses(host: str) -> list[str]:
    """The addresses a phone on the same network can use to reach a server bound to ``host``."""
    if host not in ("0.0.0.0", "::", ""):
        return [host]
    found: list[str] = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
        found.append(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(info[4][0])
    except OSError:
        pass
    out = []
    for a in found:
        if not a.startswith("127.") and a not in out and a != "0.0.0.0":
            out.append(a)
    return out


__all__ = ["serve"]
