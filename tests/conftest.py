"""Shared test helpers: tiny inline sites, and the real CLI entry point in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOW = "2026-11-23T10:00:00+08:00"

MINIMAL_SITE_YAML = """\
title: 测试站
base_url: https://hub.example.com/
default_persona: xiaobei
menus:
  - name: 最新
    url: /
  - name: 服务
    service: true
    items:
      - {name: 联系我们, page: contact}
channels:
  store-counter: {name: 门店柜台}
segments:
  hefei: {name: 合肥, wechat_tag_id: 101}
"""

MINIMAL_FILES = {
    "site.yaml": MINIMAL_SITE_YAML,
    "content/personas/xiaobei.yaml": """\
name: 小贝
bio: 店长助理
voice:
  address: 你
  avoid: {您: 你, 尊敬的用户: null}
palette: {primary: "#c2410c"}
signature: —— 小贝
""",
    "content/pages/contact.md": "---\ntitle: 联系我们\n---\n\n电话：0551-00000000\n",
    "content/articles/2026-11-20-hello.md": """\
---
title: 你好
date: 2026-11-20
tags: [烘焙]
---

第一段文字。

::: cta signup
[立即报名](/contact/)
:::
""",
}


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cli(*args: str, cwd: str | os.PathLike | None = None, env: dict | None = None, timeout: int = 120) -> Run:
    """Run the real entry point (`python -m site_gen`, what the `site-gen` script calls)."""
    full_env = {**os.environ, "PYTHONUTF8": "1", **(env or {})}
    full_env.pop("SITE_GEN_DEBUG", None)
    p = subprocess.run([sys.executable, "-m", "site_gen", *args], cwd=cwd, env=full_env, capture_output=True,
                       text=True, timeout=timeout)
    assert "Traceback" not in p.stderr, p.stderr
    return Run(p.returncode, p.stdout, p.stderr)


def write_site(root: Path, files: dict[str, str | bytes], base: dict | None = MINIMAL_FILES) -> Path:
    """Write a site: the minimal site's files, overridden/extended by ``files`` (None deletes)."""
    merged = {**(base or {}), **files}
    for rel, content in merged.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")
    return root


@pytest.fixture
def site(tmp_path):
    """A factory: site(files) -> root path of a fresh minimal site with those files."""
    counter = iter(range(1000))

    def make(files: dict | None = None, base: dict | None = MINIMAL_FILES) -> Path:
        root = tmp_path / f"site{next(counter)}"
        root.mkdir()
        return write_site(root, files or {}, base)

    return make


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def example_hub(tmp_path_factory) -> Path:
    """The repository's example hub (site.yaml + content/ at the root) built once with --now 2026-11-23."""
    out = tmp_path_factory.mktemp("example-hub") / "public"
    r = run_cli("build", "-C", str(REPO), "--now", "2026-11-23", "--out", str(out), "--strict")
    assert r.code == 0, r.text
    return out


def generated_hub(tmp_path_factory, name: str, n: int) -> Path:
    """A hub of ``n`` articles made by the benchmark's generator (bench/generate.py)."""
    root = tmp_path_factory.mktemp(name) / "hub"
    subprocess.run([sys.executable, str(REPO / "bench/generate.py"), str(n), str(root)], check=True,
                   capture_output=True)
    return root
