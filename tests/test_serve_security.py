"""`site-gen serve` is not a hole in the editor's machine (SPEC §8, issue 4): the real process, a
real HTTP client and raw sockets."""

from __future__ import annotations

import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from serve_process import Served

SECRET = "TOP-SECRET-OUTSIDE-THE-SITE"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from conftest import write_site

    base = tmp_path_factory.mktemp("serve-sec")
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")  # next to the site root
    root = base / "site"
    root.mkdir()
    write_site(root, {
        "static/.hidden": "dotfile-content",
        "static/big.bin": b"\x00" * (8 * 1024 * 1024),
        "static/images/a b.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    })
    s = Served(root)
    yield s
    s.stop()


def _status(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else 0


TRAVERSALS = [
    "/../secret.txt", "/../../secret.txt", "/articles/../../secret.txt",
    "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt", "/.%2e/secret.txt",
    "/%252e%252e/secret.txt", "/%252e%252e%252fsecret.txt",
    "/..%2fsecret.txt", "/..%2f..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/..%252fsecret.txt",
    "/..\\secret.txt", "/..%5csecret.txt", "/%5c..%5csecret.txt", "/static\\..\\..\\secret.txt",
    "/secret.txt%00.html", "/%00", "/index.html%00", "/..%00/secret.txt",
    "/%c0%ae%c0%ae/secret.txt", "/%e0%80%ae%e0%80%ae/secret.txt",
    "//secret.txt", "/./secret.txt", "/.", "/..",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_escapes_the_site_in_any_encoding(served, target):
    reply = served.raw(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("latin-1"))
    assert 400 <= _status(reply) < 500, reply[:200]
    assert SECRET.encode() not in reply
    assert b"base_url" not in reply  # nor site.yaml, nor any source file


def test_nul_byte_in_the_raw_request_line_is_refused(served):
    reply = served.raw(b"GET /index.html\x00/../../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert 400 <= _status(reply) < 500
    assert SECRET.encode() not in reply


@pytest.mark.parametrize("target", ["/site.yaml", "/content/articles/2026-11-20-hello.md", "/static/big.bin",
                                    "/public/index.html"])
def test_only_the_built_site_is_served_not_its_sources(served, target):
    status, body = served.get(target)
    assert status == 404
    assert b"base_url" not in body and b"date: 2026-11-20" not in body


def test_absolute_form_request_target_is_refused(served):
    reply = served.raw(b"GET http://127.0.0.1/../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert _status(reply) == 400
    assert b"the request target must be a path starting with /" in reply


def test_directories_are_never_listed(served):
    for target in ("/articles/", "/assets/", "/qr/", "/tags/"):
        status, body = served.get(target)
        assert status == 404, target
        assert b"<!doctype html>" in body.lower()  # the site's 404 page …
        assert b"index.html" not in body and b"hello" not in body  # … not a listing
    status, body = served.get("/articles/hello/")  # a page directory serves its index.html
    assert status == 200 and "你好".encode() in body
    status, headers, _ = served.request("/articles/hello")
    assert status == 301 and headers["location"] == "/articles/hello/"


def test_dotfiles_are_hidden(served):
    assert served.get("/.hidden") == (404, served.get("/.hidden")[1])
    assert b"dotfile-content" not in served.get("/.hidden")[1]
    assert served.get("/%2ehidden")[0] == 404
    assert served.get("/.well-known/security.txt")[0] == 404


def test_static_files_with_encoded_names_are_served(served):
    status, headers, body = served.request("/images/a%20b.svg")
    assert status == 200 and body.startswith(b"<svg")
    assert headers["content-type"] == "image/svg+xml; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "CONNECT"])
def test_only_get_and_head(served, method):
    status, headers, body = served.request("/", method=method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"
    assert f"{method} is not allowed: the preview serves GET and HEAD only".encode() in body


def test_head_has_the_headers_and_no_body(served):
    status, headers, body = served.request("/", method="HEAD")
    full = served.get("/")[1]
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == len(full)
    assert headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.nip.io", "localhost.evil.example",
                                  "192.168.1.20", "0.0.0.0", "[::ffff:7f00:1]"])
def test_foreign_host_is_refused_naming_the_host_option(served, host):
    status, headers, body = served.request("/", host=host)
    assert status == 403
    text = body.decode()
    shown = host.split(":")[0] if not host.startswith("[") else host
    assert text.startswith(f"site-gen serve refuses requests for the host `{shown}`. ")
    assert "restart it with `--host 0.0.0.0`" in text
    assert "<html" not in text


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST", "localhost:{port}",
                                  "127.0.0.1:{port}", "[::1]:{port}"])
def test_loopback_hosts_are_answered(served, host):
    assert served.get("/", host=host.format(port=served.port))[0] == 200


def test_a_request_without_host_is_refused(served):
    reply = served.raw(b"GET / HTTP/1.0\r\n\r\n")
    assert _status(reply) == 403
    assert b"requests for the host `(none)`" in reply


def test_huge_request_line_and_headers_are_bounded_and_the_server_keeps_serving(served):
    reply = served.raw(b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert _status(reply) in (400, 414)
    many = b"".join(b"X-%d: y\r\n" % i for i in range(150))
    assert _status(served.raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n")) == 431
    long_header = b"X-Long: " + b"z" * 70000 + b"\r\n"
    assert _status(served.raw(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + long_header + b"\r\n")) in (400, 431)
    assert served.get("/")[0] == 200


def test_a_silent_connection_is_closed_after_the_timeout(served):
    s = socket.create_connection(("127.0.0.1", served.port), timeout=15)
    s.sendall(b"GET / HTTP/1.1\r\n")  # … and never finishes the request
    started = time.monotonic()
    assert served.get("/")[0] == 200  # meanwhile others are served
    data = s.recv(65536)  # the server gives up on the silent one
    assert time.monotonic() - started < 12
    assert data == b"" or _status(data) in (400, 408)
    s.close()


def test_burst_of_200_connections_and_clients_hanging_up_mid_response(served):
    def one(_):
        return served.get("/", timeout=30)[0]

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(one, range(200)))
    assert statuses == [200] * 200

    # clients that hang up in the middle of a large response (reset, not a polite close)
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", served.port), timeout=5)
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.0 200")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    # and a few that hang up before sending anything, or half-way through the headers
    for data in (b"", b"GET / HTT", b"GET / HTTP/1.1\r\nHost: 127."):
        s = socket.create_connection(("127.0.0.1", served.port), timeout=5)
        s.sendall(data)
        s.close()

    results = []
    threads = [threading.Thread(target=lambda: results.append(served.get("/")[0])) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * 20
    status, body = served.get("/big.bin")
    assert status == 200 and len(body) == 8 * 1024 * 1024
    assert served.alive()
    assert "Traceback" not in served.output
