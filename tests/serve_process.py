"""The real `site-gen serve` in a subprocess, for the serve tests: start, talk HTTP and SSE, stop."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

SERVE_NOW = "2026-11-23"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """``site-gen serve -C root --port P --now 2026-11-23 [extra]``, running until :meth:`stop`."""

    def __init__(self, root, *extra: str, now: str = SERVE_NOW, ready_timeout: float = 60):
        self.root = str(root)
        self.port = free_port()
        env = {**os.environ, "PYTHONUTF8": "1", "PYTHONUNBUFFERED": "1"}
        env.pop("SITE_GEN_DEBUG", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "site_gen", "serve", "-C", self.root, "--port", str(self.port),
             "--now", now, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", env=env)
        self.lines: list[str] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()
        if not self.wait_line(lambda line: line == "ready", ready_timeout):
            self.stop()
            raise AssertionError("site-gen serve did not start:\n" + self.output)

    def _pump(self) -> None:
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    @property
    def output(self) -> str:
        with self.cond:
            return "\n".join(self.lines)

    def wait_line(self, pred, timeout: float = 10, start: int = 0) -> str | None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                hit = next((line for line in self.lines[start:] if pred(line)), None)
                if hit is not None or self.proc.poll() is not None:
                    return hit
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, path: str, method: str = "GET", host: str | None = None, timeout: float = 20,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        hdrs = {"Host": host if host is not None else f"127.0.0.1:{self.port}", **(headers or {})}
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in hdrs.items():
            c.putheader(k, v)
        c.endheaders()
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body

    def get(self, path: str, **kw) -> tuple[int, bytes]:
        status, _, body = self.request(path, **kw)
        return status, body

    def raw(self, data: bytes, timeout: float = 10) -> bytes:
        """Send bytes as they are on a fresh connection; return everything the server answers."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            chunks = []
            while True:
                try:
                    chunk = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    def events(self) -> "EventStream":
        return EventStream(self.port)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        assert "Traceback" not in self.output, self.output


class EventStream:
    """The preview's Server-Sent Events, read in a thread like a browser tab reads them."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", "/__site-gen/events", headers={"Host": f"localhost:{port}"})
        self.sock = self.conn.sock
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        self.items: list[tuple[str, dict]] = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self.next("hello")

    def _read(self) -> None:
        kind = None
        try:
            for raw in self.resp.fp:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    with self.cond:
                        self.items.append((kind, json.loads(line[6:])))
                        self.cond.notify_all()
        except (OSError, ValueError):
            pass

    def mark(self) -> int:
        with self.cond:
            return len(self.items)

    def next(self, kind: str, after: int = 0, timeout: float = 10) -> dict:
        """The first ``kind`` event at or after index ``after``."""
        with self.cond:
            ok = self.cond.wait_for(lambda: any(k == kind for k, _ in self.items[after:]), timeout)
            assert ok, f"no `{kind}` event within {timeout} s; got {self.items[after:]}"
            return next(d for k, d in self.items[after:] if k == kind)

    def kinds(self, after: int = 0) -> list[str]:
        with self.cond:
            return [k for k, _ in self.items[after:]]

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
