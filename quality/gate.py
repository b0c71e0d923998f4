#!/usr/bin/env python3
"""The quality gate: the example hub's built pages measured by the tools web teams trust.

    python quality/gate.py [--site DIR] [--out quality-report] [--only html,axe,layout,weight,lighthouse,screenshots]

Builds the site (``site-gen build --now 2026-11-23``) into a temporary folder, serves it on a
loopback port and checks these bars (docs/quality.md lists them with the latest figures):

html        the Nu HTML Checker (npm vnu-jar, run with Java) reports 0 errors on every generated
            HTML file (a fragment without a doctype, such as a paste-ready WeChat article, is
            checked inside a minimal document)
axe         axe-core in headless Chromium, light and dark colour scheme, reports no serious or
            critical violation on the home, an article, a campaign, a persona, a tag and the 404 page
layout      at 320 and 375 px wide on those pages: no horizontal scroll, tab-bar items and the
            call to action at least 44 x 44 px, running text at least 16 px, and on an article the
            call to action on screen above the tab bar after scrolling to the end
weight      every article page's HTML + CSS + JS <= 30,000 bytes uncompressed (images excluded),
            and no render-blocking script on any page
lighthouse  Lighthouse (mobile preset) >= 95 in performance, accessibility, best practices and
            SEO for the home, an article and a campaign page
screenshots the home, article and campaign pages at 375 px, written to the report folder

For each kind the gate takes the largest page of that kind (the worst case). It prints a table of
figures, writes it with the screenshots and Lighthouse reports to the report folder, and exits 0
when every bar is met, 1 when one is missed (each miss named on a ``FAIL`` line: bar, page,
figure), 2 when it cannot run (a tool missing).

Tools: ``npm ci --prefix quality`` (vnu-jar, axe-core, lighthouse), Java 17+, Debian's chromium
at /usr/bin/chromium (or $CHROME_PATH) and Python playwright (never ``playwright install``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import importlib.util
import http.server
import io
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NODE_MODULES = HERE / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE_CLI = NODE_MODULES / "lighthouse" / "cli" / "index.js"
LAYOUT_JS = HERE / "layout.js"

NOW = "2026-11-23"
BARS = ("html", "axe", "layout", "weight", "lighthouse", "screenshots")
KINDS = ("home", "article", "campaign", "persona", "tag", "404")
LIGHTHOUSE_KINDS = ("home", "article", "campaign")
SCREENSHOT_KINDS = ("home", "article", "campaign")
WIDTHS = {320: 568, 375: 667}  # viewport width -> height (iPhone SE 1st gen, iPhone 8)
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync", "--disable-quic"]

MAX_WEIGHT = 30_000  # bytes: an article page's HTML + CSS + JS, uncompressed
MIN_TAP = 44  # px
MIN_TEXT = 16  # px
RUNNING_TEXT_CHARS = 20  # a text node this long (code points), half of them letters, is running text (MIN_TEXT)
MIN_LIGHTHOUSE = 95
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FAILING_IMPACTS = ("serious", "critical")


class CannotRun(Exception):
    """A tool is missing: exit 2 with this message."""


# ------------------------------------------------------------------------------------ results


@dataclass
class Figure:
    bar: str
    page: str
    measure: str
    value: str
    limit: str
    ok: bool


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, bar: str, page: str, measure: str, value, limit: str, ok: bool, why: str = "") -> None:
        self.figures.append(Figure(bar, page, measure, str(value), limit, ok))
        if not ok:
            self.failures.append(f"{bar}: {page}: {why or f'{measure} {value} (bar: {limit})'}")

    def table(self) -> str:
        head = ("bar", "page", "measure", "figure", "needs", "")
        rows = [head] + [(f.bar, f.page, f.measure, f.value, f.limit, "ok" if f.ok else "FAIL") for f in self.figures]
        widths = [max(_width(r[i]) for r in rows) for i in range(len(head))]
        return "\n".join("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip() for r in rows)

    def markdown(self) -> str:
        lines = ["| bar | page | measure | figure | needs | |", "|---|---|---|---|---|---|"]
        lines += [f"| {f.bar} | `{f.page}` | {f.measure} | {f.value} | {f.limit} | {'ok' if f.ok else '**FAIL**'} |"
                  for f in self.figures]
        return "\n".join(lines)


def _width(s: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if "\u2e80" <= ch <= "\ufe4f" or "\uff00" <= ch <= "\uffef" else 1 for ch in s)


# ------------------------------------------------------------------------------------ the built site


@dataclass(frozen=True)
class Page:
    kind: str
    path: str  # URL path on the server, e.g. /articles/x/
    file: Path  # the HTML file that answers it


def page_path(out: Path, file: Path) -> str:
    rel = file.relative_to(out).as_posix()
    if rel == "index.html":
        return "/"
    return "/" + (rel[: -len("index.html")] if rel.endswith("/index.html") else rel)


def pick_pages(out: Path) -> dict[str, Page]:
    """One page per kind: the largest of its kind (the worst case), found in the output layout of SPEC §5."""
    globs = {"article": "articles/*/index.html", "campaign": "campaigns/*/index.html",
             "persona": "personas/*/index.html", "tag": "tags/*/index.html"}
    pages: dict[str, Page] = {}
    if (out / "index.html").is_file():
        pages["home"] = Page("home", "/", out / "index.html")
    for kind, pattern in globs.items():
        files = sorted(out.glob(pattern), key=lambda p: (-p.stat().st_size, p.as_posix()))
        if files:
            pages[kind] = Page(kind, page_path(out, files[0]), files[0])
    if (out / "404.html").is_file():
        # asked for as a missing URL: the server answers it with 404.html and status 404, like a CDN
        pages["404"] = Page("404", "/no-such-page/", out / "404.html")
    return {k: pages[k] for k in KINDS if k in pages}


def html_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.is_file())


class _Refs(HTMLParser):
    """Stylesheets and scripts a page loads, and where its scripts stand."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.css: list[str] = []
        self.js: list[str] = []
        self.blocking: list[str] = []
        self.in_head = False
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head, self.in_body = False, True
        elif tag == "link" and "stylesheet" in a.get("rel", "").lower().split() and a.get("href"):
            self.css.append(a["href"])
        elif tag == "script":
            kind = a.get("type", "").strip().lower()
            if kind not in ("", "text/javascript", "module", "application/javascript"):
                return  # data blocks (JSON-LD …) are not scripts
            deferred = "async" in a or kind == "module" or ("defer" in a and "src" in a)
            if a.get("src"):
                self.js.append(a["src"])
            if not deferred and (a.get("src") or not self.in_body):
                self.blocking.append(f'<script{" src=" + a["src"] if a.get("src") else ""}>')


def page_refs(file: Path) -> _Refs:
    p = _Refs()
    p.feed(file.read_text(encoding="utf-8", errors="replace"))
    p.close()
    return p


def local_file(out: Path, page: Path, ref: str) -> Path | None:
    """The output file a same-site reference points at (None for another origin or a missing file)."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        return None
    base = "/" + page.parent.relative_to(out).as_posix() + "/"
    path = urljoin(base, parts.path).lstrip("/")
    f = out / path
    return f if f.is_file() else None


def check_weight(out: Path, base_url: str, report: Report) -> None:
    articles = sorted(out.glob("articles/*/index.html"))
    if not articles:
        report.notes.append("weight: the site has no article pages")
    heaviest = None
    for f in articles:
        refs = page_refs(f)
        total, parts, missing = f.stat().st_size, [f"HTML {f.stat().st_size:,}"], []
        for kind, urls in (("CSS", refs.css), ("JS", refs.js)):
            size = 0
            for u in urls:
                u = u[len(base_url) - 1:] if u.startswith(base_url) else u
                target = local_file(out, f, u)
                if target is None:
                    missing.append(u)
                else:
                    size += target.stat().st_size
            total += size
            parts.append(f"{kind} {size:,}")
        page = page_path(out, f)
        if missing:
            report.add("weight", page, "assets", ", ".join(missing), "served by the site", False,
                       f"{', '.join(missing)} is not a file of the built site, so its weight is unknown")
        if total > MAX_WEIGHT:
            report.add("weight", page, "HTML+CSS+JS bytes", f"{total:,} ({', '.join(parts)})", f"≤ {MAX_WEIGHT:,}", False,
                       f"HTML+CSS+JS is {total:,} bytes ({', '.join(parts)}), over {MAX_WEIGHT:,}")
        if heaviest is None or total > heaviest[0]:
            heaviest = (total, page, parts)
    if heaviest and heaviest[0] <= MAX_WEIGHT:
        report.add("weight", heaviest[1], f"HTML+CSS+JS bytes (heaviest of {len(articles)} articles)",
                   f"{heaviest[0]:,} ({', '.join(heaviest[2])})", f"≤ {MAX_WEIGHT:,}", True)
    files = html_files(out)
    blocking: dict[str, list[str]] = {}
    for f in files:
        for b in page_refs(f).blocking:
            blocking.setdefault(b, []).append(page_path(out, f))
    for b, pages in blocking.items():
        where = pages[0] + (f" (and {len(pages) - 1} more pages)" if len(pages) > 1 else "")
        report.add("weight", where, "render-blocking script", b, "none", False,
                   f"render-blocking script {b}: add defer (or async), or move it out of <head>")
    if not blocking:
        report.add("weight", f"all {len(files)} HTML files", "render-blocking scripts", 0, "0", True)


# ------------------------------------------------------------------------------------ tools


def node() -> str:
    exe = shutil.which("node")
    if not exe:
        raise CannotRun("Node.js is missing: the gate runs Lighthouse with it (apt-get install nodejs)")
    return exe


def java() -> str:
    exe = shutil.which("java")
    if not exe:
        raise CannotRun("Java is missing: the Nu HTML Checker needs Java 17 or newer "
                        "(apt-get install default-jre-headless)")
    return exe


def chrome_path() -> str:
    exe = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        raise CannotRun(f"no Chromium at {exe}: install Debian's chromium (apt-get install chromium) "
                        "or set CHROME_PATH; the gate never downloads a browser")
    return exe


def need_node_modules(*files: Path) -> None:
    for f in files:
        if not f.is_file():
            raise CannotRun(f"{f.relative_to(REPO)} is missing: run `npm ci --prefix quality` first")


def tool_versions() -> dict[str, str]:
    def pkg(name: str) -> str:
        try:
            return json.loads((NODE_MODULES / name / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            return "?"

    def first_line(cmd: list[str], pattern: str) -> str:
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            return "?"
        m = re.search(pattern, p.stdout + p.stderr)
        return m.group(1) if m else "?"

    return {
        "python": platform.python_version(),
        "java": first_line([shutil.which("java") or "java", "-version"], r'version "([^"]+)"'),
        "node": first_line([shutil.which("node") or "node", "--version"], r"v(\S+)"),
        "chromium": first_line([os.environ.get("CHROME_PATH") or "/usr/bin/chromium", "--version"],
                               r"Chromium (\S+)"),
        "vnu-jar": pkg("vnu-jar"), "axe-core": pkg("axe-core"), "lighthouse": pkg("lighthouse"),
    }


def machine_line(versions: dict[str, str]) -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    tools = ", ".join(f"{k} {v}" for k, v in versions.items())
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem} RAM; {tools}"


# ------------------------------------------------------------------------------------ serving


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The built site as a CDN serves it: files, directory index.html, 404.html for anything else."""

    def log_message(self, *args):  # quiet
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isfile(path) or os.path.isfile(os.path.join(path, "index.html")):
            return super().send_head()  # a file, a directory's index.html, or the redirect to the slash form
        return self._not_found()

    def list_directory(self, path):
        return self._not_found()

    def _not_found(self):
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.is_file() else b"not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A browser that closes a connection mid-response (Lighthouse does, between its passes) is
        not an error of the site; anything else is reported as the standard library does."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(directory: Path, sock: socket.socket):
    handler = functools.partial(_Handler, directory=str(directory))
    server = _Server(sock.getsockname()[:2], handler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.server_activate()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# ------------------------------------------------------------------------------------ html (vnu)


def start_vnu(out: Path, scratch: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    """Start the Nu HTML Checker over every HTML file (in the background); fragments get a shell."""
    files, names = [], {}
    for f in html_files(out):
        rel = f.relative_to(out).as_posix()
        text = f.read_text(encoding="utf-8", errors="replace")
        if re.match(r"\ufeff?\s*<!doctype", text, re.I):
            files.append(f)
            names[str(f)] = rel
        else:
            # a fragment (the WeChat editor's paste-ready HTML): validate it as the body of a minimal
            # document; the shell sits on the fragment's first line, so line numbers stay the same
            w = scratch / "fragments" / rel
            w.parent.mkdir(parents=True, exist_ok=True)
            w.write_text('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>fragment</title>'
                         "</head><body>" + text + "</body></html>", encoding="utf-8")
            files.append(w)
            names[str(w)] = rel + " (fragment)"
    proc = subprocess.Popen([java(), "-Xss1m", "-jar", str(VNU_JAR), "--format", "json", "--stdout",
                             "--exit-zero-always", *map(str, files)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, names


def finish_vnu(proc: subprocess.Popen, names: dict[str, str], report: Report) -> None:
    out, err = proc.communicate(timeout=600)
    try:
        messages = json.loads(out)["messages"]
    except (ValueError, KeyError):
        report.add("html", "all pages", "Nu HTML Checker", "did not run", "0 errors", False,
                   f"the Nu HTML Checker failed: {(err or out).strip()[:300]}")
        return
    errors: dict[str, list[dict]] = {}
    warnings = 0
    for m in messages:
        url = m.get("url", "")
        page = names.get(unquote(urlsplit(url).path) if url.startswith("file:") else url, url or "?")
        if m.get("type") in ("error", "non-document-error"):
            errors.setdefault(page, []).append(m)
        elif m.get("subType") == "warning":
            warnings += 1
    for page, ms in sorted(errors.items()):
        for m in ms[:5]:
            where = f"line {m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}"
            report.failures.append(f"html: {page}: {where}: {m.get('message', '')}")
        report.figures.append(Figure("html", page, "validator errors", str(len(ms)), "0", False))
    total = sum(len(v) for v in errors.values())
    report.figures.append(Figure("html", f"all {len(names)} HTML files", "validator errors / warnings",
                                 f"{total} / {warnings}", "0 errors", total == 0))


# ------------------------------------------------------------------------------------ browser bars


def launch(playwright):
    return playwright.chromium.launch(executable_path=chrome_path(), args=CHROME_ARGS)


def new_page(browser, width: int, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": WIDTHS.get(width, 800)}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, color_scheme=scheme, locale="zh-CN",
                                  service_workers="block")
    return context, context.new_page()


def goto(page, url: str) -> int:
    response = page.goto(url, wait_until="load")
    page.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true")
    return response.status if response else 0


def check_axe(browser, base: str, pages: dict[str, Page], report: Report) -> None:
    axe_source = AXE_JS.read_text(encoding="utf-8")
    for scheme in ("light", "dark"):
        context, tab = new_page(browser, 375, scheme)
        try:
            for kind, p in pages.items():
                goto(tab, base + p.path)
                tab.add_script_tag(content=axe_source)
                violations = tab.evaluate("""async () => {
                    const r = await axe.run(document, {resultTypes: ["violations"]});
                    return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                        target: v.nodes.length ? v.nodes[0].target.join(" ") : ""}));
                }""")
                bad = [v for v in violations if v["impact"] in FAILING_IMPACTS]
                minor = len(violations) - len(bad)
                label = f"{p.path} ({kind}, {scheme})"
                report.figures.append(Figure("axe", label, "serious+critical / other violations",
                                             f"{len(bad)} / {minor}", "0 serious or critical", not bad))
                for v in bad:
                    report.failures.append(f"axe: {label}: {v['impact']} {v['id']} ({v['help']}) on {v['nodes']} "
                                           f"element(s), e.g. {v['target']}")
        finally:
            context.close()


def _tap_fail(items: list[dict]) -> list[dict]:
    return [t for t in items if t["w"] < MIN_TAP - 0.01 or t["h"] < MIN_TAP - 0.01]


def check_layout(browser, base: str, pages: dict[str, Page], report: Report) -> None:
    probe = LAYOUT_JS.read_text(encoding="utf-8")
    for width in WIDTHS:
        context, tab = new_page(browser, width)
        try:
            for kind, p in pages.items():
                goto(tab, base + p.path)
                m = tab.evaluate(probe, {"phase": "top", "width": width, "minChars": RUNNING_TEXT_CHARS})
                label = f"{p.path} @{width}px"
                # 1. no horizontal scroll
                sw = m["scrollWidth"]
                ok = sw <= width and m["innerWidth"] == width
                if sw > width:
                    culprit = m.get("overflowing")
                    why = (f"horizontal scroll: the page is {sw} px wide in a {width} px viewport"
                           + (f" ({culprit['element']} reaches {culprit['right']:.0f} px)" if culprit else ""))
                else:
                    why = (f"the viewport is {m['innerWidth']} px wide instead of {width} px: is the "
                           '<meta name="viewport" content="width=device-width, initial-scale=1"> missing?')
                report.add("layout", label, "scrollWidth px", sw, f"≤ {width}", ok, why)
                # 2. tap targets: tab bar items (and their sheets' items), the call to action
                tabs = m["tabs"]
                if tabs:
                    bad = _tap_fail(tabs)
                    smallest = min(tabs, key=lambda t: min(t["w"], t["h"]))
                    report.add("layout", label, f"smallest of {len(tabs)} tab-bar targets",
                               f"{smallest['w']:.0f}×{smallest['h']:.0f}", f"≥ {MIN_TAP}×{MIN_TAP}", not bad,
                               "tab-bar targets under 44×44 px: "
                               + ", ".join(f"「{t['label']}」 {t['w']:.0f}×{t['h']:.0f}" for t in bad))
                else:
                    report.notes.append(f"layout: {label}: no tab bar")
                cta = m["cta"]
                if cta:
                    ok = not _tap_fail([cta])
                    report.add("layout", label, "call to action px", f"{cta['w']:.0f}×{cta['h']:.0f}",
                               f"≥ {MIN_TAP}×{MIN_TAP}", ok,
                               f"the call to action 「{cta['label']}」 is {cta['w']:.0f}×{cta['h']:.0f} px, under 44×44")
                elif kind == "article":
                    report.add("layout", label, "call to action", "none", "one [data-cta]", False,
                               "the article has no element carrying data-cta")
                # 3. text size
                t = m["text"]
                smallest = min(m["bodyFont"], t["min"] if t["min"] is not None else m["bodyFont"])
                ok = smallest >= MIN_TEXT - 0.01
                report.add("layout", label, f"smallest running text px (body + {t['count']} runs)",
                           f"{smallest:g}", f"≥ {MIN_TEXT}", ok,
                           f"text under {MIN_TEXT} px: body {m['bodyFont']:g} px; "
                           + ", ".join(f"{s['element']} {s['size']:g} px 「{s['text']}」" for s in t["small"]))
                # 4. the article's call to action after scrolling to the end
                if kind == "article" and cta:
                    tab.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
                    tab.wait_for_timeout(100)
                    e = tab.evaluate(probe, {"phase": "end", "width": width, "minChars": RUNNING_TEXT_CHARS})
                    c, bar = e["cta"], e["tabbar"]
                    limit = min(e["innerHeight"], bar["top"]) if bar else e["innerHeight"]
                    ok = c["top"] >= -0.5 and c["bottom"] <= limit + 0.5 and e["ctaHit"]
                    why = (f"after scrolling to the end the call to action spans {c['top']:.0f}–{c['bottom']:.0f} px; "
                           f"visible area ends at {limit:.0f} px" + (" (the tab bar's top)" if bar else "")
                           + (f"; {e['ctaCovering']} covers it" if e.get("ctaCovering") else ""))
                    report.add("layout", label, "CTA bottom / visible bottom at end",
                               f"{c['bottom']:.0f} / {limit:.0f}", "on screen, above tab bar", ok, why)
        finally:
            context.close()


def take_screenshots(browser, base: str, pages: dict[str, Page], folder: Path, report: Report) -> None:
    context, tab = new_page(browser, 375)
    try:
        for kind in SCREENSHOT_KINDS:
            if kind not in pages:
                continue
            p = pages[kind]
            goto(tab, base + p.path)
            tab.screenshot(path=str(folder / f"{kind}-375-top.png"))
            tab.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
            tab.wait_for_timeout(100)
            tab.screenshot(path=str(folder / f"{kind}-375-end.png"))
            # the whole page: a viewport as tall as the page, so the fixed tab bar sits at its foot
            height = tab.evaluate("document.scrollingElement.scrollHeight")
            tab.set_viewport_size({"width": 375, "height": min(height, 16000)})
            tab.wait_for_timeout(100)
            tab.screenshot(path=str(folder / f"{kind}-375.png"))
            tab.set_viewport_size({"width": 375, "height": WIDTHS[375]})
            report.add("screenshots", p.path, "files", f"{kind}-375{{,-top,-end}}.png", "written", True)
    finally:
        context.close()


# ------------------------------------------------------------------------------------ lighthouse


def lighthouse_failures(result: dict) -> list[str]:
    """What misses the bar in one Lighthouse result (the parsed JSON report)."""
    fails = []
    if result.get("runtimeError", {}).get("code"):
        fails.append(f"Lighthouse failed: {result['runtimeError'].get('message', result['runtimeError']['code'])}")
    cats = result.get("categories", {})
    for cat in LIGHTHOUSE_CATEGORIES:
        score = cats.get(cat, {}).get("score")
        if score is None:
            fails.append(f"{cat}: no score")
        elif round(score * 100) < MIN_LIGHTHOUSE:
            audits = result.get("audits", {})
            weak = [a["title"] for ref in cats[cat].get("auditRefs", []) if ref.get("weight")
                    for a in [audits.get(ref["id"], {})] if a.get("score") is not None and a["score"] < 0.9]
            fails.append(f"{cat} {round(score * 100)} < {MIN_LIGHTHOUSE}" + (f" ({'; '.join(weak[:4])})" if weak else ""))
    return fails


def run_lighthouse(base: str, pages: dict[str, Page], folder: Path, report: Report) -> None:
    exe, chrome = node(), chrome_path()
    for kind in LIGHTHOUSE_KINDS:
        if kind not in pages:
            continue
        p = pages[kind]
        stem = folder / f"lighthouse-{kind}"
        cmd = [exe, str(LIGHTHOUSE_CLI), base + p.path, "--quiet", "--output=json", "--output=html",
               f"--output-path={stem}", f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
               "--chrome-flags=--headless " + " ".join(CHROME_ARGS)]
        env = {**os.environ, "CHROME_PATH": chrome}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
        except subprocess.TimeoutExpired:
            report.add("lighthouse", p.path, "run", "timed out after 300 s", "a report", False)
            continue
        json_path = Path(f"{stem}.report.json")
        try:
            result = json.loads(json_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            report.add("lighthouse", p.path, "run", f"exit {proc.returncode}", "a report", False,
                       f"Lighthouse wrote no report: {(proc.stderr or proc.stdout).strip()[-400:]}")
            continue
        scores = {c: result.get("categories", {}).get(c, {}).get("score") for c in LIGHTHOUSE_CATEGORIES}
        shown = " / ".join("—" if s is None else str(round(s * 100)) for s in scores.values())
        fails = lighthouse_failures(result)
        audits = result.get("audits", {})
        metrics = ", ".join(f"{k} {audits[a]['displayValue']}" for k, a in
                            (("FCP", "first-contentful-paint"), ("LCP", "largest-contentful-paint"),
                             ("TBT", "total-blocking-time"), ("CLS", "cumulative-layout-shift"))
                            if audits.get(a, {}).get("displayValue"))
        report.figures.append(Figure("lighthouse", f"{p.path} ({kind})", "perf / a11y / best practices / SEO",
                                     shown, f"each ≥ {MIN_LIGHTHOUSE}", not fails))
        if metrics:
            report.figures.append(Figure("lighthouse", f"{p.path} ({kind})", "mobile metrics", metrics, "", True))
        for f in fails:
            report.failures.append(f"lighthouse: {p.path} ({kind}): {f}")


# ------------------------------------------------------------------------------------ main


def guarded(report: Report, bar: str, fn, *args) -> None:
    """Run one bar; a tool that breaks on this site (a page that never loads …) is a miss, not a crash."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001 — any tool failure is reported as the bar's failure
        first = (str(e).strip().splitlines() or [""])[0][:300]
        report.add(bar, "(run)", "tool", "failed", "completes", False, f"the check failed: {type(e).__name__}: {first}")


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="python quality/gate.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", default=str(REPO), help="the site root (default: the repository's example hub)")
    ap.add_argument("--out", default=None, help="report folder (default: quality-report/ in the repository)")
    ap.add_argument("--only", default=",".join(BARS),
                    help=f"comma-separated bars to run (default: all: {','.join(BARS)})")
    args = ap.parse_args(argv)
    only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = [b for b in only if b not in BARS]
    if unknown or not only:
        ap.error(f"--only takes bars from {','.join(BARS)} (got {args.only!r})")
    args.only = only
    return args


def build(site: Path, out: Path, base_url: str) -> tuple[bool, str]:
    p = subprocess.run([sys.executable, "-m", "site_gen", "build", "-C", str(site), "--now", NOW, "--out", str(out),
                        "--base-url", base_url, "--quiet"], capture_output=True, text=True,
                       env={**os.environ, "PYTHONUTF8": "1"})
    return p.returncode == 0, (p.stdout + p.stderr).strip()


def run(args) -> tuple[int, Report, str]:
    started = time.monotonic()
    only = set(args.only)
    site = Path(args.site).resolve()
    folder = Path(args.out).resolve() if args.out else REPO / "quality-report"
    report = Report()
    # the tools, before anything slow
    if "html" in only:
        java()
        need_node_modules(VNU_JAR)
    if only & {"axe", "layout", "screenshots", "lighthouse"}:
        chrome_path()
    if "axe" in only:
        need_node_modules(AXE_JS)
    if "lighthouse" in only:
        node()
        need_node_modules(LIGHTHOUSE_CLI)
    if only & {"axe", "layout", "screenshots"} and importlib.util.find_spec("playwright") is None:
        raise CannotRun("Python playwright is missing: python -m pip install -e \".[test]\"")
    folder.mkdir(parents=True, exist_ok=True)
    # stale outputs of the bars about to run (the others' stay)
    stale = [*(folder.glob("*-375*.png") if "screenshots" in only else ()),
             *(folder.glob("lighthouse-*") if "lighthouse" in only else ()), *folder.glob("report.*")]
    for old in stale:
        old.unlink()

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with tempfile.TemporaryDirectory(prefix="site-gen-gate-") as tmp:
        out = Path(tmp) / "public"
        ok, text = build(site, out, base + "/")
        if not ok:
            report.add("build", str(site), "site-gen build", "failed", "0 errors", False,
                       "the site does not build: " + text[-600:])
            sock.close()
            return 1, report, base
        report.notes.append("build: " + (text.splitlines()[-1] if text else "ok"))
        pages = pick_pages(out)
        for kind in KINDS:
            if kind not in pages:
                report.notes.append(f"pages: the site has no {kind} page")
        vnu = start_vnu(out, Path(tmp)) if "html" in only else None
        try:
            if "weight" in only:
                guarded(report, "weight", check_weight, out, base + "/", report)
            with serve(out, sock):
                if only & {"axe", "layout", "screenshots"}:
                    from playwright.sync_api import sync_playwright

                    with sync_playwright() as pw:
                        browser = launch(pw)
                        try:
                            if "axe" in only:
                                guarded(report, "axe", check_axe, browser, base, pages, report)
                            if "layout" in only:
                                guarded(report, "layout", check_layout, browser, base, pages, report)
                            if "screenshots" in only:
                                guarded(report, "screenshots", take_screenshots, browser, base, pages, folder, report)
                        finally:
                            browser.close()
                if vnu:
                    guarded(report, "html", finish_vnu, *vnu, report)
                if "lighthouse" in only:
                    guarded(report, "lighthouse", run_lighthouse, base, pages, folder, report)
        finally:
            if vnu and vnu[0].poll() is None:
                vnu[0].kill()
                vnu[0].wait()
        picked = ", ".join(f"{k} {p.path}" for k, p in pages.items())
        report.notes.append(f"pages: {picked}")
    report.notes.append(f"took {time.monotonic() - started:.0f} s")
    return (1 if report.failures else 0), report, base


def main(argv=None) -> int:
    args = parse_args(argv)
    command = "python quality/gate.py" + ("" if args.only == list(BARS) else f" --only {','.join(args.only)}")
    try:
        code, report, _ = run(args)
    except CannotRun as e:
        print(f"quality gate: cannot run: {e}", file=sys.stderr)
        return 2
    versions = tool_versions()
    machine = machine_line(versions)
    table = report.table()
    print(table)
    for n in report.notes:
        print(f"note: {n}")
    for f in report.failures:
        print(f"FAIL {f}")
    missed = sorted({f.split(":", 1)[0] for f in report.failures}, key=lambda b: (BARS + ("build",)).index(b))
    n = len(report.failures)
    verdict = (f"quality gate: {n} failure{'s' if n != 1 else ''}, bars missed: {', '.join(missed)}" if code
               else "quality gate: every bar met")
    print(verdict)
    folder = Path(args.out).resolve() if args.out else REPO / "quality-report"
    (folder / "report.md").write_text(
        f"# Quality gate report\n\n`{command}` on {dt.date.today().isoformat()}\n\nmachine: {machine}\n\n"
        f"{report.markdown()}\n\n" + "".join(f"- note: {n}\n" for n in report.notes)
        + "".join(f"- FAIL {f}\n" for f in report.failures) + f"\n{verdict}\n", encoding="utf-8")
    (folder / "report.json").write_text(json.dumps(
        {"command": command, "machine": machine, "versions": versions, "exit": code,
         "figures": [asdict(f) for f in report.figures], "failures": report.failures, "notes": report.notes},
        ensure_ascii=False, indent=1), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
