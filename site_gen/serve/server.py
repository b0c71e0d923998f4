"""The preview's HTTP server (standard library): only the built site, only to allowed hosts.

- Files come from the preview's in-memory map (output path -> bytes or a file of the site's
  static/ or theme): a request can only name a key of that map, so nothing outside the built site
  is reachable. Requests are still refused early when their path is suspicious in any encoding
  (``..``, ``%2e%2e``, ``%252e``, ``..%2f``, backslashes, NUL, control characters): 400.
- No directory listings: a directory URL serves its index.html or the 404 page (status 404).
  Dotfiles are hidden (404). GET and HEAD only (405 with ``Allow``).
- The Host header must be a loopback name or the address the preview was told to bind (403
  naming ``--host`` otherwise): a page on another site cannot read the preview by DNS rebinding.
- The standard library bounds the request line (64 KiB, 414) and the headers (100 lines of at
  most 64 KiB, 431); each connection has a socket timeout; a client that hangs up mid-response
  ends only its own thread; connections beyond ``max_connections`` are closed at once.
"""

from __future__ import annotations

import mimetypes
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from .reload import CLIENT_PATH, EVENTS_PATH, KEEPALIVE, Broker, client_js, inject, message, script_tag

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
CONNECTION_ERRORS = (ConnectionError, TimeoutError, socket.timeout, OSError)
TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml",
              "application/atom+xml", "application/feed+json")
TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
         ".xml": "application/xml", ".svg": "image/svg+xml", ".txt": "text/plain", ".webp": "image/webp",
         ".woff2": "font/woff2", ".woff": "font/woff", ".ico": "image/x-icon"}


class BadPath(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def site_key(target: str, base_path: str = "/") -> str:
    """The output path a request target names ("" for the base itself), or BadPath.

    Decoded exactly once; anything still encoded after that (``%252e`` → ``%2e``) is refused, so no
    second decoding anywhere can turn it into a traversal."""
    if not target.startswith("/"):
        raise BadPath(400, "the request target must be a path starting with /")
    raw = target.split("#", 1)[0].split("?", 1)[0]
    if "\\" in raw or "\x00" in raw:
        raise BadPath(400, "backslashes and NUL are not allowed in paths")
    try:
        path = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadPath(400, "the path is not valid UTF-8 after percent-decoding") from None
    if "%" in path:
        raise BadPath(400, "the path is percent-encoded twice")
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in path):
        raise BadPath(400, "control characters and backslashes are not allowed in paths")
    parts = path.split("/")[1:]
    if any(p in (".", "..") for p in parts):
        raise BadPath(400, "`.` and `..` are not allowed in paths")
    if any(p == "" for p in parts[:-1]):
        raise BadPath(404, "empty path segment")
    if any(p.startswith(".") for p in parts):
        raise BadPath(404, "dotfiles are not served")
    if not path.startswith(base_path):
        raise BadPath(404, "outside the site's base path")
    return path[len(base_path):]


def host_name(value: str | None) -> str:
    """The host of a Host header, lower-cased, without the port ("[::1]" keeps its brackets)."""
    v = (value or "").strip().lower()
    if v.startswith("["):
        end = v.find("]")
        return v[: end + 1] if end > 0 else v
    if v.count(":") == 1:
        return v.split(":", 1)[0]
    return v


def content_type(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    if name == "_headers":
        kind = "text/plain"
    else:
        dot = name.rfind(".")
        kind = TYPES.get(name[dot:].lower()) if dot >= 0 else None
        kind = kind or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return kind + ("; charset=utf-8" if kind.startswith(TEXT_TYPES) else "")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    max_connections = 512

    def __init__(self, address, preview, broker: Broker, allowed_hosts: set[str], refusal: str):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview, self.broker = preview, broker
        self.allowed_hosts = frozenset(allowed_hosts)
        self.refusal = refusal
        self.active = 0
        self.active_lock = threading.Lock()
        self.stopping = threading.Event()
        super().__init__(address, Handler)

    def process_request(self, request, client_address):
        with self.active_lock:
            if self.active >= self.max_connections:
                self.shutdown_request(request)
                return
            self.active += 1
        try:
            super().process_request(request, client_address)
        except BaseException:
            with self.active_lock:
                self.active -= 1
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.active_lock:
                self.active -= 1

    def handle_error(self, request, client_address):  # a client's trouble is never the server's
        pass


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "site-gen-preview"
    sys_version = ""
    protocol_version = "HTTP/1.0"
    timeout = 5  # seconds a connection may stay silent (reading the request, or a stuck reader)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format, *args):  # noqa: A002 — quiet: the terminal shows rebuilds
        pass

    def handle_one_request(self):
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline, self.request_version, self.command = "", "", ""
                self._plain(HTTPStatus.REQUEST_URI_TOO_LONG, "request line too long (64 KiB at most)\n")
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            if self.command not in ("GET", "HEAD"):
                self._plain(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} is not allowed: the preview serves "
                            "GET and HEAD only\n", {"Allow": "GET, HEAD"})
                return
            self._serve()
            self.wfile.flush()
        except CONNECTION_ERRORS:
            self.close_connection = True

    # ----------------------------------------------------------------------------- responses

    def _send(self, status: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _plain(self, status: int, text: str, extra: dict | None = None) -> None:
        self.close_connection = True
        self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8", extra)

    def _serve(self) -> None:
        srv = self.server
        host = host_name(self.headers.get("Host"))
        if host not in srv.allowed_hosts:
            shown = host or "(none)"
            self._plain(HTTPStatus.FORBIDDEN, f"site-gen serve refuses requests for the host `{shown}`. "
                        f"{srv.refusal}\n")
            return
        path = self.path.split("?", 1)[0]
        if path == "/" + EVENTS_PATH:
            self._events()
            return
        if path == "/" + CLIENT_PATH:
            self._send(200, client_js(), "text/javascript; charset=utf-8")
            return
        preview = srv.preview
        try:
            key = site_key(self.path, preview.base_path)
        except BadPath as e:
            if e.status == 404 and path == "/" and preview.base_path != "/":
                self._send(302, b"", "text/plain; charset=utf-8", {"Location": preview.base_path})
                return
            if e.status == 404:
                self._not_found()
            else:
                self._plain(e.status, f"bad request: {e.reason}\n")
            return
        if key == "" or key.endswith("/"):
            key += "index.html"
        found, missing, version = preview.lookup(key)
        if found is None and not key.endswith("index.html") and preview.has(key + "/index.html"):
            self._send(301, b"", "text/plain; charset=utf-8", {"Location": self.path.split("?", 1)[0] + "/"})
            return
        if found is None:
            self._not_found(missing, version)
            return
        self._file(key, found, 200, version)

    def _not_found(self, page=None, version: int | None = None) -> None:
        if page is None:
            _, page, version = self.server.preview.lookup("404.html")
        if page is None:
            body = (b"<!doctype html><meta charset=utf-8><title>404</title><h1>404 &mdash; not in the "
                    b"preview</h1><p>site-gen serve has no page here.</p></body>")
            self._send(404, inject(body, script_tag("/", version or 0)), "text/html; charset=utf-8")
            return
        self._file("404.html", page, 404, version or 0)

    def _file(self, key: str, f, status: int, version: int) -> None:
        ctype = content_type(key)
        if f.data is not None:
            body = f.data
            if ctype.startswith("text/html"):
                body = inject(body, script_tag("/", version))
            self._send(status, body, ctype)
            return
        try:
            with open(f.source, "rb") as fh:
                body = fh.read()
        except OSError:  # the static file went away since the build: the next rebuild notices
            self._not_found()
            return
        self._send(status, body, ctype)

    def _events(self) -> None:
        srv, preview = self.server, self.server.preview
        q = srv.broker.subscribe()
        try:
            from .overlay import payload

            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Accel-Buffering", "no")
            self.end_headers()
            if self.command == "HEAD":
                return
            hello = {"version": preview.version, "diagnostics": payload(preview.errors())}
            self.wfile.write(b"retry: 1000\n\n" + message("hello", hello))
            self.wfile.flush()
            while not srv.stopping.is_set():
                try:
                    kind, data = q.get(timeout=KEEPALIVE)
                except Exception:  # queue.Empty: keep the connection alive through proxies
                    self.wfile.write(b": keepalive\n\n")
                    self.wfile.flush()
                    continue
                if kind == "bye":
                    break
                self.wfile.write(message(kind, data))
                self.wfile.flush()
        except CONNECTION_ERRORS:
            pass
        finally:
            srv.broker.unsubscribe(q)
            self.close_connection = True
