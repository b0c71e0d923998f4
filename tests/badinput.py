"""Helpers for the bad-input suite (tests/test_bad_*.py): a site built once, copied per case,
broken, built again — and the previous output compared byte for byte."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import MINIMAL_FILES, NOW, run_cli, tree_bytes, write_site

A = "content/articles/2026-11-20-hello.md"
P = "content/personas/xiaobei.yaml"
C = "content/campaigns/autumn.yaml"
S = "site.yaml"
CAMPAIGN = ("title: 秋季\nstarts: 2026-09-01\nends: 2026-09-30\ncta:\n  preheat: {text: 预约开课提醒, url: /contact/, kind: book}\n"
            "  live: {text: 立即报名, url: /contact/, kind: signup}\n  recap: {text: 预约下一期, url: /contact/, kind: book}\n")


def art(front: str, body: str = "正文。\n\n::: cta signup\n[立即报名](/contact/)\n:::\n") -> str:
    """An article with this front matter (title and date unless given) and a valid body."""
    if "title:" not in front:
        front = "title: 你好\n" + front
    if "date:" not in front:
        front += "date: 2026-11-20\n"
    return f"---\n{front}---\n\n{body}"


def make_prebuilt(tmp_path_factory, files: dict | None = None) -> Path:
    root = tmp_path_factory.mktemp("good") / "site"
    root.mkdir()
    write_site(root, {C: CAMPAIGN, **(files or {})}, MINIMAL_FILES)
    r = run_cli("build", "-C", str(root), "--now", NOW)
    assert r.code == 0, r.text
    return root


def diagnostics_of(r) -> list[tuple]:
    data = json.loads(r.out)
    return [(d["code"], d["file"], d["line"], d["column"], d["message"]) for d in data["diagnostics"]]


def hints_of(r) -> list[str]:
    return [d["hint"] for d in json.loads(r.out)["diagnostics"]]


def break_and_build(good: Path, tmp_path: Path, files: dict, *extra: str, timeout: int = 120):
    """Copy the built site, apply ``files`` (None deletes), build again (JSON diagnostics):
    (exit code, diagnostics, the Run). Asserts the previous output is byte-identical."""
    root = tmp_path / "site"
    shutil.copytree(good, root, symlinks=True)
    before = tree_bytes(root / "public")
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    r = run_cli("build", "-C", str(root), "--now", NOW, "--format", "json", *extra, timeout=timeout)
    found = diagnostics_of(r)
    if r.code != 0:
        assert tree_bytes(root / "public") == before, "a failed build changed the previous output"
    return r.code, found, r
