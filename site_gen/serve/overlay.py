"""The error overlay: a build's diagnostics (file:line:col, message, hint) over the page.

Drawn in the browser from the diagnostics' JSON (``Diagnostic.as_dict``), inside a shadow root so
neither the theme's CSS nor the page's scripts can restyle or hide it. Text is set with
``textContent`` only: a message quoting the user's file can never inject markup. Readable on a
phone (375 px): large type, wrapped paths, nothing wider than the screen.
"""

from __future__ import annotations

OVERLAY_CSS = r"""
:host { all: initial; }
.backdrop { position: fixed; inset: 0; z-index: 2147483647; overflow: auto; background: rgba(20, 12, 8, .62);
  padding: max(12px, env(safe-area-inset-top)) 12px 24px; box-sizing: border-box;
  font: 16px/1.5 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; color: #1c1917; }
.panel { max-width: 760px; margin: 0 auto; background: #fff; border-radius: 12px; border-top: 6px solid #b91c1c;
  box-shadow: 0 12px 40px rgba(0, 0, 0, .35); padding: 16px 16px 8px; box-sizing: border-box; }
header { display: flex; align-items: flex-start; gap: 12px; }
h1 { font-size: 19px; line-height: 1.3; margin: 0; flex: 1; color: #991b1b; }
button { flex: none; min-width: 44px; min-height: 44px; border: 0; border-radius: 8px; background: #f5f5f4;
  color: #1c1917; font-size: 24px; line-height: 1; cursor: pointer; }
.lead { margin: 8px 0 12px; color: #44403c; font-size: 15px; }
ol { list-style: none; margin: 0; padding: 0; }
li { border-top: 1px solid #e7e5e4; padding: 12px 0; }
.where { display: block; font: 600 15px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color: #1d4ed8; overflow-wrap: anywhere; word-break: break-all; }
.code { display: inline-block; margin-top: 4px; font: 600 12px/1.6 ui-monospace, Menlo, monospace;
  background: #fee2e2; color: #991b1b; border-radius: 4px; padding: 0 6px; }
.code.warning { background: #fef3c7; color: #92400e; }
.msg { margin: 6px 0 0; font-size: 16px; overflow-wrap: anywhere; }
.hint { margin: 6px 0 0; font-size: 15px; color: #166534; overflow-wrap: anywhere; }
.hint::before { content: "hint: "; font-weight: 600; }
"""

OVERLAY_JS = r"""window.__siteGenOverlay = (() => {
  "use strict";
  const CSS = %CSS%;
  let host = null;
  const el = (tag, cls, text) => {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  };
  function hide() { if (host) { host.remove(); host = null; } }
  function show(diagnostics) {
    hide();
    host = document.createElement("site-gen-overlay");
    host.id = "site-gen-overlay";
    host.setAttribute("data-site-gen-overlay", "");
    const root = host.attachShadow({ mode: "open" });
    const style = el("style"); style.textContent = CSS; root.append(style);
    const back = el("div", "backdrop"); back.setAttribute("role", "alertdialog");
    back.setAttribute("aria-modal", "true"); back.setAttribute("aria-labelledby", "sg-title");
    const panel = el("div", "panel"); back.append(panel);
    const head = el("header");
    const n = diagnostics.length;
    const title = el("h1", "", n === 1 ? "The last change broke the build: 1 problem"
                                     : "The last change broke the build: " + n + " problems");
    title.id = "sg-title";
    const close = el("button", "", "\u00d7"); close.type = "button";
    close.setAttribute("aria-label", "Hide (it comes back with the next change)");
    close.addEventListener("click", hide);
    head.append(title, close); panel.append(head);
    panel.append(el("p", "lead", "Fix the file and save: this page updates by itself. "
                                 + "Underneath is the last version that built."));
    const list = el("ol");
    for (const d of diagnostics) {
      const li = el("li");
      li.append(el("span", "where", d.file + ":" + d.line + ":" + d.column));
      li.append(el("span", "code " + d.severity, d.code + " " + d.severity));
      li.append(el("p", "msg", d.message));
      if (d.hint) li.append(el("p", "hint", d.hint));
      list.append(li);
    }
    panel.append(list);
    root.append(back);
    (document.body || document.documentElement).append(host);
    close.focus({ preventScroll: true });
  }
  return { show, hide };
})();
""".replace("%CSS%", __import__("json").dumps(OVERLAY_CSS))


def payload(diagnostics) -> list[dict]:
    """The overlay's data: errors first, each as ``Diagnostic.as_dict``."""
    return [d.as_dict() for d in sorted(diagnostics, key=lambda d: (d.severity != "error", d.sort_key))]
