"""The benchmark runner works end to end on a tiny corpus (timings are not asserted: speed is
measured by bench/run.py and recorded in docs/performance.md, not by tests)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser

from conftest import REPO

AFTER_DELETING = ("(the cold runs' old folders are deleted now: on a file system like this machine's, leave "
                  "five minutes before the next timing, see docs/performance.md)")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs)))


def test_bench_runner_measures_site_gen_and_hugo(tmp_path):
    assert shutil.which("hugo"), "the benchmark compares with Hugo: apt-get install hugo (.ci/run does)"
    p = subprocess.run([sys.executable, str(REPO / "bench/run.py"), "--sizes", "60", "--runs", "2",
                        "--work", str(tmp_path / "work"), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "| 60 | " in p.stdout
    data = json.loads((tmp_path / "out/results.json").read_text())
    r = data["results"]["60"]
    assert r["hugo_cold"] > 0 and r["cold"] > 0 and r["warm_one"] > 0 and r["cold_mem"] > 0 and r["cold_pss"] > 0
    # CPU time counts the whole process tree: a cold build is more than Python's start-up, and a
    # process never uses more CPU than its wall time on the machine's cores
    assert 0.1 < r["cold_cpu"] <= r["cold"] * os.cpu_count() + 0.05 and 0 < r["hugo_cpu"]
    assert "cold builds, CPU seconds (user + system, all processes):" in p.stdout
    assert f"| 60 | {r['hugo_cpu']:.1f} s | {r['cold_cpu']:.1f} s (" in p.stdout
    hugo_pages = list((tmp_path / "work/hugo-out60/articles").glob("*/index.html"))
    site_pages = list((tmp_path / "work/out60/articles").glob("*/index.html"))
    assert len(hugo_pages) == len(site_pages) == 60
    # Hugo makes the same files: each article's WeChat export too, with the export's work done
    # (every block styled inline, the links turned into notes), and the persona pages
    hugo_exports = sorted((tmp_path / "work/hugo-out60/articles").glob("*/wechat.html"))
    assert len(hugo_exports) == len(list((tmp_path / "work/out60/wechat/articles").glob("*.html"))) == 60
    tags = Tags()
    for path in hugo_exports:
        tags.feed(path.read_text(encoding="utf-8"))
    assert {"p", "h2", "li", "td", "sup"} <= {t for t, _ in tags.seen} and "a" not in {t for t, _ in tags.seen}
    assert all("style" in attrs for t, attrs in tags.seen if t in ("p", "h2", "li", "td", "section"))
    assert len(list((tmp_path / "work/hugo-out60/persona").glob("*/index.html"))) == \
        len(list((tmp_path / "work/out60/personas").glob("*/index.html"))) == 3
    # ... and, for comparison, the pages alone
    assert r["hugo_pages"] > 0 and r["hugo_pages_cpu"] > 0
    assert len(list((tmp_path / "work/hugo-out60-pages/articles").glob("*/index.html"))) == 60
    assert not list((tmp_path / "work/hugo-out60-pages").glob("**/wechat.html"))
    assert (f"| 60 | {r['hugo_pages']:.2f} s ({r['hugo_pages_cpu']:.1f} s) | {r['cold']:.2f} s "
            f"({r['cold'] / r['hugo_pages']:.2f}; CPU ") in p.stdout
    # the second run's cold builds started from folders moved aside, and those are deleted at the end
    assert data["rm_before"] is False
    assert not [q.name for q in (tmp_path / "work").iterdir() if q.name.startswith("trash-")]
    assert p.stderr.splitlines()[-1] == AFTER_DELETING  # (whoever times next is told to wait)


def test_ab_compares_two_commits_in_alternating_pairs(tmp_path):
    """bench/ab.py builds the same hub with two commits (here the same one twice), alternating,
    and leaves no worktree behind."""
    def worktrees() -> str:
        return subprocess.run(["git", "-C", str(REPO), "worktree", "list"], capture_output=True, text=True).stdout

    before = worktrees()
    for extra, kind in (([], "warm, one article changed"), (["--cold"], "cold")):
        p = subprocess.run([sys.executable, str(REPO / "bench/ab.py"), "HEAD", "HEAD", "--size", "40", "--pairs", "2",
                            "--work", str(tmp_path / "work"), *extra], capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr[-2000:]
        lines = p.stdout.splitlines()
        assert lines[0] == f"40 articles, {kind}, 2 alternating pairs"
        assert lines[1].startswith("OLD HEAD: wall median ") and lines[2].startswith("NEW HEAD: wall median ")
        assert len(lines[1].split("; ")[1].split()) == 2  # each pair's wall time
        assert lines[3] in ("NEW faster in 0 of 2 pairs", "NEW faster in 1 of 2 pairs", "NEW faster in 2 of 2 pairs")
        assert len(list((tmp_path / "work/hub-new/content/articles").glob("*.md"))) == 40
        assert (AFTER_DELETING in p.stderr.splitlines()) == (kind == "cold")  # (a warm run deletes nothing)
    assert worktrees() == before
    assert not [q.name for q in (tmp_path / "work").iterdir() if q.name.startswith(("trash-", "tree-"))]
    p = subprocess.run([sys.executable, str(REPO / "bench/ab.py"), "no-such-commit", "HEAD", "--size", "40",
                        "--work", str(tmp_path / "work")], capture_output=True, text=True, timeout=600)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.startswith("bench/ab.py: cannot check out 'no-such-commit' (")
    assert worktrees() == before
