"""--jobs 1, --jobs 2 and warm builds give byte-identical output (issue: fast at every size)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import NOW, REPO, run_cli, tree_bytes

N = 340  # above the thresholds where loading and rendering use worker processes (300)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    root = tmp_path_factory.mktemp("par") / "hub"
    subprocess.run([sys.executable, str(REPO / "bench/generate.py"), str(N), str(root)], check=True,
                   capture_output=True)
    return root


def build(hub, out, *extra):
    r = run_cli("build", "-C", str(hub), "--now", NOW, "--out", str(out), "--quiet", *extra)
    assert r.code == 0, r.text
    return tree_bytes(out)


def test_jobs_and_warm_builds_are_byte_identical(hub, tmp_path):
    shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    cold = build(hub, tmp_path / "one", "--jobs", "1")
    assert len([p for p in cold if p.startswith("articles/")]) >= N - 5
    shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    assert build(hub, tmp_path / "two", "--jobs", "2") == cold
    inode = (tmp_path / "two/articles").stat().st_ino
    first_article = sorted((tmp_path / "two/articles").iterdir())[0] / "index.html"
    before = first_article.stat().st_ino
    warm = build(hub, tmp_path / "two", "--jobs", "2")
    assert warm == cold
    assert first_article.stat().st_ino == before, "an unchanged article page is carried over, not rewritten"
    assert (tmp_path / "two/articles").stat().st_ino != inode, "the output folder itself is swapped atomically"


def test_warm_build_after_an_edit_equals_a_cold_build(hub, tmp_path):
    build(hub, tmp_path / "warm")
    article = sorted((hub / "content/articles").rglob("*.md"))[3]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n\n", "\n\n编辑过的一段。\n\n", 1), encoding="utf-8")
    try:
        warm = build(hub, tmp_path / "warm")
        shutil.rmtree(hub / ".site-gen-cache")
        cold = build(hub, tmp_path / "cold")
        assert warm == cold
        assert any("编辑过的一段" in v.decode("utf-8", "ignore") for k, v in warm.items() if k.startswith("articles/"))
    finally:
        article.write_text(text, encoding="utf-8")
