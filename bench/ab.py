"""Two commits of site-gen compared in alternating pairs of builds: the way to see a change of a few
per cent on a machine whose speed swings from minute to minute (docs/performance.md).

    python bench/ab.py OLD NEW [--size 4000] [--pairs 8] [--cold] [--work /tmp/site-gen-ab]

Each commit is checked out into its own `git worktree` and builds its own copy of the same
generated hub (bench/generate.py), started from the work folder with the worktree first on
PYTHONPATH. After two warm-up builds each, every pair edits a different article's body in both
copies (warm builds with one article changed) or moves both caches and outputs aside (--cold),
then builds both, the order flipped every pair. Prints each side's wall-clock and CPU-second
medians, every pair's wall times, and in how many pairs NEW was faster. The worktrees are removed
at the end; the hubs are kept for the next comparison of the same size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys

from run import AFTER_DELETING, HERE, NOW, TRASH, clear, site_gen, timed  # (bench/run.py: the benchmark's own)

REPO = os.path.dirname(HERE)


def build(tree: str, hub: str, out: str, work: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the whole process tree) of one `site-gen build` by ``tree``."""
    wall, _, _, cpu = timed(site_gen("build", "-C", hub, "--now", NOW, "--out", out, "--quiet"), cwd=work,
                            env=dict(os.environ, PYTHONPATH=tree))
    return wall, cpu


def edit(hub: str, i: int) -> None:
    """Add a sentence to the last section of the i-th article (its summary stays as it was)."""
    articles = os.path.join(hub, "content", "articles")
    names = sorted(os.listdir(articles))
    path = os.path.join(articles, names[i * 7 % len(names)])
    with open(path, encoding="utf-8") as fh:
        head, sep, tail = fh.read().rpartition("\n## ")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"{head}\n第{i}次改动。\n{sep}{tail}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--size", type=int, default=4000)
    ap.add_argument("--pairs", type=int, default=8)
    ap.add_argument("--cold", action="store_true", help="cold builds (empty cache and output) instead of warm ones")
    ap.add_argument("--work", default="/tmp/site-gen-ab")
    args = ap.parse_args(argv)
    work = os.path.abspath(args.work)
    trash = TRASH["dir"] = os.path.join(work, f"trash-{os.getpid()}")  # clear() moves folders there, see
    os.makedirs(trash, exist_ok=True)                                   # bench/run.py on this disk
    sides = {}
    try:
        for name, commit in (("OLD", args.old), ("NEW", args.new)):
            tree, hub, out = (os.path.join(work, f"{x}-{name.lower()}") for x in ("tree", "hub", "out"))
            clear(tree)
            made = subprocess.run(["git", "-C", REPO, "worktree", "add", "--detach", "-f", tree, commit],
                                  capture_output=True, text=True)
            if made.returncode != 0:
                why = (made.stderr.strip().splitlines() or ["git worktree add failed"])[-1]
                print(f"bench/ab.py: cannot check out {commit!r} ({why})", file=sys.stderr)
                return 2
            generated = os.path.join(work, f"hub-{args.size}")
            if not os.path.isdir(generated):
                subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), str(args.size), generated], check=True,
                               stdout=subprocess.DEVNULL)
            clear(hub, out)
            shutil.copytree(generated, hub)
            sides[name] = (tree, hub, out)
        for name, (tree, hub, out) in sides.items():  # warm-up: the cache and output a warm build starts from
            build(tree, hub, out, work)
            build(tree, hub, out, work)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for i in range(args.pairs):
            for name in (("OLD", "NEW") if i % 2 == 0 else ("NEW", "OLD")):
                tree, hub, out = sides[name]
                if args.cold:
                    clear(os.path.join(hub, ".site-gen-cache"), out)
                else:
                    edit(hub, i)
                results[name].append(build(tree, hub, out, work))
    finally:
        for tree, _, _ in sides.values():
            subprocess.run(["git", "-C", REPO, "worktree", "remove", "--force", tree],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(trash, ignore_errors=True)
        if args.cold:
            print(AFTER_DELETING, file=sys.stderr)
    kind = "cold" if args.cold else "warm, one article changed"
    print(f"{args.size} articles, {kind}, {args.pairs} alternating pairs")
    for name, commit in (("OLD", args.old), ("NEW", args.new)):
        runs = results[name]
        print(f"{name} {commit}: wall median {statistics.median(w for w, _ in runs):.3f} s, "
              f"CPU median {statistics.median(c for _, c in runs):.3f} s; "
              + " ".join(f"{w:.2f}" for w, _ in runs))
    faster = sum(n[0] < o[0] for o, n in zip(results["OLD"], results["NEW"]))
    print(f"NEW faster in {faster} of {args.pairs} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
