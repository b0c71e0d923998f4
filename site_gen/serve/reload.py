"""Live reload: a Server-Sent Events stream and the small script injected into every HTML page.

Events (``event:`` name, JSON ``data:``):

- ``hello``    on connect: ``{"version", "diagnostics"}``; a page older than ``version`` reloads;
- ``reload``   the site changed: reload the page;
- ``css``      only stylesheets changed: ``{"version", "swap": {old URL: new URL}}``, swapped in place;
- ``problems`` the last change broke the build: ``{"diagnostics": [...]}`` shown as an overlay;
- ``ok``       the problems are fixed and the page is current: the overlay goes.

(Not ``error``: EventSource uses that name for its own connection errors.)
"""

from __future__ import annotations

import json
import queue
import threading

from .overlay import OVERLAY_JS

EVENTS_PATH = "__site-gen/events"
CLIENT_PATH = "__site-gen/client.js"
KEEPALIVE = 15.0  # seconds between comments on an idle stream


class Broker:
    """Fans events out to every connected browser tab."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clients: set[queue.Queue] = set()

    def subscribe(self) -> queue.Queue:
        q: queue.Queue = queue.Queue(maxsize=100)
        with self.lock:
            self.clients.add(q)
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self.lock:
            self.clients.discard(q)

    def publish(self, kind: str, data: dict) -> None:
        with self.lock:
            clients = list(self.clients)
        for q in clients:
            try:
                q.put_nowait((kind, data))
            except queue.Full:  # a tab that stopped reading: it reconnects and gets a hello
                pass

    def close(self) -> None:
        self.publish("bye", {})


def message(kind: str, data: dict) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode("utf-8")


def script_tag(base: str, version: int) -> bytes:
    return (f'<script src="{base}{CLIENT_PATH}" data-site-gen-version="{version}" data-site-gen-base="{base}" '
            'defer></script>').encode()


def inject(html: bytes, tag: bytes) -> bytes:
    """The reload script goes just before the last ``</body>`` (or at the end)."""
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


CLIENT_JS = r"""(() => {
  "use strict";
  const me = document.currentScript;
  const base = me.dataset.siteGenBase || "/";
  let version = Number(me.dataset.siteGenVersion || 0);
  const overlay = window.__siteGenOverlay;
  const es = new EventSource(base + "__site-gen/events?v=" + version);
  const data = (e) => { try { return JSON.parse(e.data); } catch (_) { return {}; } };
  const reload = () => { es.close(); location.reload(); };
  es.addEventListener("hello", (e) => {
    const d = data(e);
    if (d.version !== version) { reload(); return; }
    if (d.diagnostics && d.diagnostics.length) overlay.show(d.diagnostics); else overlay.hide();
  });
  es.addEventListener("reload", () => reload());
  es.addEventListener("problems", (e) => overlay.show(data(e).diagnostics || []));
  es.addEventListener("ok", () => overlay.hide());
  es.addEventListener("css", (e) => {
    const d = data(e);
    version = d.version;
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const next = d.swap[new URL(link.href, location.href).pathname];
      if (!next) continue;
      const fresh = link.cloneNode();
      fresh.href = next;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => link.remove(), { once: true });
      link.after(fresh);
    }
  });
  window.addEventListener("pagehide", () => es.close());
})();
"""


def client_js() -> bytes:
    return (OVERLAY_JS + "\n" + CLIENT_JS).encode("utf-8")
