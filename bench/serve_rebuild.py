"""How fast does `site-gen serve` react to one article edit in a big hub?

    python bench/serve_rebuild.py [N] [--edits 15] [--dir DIR]

Generates an N-article hub (default 4,000; with bench/generate.py, or a small built-in generator
when that script is missing), starts the real `site-gen serve` on it, listens to its reload stream
like a browser tab does, then edits one article's Markdown again and again (written in place, as
VS Code saves) and measures, for each edit:

- write → reload: from just before the file is written to the `reload` message arriving at the
  client (includes the OS file event, the debounce, loading, planning and rendering the article);
- server: the same as the server measures it, from the first file event to sending the message;
- write → page: until the article's page, fetched after the reload, shows the new text;
- write → listings: until the home page (re-rendered with the other listing pages) is served;
- cpu: the CPU time the rebuild thread spent on it (what the edit costs on an idle machine).

Prints one line per edit and a summary (median, 90th percentile, worst).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
NOW = "2026-11-23"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate(n: int, out: str) -> None:
    script = os.path.join(HERE, "generate.py")
    if os.path.isfile(script):
        subprocess.run([sys.executable, script, str(n), out], check=True, stdout=subprocess.DEVNULL)
        return
    # fallback: the example hub's articles, copied under new names and dates
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "content"))
    shutil.copy(os.path.join(REPO, "site.yaml"), out)
    shutil.copytree(os.path.join(REPO, "static"), os.path.join(out, "static"))
    for d in ("personas", "campaigns", "pages", "articles"):
        shutil.copytree(os.path.join(REPO, "content", d), os.path.join(out, "content", d))
    src = sorted(os.listdir(os.path.join(REPO, "content", "articles")))
    texts = [open(os.path.join(REPO, "content", "articles", s), encoding="utf-8").read() for s in src]
    for i in range(max(0, n - len(src))):
        text = re.sub(r"^slug: .*\n", "", texts[i % len(texts)], flags=re.M)
        text = re.sub(r"^date: .*$", f"date: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}", text, count=1, flags=re.M)
        text = text.replace("title: ", f"title: 第{i}篇 ", 1)
        path = os.path.join(out, "content", "articles", f"g{i // 500:02d}", f"2024-01-01-g{i}.md")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


class Events(threading.Thread):
    """The reload stream, read like a browser tab reads it."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.conn.request("GET", "/__site-gen/events")
        self.resp = self.conn.getresponse()
        self.cond = threading.Condition()
        self.seen: list[tuple[float, str, dict]] = []
        self.start()

    def run(self) -> None:
        kind = None
        while True:
            line = self.resp.fp.readline()
            if not line:
                return
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                with self.cond:
                    self.seen.append((time.perf_counter(), kind, json.loads(line[6:])))
                    self.cond.notify_all()

    def wait(self, kind: str, after: int, timeout: float = 120) -> tuple[float, dict]:
        with self.cond:
            ok = self.cond.wait_for(lambda: any(k == kind for _, k, _ in self.seen[after:]), timeout)
            if not ok:
                raise TimeoutError(f"no `{kind}` event within {timeout} s")
            return next((t, d) for t, k, d in self.seen[after:] if k == kind)


def get(port: int, path: str) -> bytes:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("GET", path)
    body = c.getresponse().read()
    c.close()
    return body


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, nargs="?", default=4000)
    ap.add_argument("--edits", type=int, default=15)
    ap.add_argument("--dir", default=None, help="where to generate the hub (default: a temp folder)")
    args = ap.parse_args()
    root = args.dir or os.path.join("/tmp", f"site-gen-bench-serve-{args.n}")
    t = time.perf_counter()
    generate(args.n, root)
    print(f"generated {args.n} articles in {time.perf_counter() - t:.1f} s: {root}", flush=True)

    articles = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(root, "content", "articles"))
                      for f in fs if f.endswith(".md"))
    target = articles[len(articles) // 2]
    port = free_port()
    env = {**os.environ, "PYTHONUTF8": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "site_gen", "serve", "-C", root, "--port", str(port), "--now", NOW],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=REPO)
    log: list[str] = []

    def pump():
        for line in proc.stdout:
            log.append(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    try:
        t = time.perf_counter()
        while not any(line == "ready" for line in log):
            if proc.poll() is not None:
                print("\n".join(log))
                return 1
            time.sleep(0.1)
        print(f"first build and start: {time.perf_counter() - t:.1f} s ({next(l for l in log if l.startswith('built'))})",
              flush=True)
        events = Events(port)
        events.wait("hello", 0)
        with open(target, encoding="utf-8") as fh:
            original = fh.read()
        rel = os.path.relpath(target, root)
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", os.path.basename(target)[:-3])
        m = re.search(r"^slug: *(\S+)", original, re.M)
        slug = m.group(1) if m else slug
        page = f"/articles/{slug}/"
        print(f"editing {rel} (page {page}) {args.edits} times", flush=True)
        rows = []
        for i in range(args.edits):
            marker = f"BENCH-EDIT-{i}-{time.time_ns()}"
            text = original.rstrip("\n") + f"\n\n{marker}\n"
            # the edit goes in the body, before the closing action block when there is one
            if "\n::: cta" in original:
                head, tail = original.rsplit("\n::: cta", 1)
                text = head.rstrip("\n") + f"\n\n{marker}\n\n::: cta" + tail
            n_seen = len(events.seen)
            t0 = time.perf_counter()
            with open(target, "w", encoding="utf-8") as fh:  # in place, like VS Code
                fh.write(text)
            t1, data = events.wait("reload", n_seen)
            body = get(port, page)
            t2 = time.perf_counter()
            if marker.encode() not in body:
                print(f"edit {i}: the page does not show the edit", flush=True)
                return 1
            get(port, "/")
            t3 = time.perf_counter()
            row = ((t1 - t0) * 1000, data.get("ms", float("nan")), (t2 - t0) * 1000, (t3 - t0) * 1000,
                   data.get("cpu_ms", float("nan")))
            rows.append(row)
            print(f"edit {i + 1:2}: write→reload {row[0]:6.1f} ms  server {row[1]:6.1f} ms (cpu {row[4]:5.1f})  "
                  f"write→page {row[2]:6.1f} ms  write→listings {row[3]:7.1f} ms", flush=True)
            time.sleep(0.3)
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(original)
        print()
        print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end")
        print(f"hub: {args.n} articles; {args.edits} edits of one article")
        for i, name in enumerate(("write → reload message", "server: file event → reload message",
                                  "write → article page served", "write → listing pages served",
                                  "server: CPU time of the rebuild thread")):
            col = [r[i] for r in rows]
            print(f"{name:38} median {statistics.median(col):7.1f} ms   p90 {pct(col, 0.9):7.1f} ms   "
                  f"worst {max(col):7.1f} ms")
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
