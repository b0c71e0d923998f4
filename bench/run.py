"""The benchmark: site-gen against Hugo on the same generated corpus, on this machine.

    python bench/run.py [--sizes 1000,4000,16000] [--runs 3] [--out bench/out]

For each size N it generates a hub (bench/generate.py), converts it for Hugo (bench/hugo_site.py)
and measures, as medians of --runs runs:

- cold build: empty output and cache (site-gen: `build --now 2026-11-23`; Hugo: `hugo`). Hugo
  builds the same pages site-gen does, the WeChat exports included (its second output format per
  article); it also builds, cold, the site without them (`hugo_site.py --pages-only`, the Hugo site
  of the benchmark's first nine sessions, half of site-gen's files), reported beside it
- warm build, nothing changed; warm build, one article changed
- check: cold (no cache) and warm
- peak memory: the largest summed RSS of the process tree, sampled every 10 ms, and the largest
  summed PSS (shared pages divided among the processes sharing them), sampled every 50 ms
- CPU seconds of each tool's cold build (user + system time of all its processes), a second
  measure of the work done that the machine's other tenants disturb less than wall time
- serve: time from saving one article to the reload message (bench/serve_rebuild.py), if present

and prints a Markdown table with every figure as a ratio to Hugo's cold build (time) or Hugo's peak
memory. Results are also written as JSON to --out. Needs Debian's `hugo` on PATH.

Emptying the output and cache folders for a cold run moves them into <work>/trash-<pid>, deleted
when the whole benchmark is over (--rm-before deletes them right before each cold run instead, as
this script did until the seventh session). On this machine's disk — ext4 without a journal — a file
system that deleted many files in the last minute or so skips those inodes when it allocates new
ones, re-reading each of them, for every new file: the next thousands of files created cost
quadratic system time (the kernel's `recently_deleted`, found with `perf record`; docs/performance.md
has the figures). That measures the disk's recovery from the deletion, not the tool, and it hits
the tool writing more files harder: site-gen writes two files an article (the page and its WeChat
export), Hugo one. Both tools get the same treatment either way.

First it compiles site-gen's modules to bytecode, as `pip install` does for a regular install: an
editable install run with PYTHONDONTWRITEBYTECODE=1 (so on the machine the figures in
docs/performance.md come from) would compile them again on every run, about 0.1 s each time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-11-23"


def tree(pid: int):
    """A process and its descendants, as they are while walked."""
    stack, seen = [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        yield p
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue


def tree_rss(pid: int) -> int:
    """Summed resident memory (bytes) of a process and its descendants."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            continue
    return total


def tree_pss(pid: int) -> int:
    """Summed proportional set size (bytes) of a process and its descendants: a page shared by k
    processes counts 1/k in each, so forked workers do not count the parent's pages again."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:")) * 1024
        except (OSError, ValueError, StopIteration):
            continue
    return total


def timed(cmd: list[str], cwd: str | None = None, env: dict | None = None) -> tuple[float, int, int, float]:
    """Run a command; return (wall seconds, peak tree RSS, peak tree PSS in bytes, CPU seconds). Fails
    loudly on a non-zero exit. RSS is sampled every 10 ms, PSS (costlier to read) every 50 ms. CPU
    seconds: user + system time of the command and every process it waited for (its workers; a
    thread's time counts in its process), from getrusage(RUSAGE_CHILDREN) around the run."""
    peak = [0, 0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    done = threading.Event()

    def sample():
        ticks = 0
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            if ticks % 5 == 0:
                peak[1] = max(peak[1], tree_pss(proc.pid))
            ticks += 1
            done.wait(0.01)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    err, _ = proc.communicate()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    done.set()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode(errors='replace')[-2000:]}")
    return elapsed, peak[0], peak[1], cpu


def median(values):
    return statistics.median(values)


def site_gen(*args: str) -> list[str]:
    return [sys.executable, "-m", "site_gen", *args]


def touch_article(hub: str, i: int) -> None:
    articles = os.path.join(hub, "content", "articles")
    first = sorted(os.listdir(articles))[0]
    path = os.path.join(articles, first)
    if os.path.isdir(path):
        path = os.path.join(path, sorted(os.listdir(path))[0])
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    head, sep, body = text.partition("\n---\n\n")  # edit the first paragraph, as an editor would
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"{head}{sep}第{i + 1}次修改：{body}")


TRASH: dict = {"dir": None, "n": 0}  # where clear() moves folders; None: delete them
# said when a run ends by deleting them (see the module's docstring)
AFTER_DELETING = ("(the cold runs' old folders are deleted now: on a file system like this machine's, leave "
                  "five minutes before the next timing, see docs/performance.md)")


def clear(*paths: str) -> None:
    """Empty ``paths`` for a cold run: moved into the trash (see the module's docstring), or deleted."""
    for path in paths:
        if not os.path.exists(path):
            continue
        if TRASH["dir"] is None:
            shutil.rmtree(path, ignore_errors=True)
        else:
            TRASH["n"] += 1
            os.rename(path, os.path.join(TRASH["dir"], str(TRASH["n"])))


def bench_size(n: int, runs: int, work: str) -> dict:
    hub, hugo_dir = os.path.join(work, f"hub{n}"), os.path.join(work, f"hugo{n}")
    out, hugo_out = os.path.join(work, f"out{n}"), os.path.join(work, f"hugo-out{n}")
    clear(hub, hugo_dir, out, hugo_out)  # a previous benchmark's: moved aside, not deleted by the generators
    subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), str(n), hub], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(HERE, "hugo_site.py"), hub, hugo_dir], check=True)
    pages_dir, pages_out = hugo_dir + "-pages", hugo_out + "-pages"
    clear(pages_dir, pages_out)
    subprocess.run([sys.executable, os.path.join(HERE, "hugo_site.py"), hub, pages_dir, "--pages-only"], check=True)
    cache = os.path.join(hub, ".site-gen-cache")
    r: dict[str, list] = {k: [] for k in ("hugo_cold", "hugo_mem", "hugo_pss", "hugo_cpu", "hugo_pages",
                                           "hugo_pages_cpu", "cold", "cold_mem",
                                           "cold_pss", "cold_cpu", "warm", "warm_one", "check_cold", "check_warm")}
    for i in range(runs):
        clear(hugo_out, os.path.join(hugo_dir, "resources"))
        t, m, pss, cpu = timed(["hugo", "--quiet", "-d", hugo_out], cwd=hugo_dir)
        r["hugo_cold"].append(t)
        r["hugo_cpu"].append(cpu)
        r["hugo_mem"].append(m)
        r["hugo_pss"].append(pss)
        clear(pages_out, os.path.join(pages_dir, "resources"))
        t, _, _, cpu = timed(["hugo", "--quiet", "-d", pages_out], cwd=pages_dir)
        r["hugo_pages"].append(t)
        r["hugo_pages_cpu"].append(cpu)

        clear(out, cache)
        t, m, pss, cpu = timed(site_gen("build", "-C", hub, "--now", NOW, "--out", out, "--quiet"))
        r["cold"].append(t)
        r["cold_cpu"].append(cpu)
        r["cold_mem"].append(m)
        r["cold_pss"].append(pss)
        r["warm"].append(timed(site_gen("build", "-C", hub, "--now", NOW, "--out", out, "--quiet"))[0])
        touch_article(hub, i)
        r["warm_one"].append(timed(site_gen("build", "-C", hub, "--now", NOW, "--out", out, "--quiet"))[0])

        clear(cache)
        r["check_cold"].append(timed(site_gen("check", "-C", hub, "--now", NOW))[0])
        r["check_warm"].append(timed(site_gen("check", "-C", hub, "--now", NOW))[0])
    result = {k: median(v) for k, v in r.items()}
    serve = os.path.join(HERE, "serve_rebuild.py")
    if os.path.isfile(serve) and n == 4000:  # the preview figure the issue asks for, at 4,000 articles
        p = subprocess.run([sys.executable, serve, str(n), "--edits", "10", "--dir", os.path.join(work, "serve")],
                           capture_output=True, text=True)
        result["serve"] = [line for line in p.stdout.splitlines() if "median" in line] or (p.stdout + p.stderr)[-500:]
    return result


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    hugo = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}, "
            f"Hugo {hugo}, {platform.system()} {platform.release()}")


def table(results: dict) -> str:
    rows = ["| N | Hugo cold | site-gen cold (ratio) | warm, no change | warm, 1 changed | check cold | "
            "check warm | Hugo peak mem | site-gen peak mem (ratio) | Hugo peak PSS | site-gen peak PSS (ratio) |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, r in results.items():
        h = r["hugo_cold"]
        rows.append(
            f"| {n} | {h:.2f} s | {r['cold']:.2f} s ({r['cold'] / h:.2f}) | {r['warm']:.2f} s ({r['warm'] / h:.2f}) | "
            f"{r['warm_one']:.2f} s ({r['warm_one'] / h:.2f}) | {r['check_cold']:.2f} s | {r['check_warm']:.2f} s | "
            f"{r['hugo_mem'] / 2**20:.0f} MiB | {r['cold_mem'] / 2**20:.0f} MiB ({r['cold_mem'] / r['hugo_mem']:.2f}) | "
            f"{r['hugo_pss'] / 2**20:.0f} MiB | {r['cold_pss'] / 2**20:.0f} MiB "
            f"({r['cold_pss'] / max(r['hugo_pss'], 1):.2f}) |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,4000,16000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/site-gen-bench")
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--rm-before", action="store_true",
                    help="delete output and cache folders right before each cold run instead of moving them aside")
    args = ap.parse_args()
    if not shutil.which("hugo"):
        raise SystemExit("bench/run.py needs Hugo: apt-get install hugo")
    os.makedirs(args.work, exist_ok=True)
    if not args.rm_before:
        TRASH["dir"] = os.path.join(args.work, f"trash-{os.getpid()}")
        os.makedirs(TRASH["dir"])
    import site_gen

    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.dirname(site_gen.__file__)], check=True)
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        results[n] = bench_size(n, args.runs, args.work)
        print(f"N={n}: {json.dumps(results[n])}", flush=True)
    print("\n" + machine_line() + "\n")
    print(table(results))
    for n, r in results.items():
        if "serve" in r:
            print(f"\nserve, one article saved, N={n}:\n" + "\n".join(r["serve"] if isinstance(r["serve"], list)
                                                                       else [r["serve"]]))
    print("\ncold builds, CPU seconds (user + system, all processes):\n")
    print("| N | Hugo | site-gen (ratio) |\n|---|---|---|")
    for n, r in results.items():
        print(f"| {n} | {r['hugo_cpu']:.1f} s | {r['cold_cpu']:.1f} s ({r['cold_cpu'] / max(r['hugo_cpu'], 1e-9):.2f}) |")
    print("\ncold builds against Hugo without the WeChat exports, persona pages and JSON feed "
          "(hugo_site.py --pages-only), wall (CPU seconds):\n")
    print("| N | Hugo, pages only | site-gen (ratio) |\n|---|---|---|")
    for n, r in results.items():
        print(f"| {n} | {r['hugo_pages']:.2f} s ({r['hugo_pages_cpu']:.1f} s) | {r['cold']:.2f} s "
              f"({r['cold'] / r['hugo_pages']:.2f}; CPU {r['cold_cpu'] / max(r['hugo_pages_cpu'], 1e-9):.2f}) |")
    if 4000 in results and 16000 in results:
        print(f"\n16,000 / 4,000 cold-build ratio: {results[16000]['cold'] / results[4000]['cold']:.2f}"
              f" (Hugo's: {results[16000]['hugo_cold'] / results[4000]['hugo_cold']:.2f})")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as fh:
        json.dump({"machine": machine_line(), "results": results, "rm_before": args.rm_before}, fh, indent=2)
    trashed = False
    for name in os.listdir(args.work):  # this run's trash, and any a stopped run left
        if name.startswith("trash-"):
            shutil.rmtree(os.path.join(args.work, name), ignore_errors=True)
            trashed = True
    if trashed:
        print(AFTER_DELETING, file=sys.stderr)


if __name__ == "__main__":
    main()
