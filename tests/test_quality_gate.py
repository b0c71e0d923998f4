"""The quality gate (quality/gate.py) with its real tools: it passes on the example hub and fails,
naming the bar, the page and the figure, on a copy broken on purpose.

The tools come from the project: `npm ci --prefix quality` (run here when quality/node_modules is
missing and npm is present), Java, Debian's chromium. A missing tool fails these tests with what to
install; they are never skipped.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import REPO

QUALITY = REPO / "quality"
spec = importlib.util.spec_from_file_location("quality_gate", QUALITY / "gate.py")
gate = sys.modules["quality_gate"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gate)


@pytest.fixture(scope="session")
def quality_tools():
    """Java, chromium and quality/node_modules (installed with npm ci when missing), or a clear failure."""
    if not shutil.which("java"):
        pytest.fail("Java is missing: the Nu HTML Checker needs Java 17+ (apt-get install default-jre-headless)",
                    pytrace=False)
    chrome = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
    if not os.access(chrome, os.X_OK):
        pytest.fail(f"no Chromium at {chrome}: apt-get install chromium (the gate never downloads a browser)",
                    pytrace=False)
    needed = (gate.VNU_JAR, gate.AXE_JS, gate.LIGHTHOUSE_CLI)
    # one installer at a time across pytest-xdist workers
    with open(Path(tempfile.gettempdir()) / "site-gen-quality-npm.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not all(p.is_file() for p in needed):
            npm = shutil.which("npm")
            if not npm:
                pytest.fail("quality/node_modules is missing and npm is not installed: install Node.js and npm, "
                            "then run `npm ci --prefix quality`", pytrace=False)
            p = subprocess.run([npm, "ci", "--prefix", str(QUALITY), "--ignore-scripts", "--no-audit", "--no-fund"],
                               capture_output=True, text=True, timeout=900)
            if p.returncode != 0 or not all(f.is_file() for f in needed):
                pytest.fail(f"`npm ci --prefix quality` failed (exit {p.returncode}):\n{(p.stdout + p.stderr)[-2000:]}",
                            pytrace=False)
    return True


def run_gate(*args: str, env: dict | None = None, timeout: int = 900):
    p = subprocess.run([sys.executable, str(QUALITY / "gate.py"), *args], cwd=REPO, capture_output=True, text=True,
                       timeout=timeout, env={**os.environ, "PYTHONUTF8": "1", **(env or {})})
    assert "Traceback" not in p.stderr, p.stderr
    return p


def fails(stdout: str) -> list[str]:
    return [line[len("FAIL "):] for line in stdout.splitlines() if line.startswith("FAIL ")]


def copy_example(dest: Path) -> Path:
    shutil.copy(REPO / "site.yaml", dest / "site.yaml")
    for d in ("content", "static"):
        shutil.copytree(REPO / d, dest / d)
    return dest


# ------------------------------------------------------------------------------------ passes


def test_the_gate_passes_on_the_example_hub_with_every_bar(quality_tools, tmp_path):
    out = tmp_path / "report"
    p = run_gate("--out", str(out))
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.rstrip().endswith("quality gate: every bar met"), p.stdout
    assert fails(p.stdout) == []
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    bars = {f["bar"] for f in report["figures"]}
    assert bars == {"html", "axe", "layout", "weight", "lighthouse", "screenshots"}
    assert all(f["ok"] for f in report["figures"]), report["figures"]
    scores = [f for f in report["figures"] if f["measure"] == "perf / a11y / best practices / SEO"]
    assert [f["page"].rsplit(" ", 1)[1] for f in scores] == ["(home)", "(article)", "(campaign)"]
    for f in scores:
        assert all(int(s) >= 95 for s in f["value"].split(" / ")), f
    axe = [f for f in report["figures"] if f["bar"] == "axe"]
    assert len(axe) == 12  # six pages, light and dark
    for kind in ("home", "article", "campaign"):
        for name in (f"{kind}-375.png", f"{kind}-375-top.png", f"{kind}-375-end.png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (out / f"lighthouse-{kind}.report.html").is_file()
    assert "machine: " in (out / "report.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------ fails

BIG_ARTICLE = """\
---
title: 一篇很长很长的文章
date: 2026-11-01
tags: [面包]
---

{body}

::: cta link
[查看门店地址](/stores/)
:::
"""

TINY_CTA = """\
{%- if cta.url -%}
<a data-cta="{{ cta.kind }}" href="{{ cta.url }}" style="font-size:12px;line-height:1">{{ cta.text[:2] }}</a>
{%- else -%}
<p data-cta="{{ cta.kind }}">{{ cta.text }}</p>
{%- endif -%}
"""

WIDE_TAG = """\
{% extends "base.html" %}
{% block head %}<script src="{{ asset('site.js') }}"></script>{% endblock %}
{% block main %}
<h1 class="page-title">{{ tag.name }}</h1>
<div class="wide" style="width:640px">a table someone pasted at a fixed width</div>
{% endblock %}
"""

BROKEN_404 = """\
{% extends "base.html" %}
{% block main %}
<h1 class="page-title">找不到</h1>
<p>这里什么也没有<div>块</div></p>
<img src="{{ url('/images/xiaobei.svg') }}" width="40" height="40">
{% endblock %}
"""


@pytest.fixture(scope="module")
def broken_run(quality_tools, tmp_path_factory):
    """The example hub with one page kind broken per bar; the gate run once over the cheap bars."""
    root = copy_example(tmp_path_factory.mktemp("broken"))
    sentences = "".join(f"第{i}段：面包的香气来自长时间发酵，面粉、水、盐和酵母，各有各的道理。\n\n" for i in range(400))
    (root / "content/articles/2026-11-01-very-long.md").write_text(BIG_ARTICLE.format(body=sentences), encoding="utf-8")
    templates = root / "themes/default/templates"
    templates.mkdir(parents=True)
    (templates / "_cta.html").write_text(TINY_CTA, encoding="utf-8")
    (templates / "tag.html").write_text(WIDE_TAG, encoding="utf-8")
    (templates / "404.html").write_text(BROKEN_404, encoding="utf-8")
    p = run_gate("--site", str(root), "--out", str(tmp_path_factory.mktemp("report")),
                 "--only", "html,axe,layout,weight")
    return p, fails(p.stdout)


def test_broken_copy_exits_1_and_names_the_bars_missed(broken_run):
    p, failures = broken_run
    assert p.returncode == 1, p.stdout + p.stderr
    assert p.stdout.rstrip().endswith(f"quality gate: {len(failures)} failures, bars missed: html, axe, layout, weight")
    assert {f.split(":", 1)[0] for f in failures} == {"html", "axe", "layout", "weight"}


def test_horizontal_scroll_is_named_with_page_width_and_culprit(broken_run):
    _, failures = broken_run
    wide = [re.fullmatch(r"layout: /tags/[a-z-]+/ @(\d+)px: horizontal scroll: the page is (\d+) px wide in a "
                         r"(\d+) px viewport \(div\.wide reaches (\d+) px\)", f) for f in failures if "horizontal" in f]
    assert [(m.group(1), m.group(3)) for m in wide] == [("320", "320"), ("375", "375")], failures
    assert all(int(m.group(2)) == int(m.group(4)) >= 640 for m in wide)


def test_tiny_call_to_action_is_named_with_its_size(broken_run):
    _, failures = broken_run
    assert [f for f in failures if "call to action" in f] == [
        "layout: /articles/very-long/ @320px: the call to action 「查看」 is 24×14 px, under 44×44",
        "layout: /campaigns/weekend-baking/ @320px: the call to action 「立即」 is 24×14 px, under 44×44",
        "layout: /articles/very-long/ @375px: the call to action 「查看」 is 24×14 px, under 44×44",
        "layout: /campaigns/weekend-baking/ @375px: the call to action 「立即」 is 24×14 px, under 44×44",
    ]


def test_validation_errors_are_named_with_file_line_and_message(broken_run):
    _, failures = broken_run
    assert [re.sub(r"line \d+:\d+", "line L:C", f) for f in failures if f.startswith("html: ")] == [
        "html: 404.html: line L:C: No “p” element in scope but a “p” end tag seen.",
        "html: 404.html: line L:C: An “img” element must have an “alt” attribute, except under certain conditions. "
        "For details, consult guidance on providing text alternatives for images.",
    ]


def test_accessibility_violations_are_named_with_rule_and_element(broken_run):
    _, failures = broken_run
    assert [f for f in failures if f.startswith("axe: ")] == [
        f"axe: /no-such-page/ (404, {scheme}): critical image-alt (Images must have alternative text) on 1 "
        "element(s), e.g. img" for scheme in ("light", "dark")]


def test_page_weight_and_render_blocking_scripts_are_named(broken_run):
    _, failures = broken_run
    weight = [f for f in failures if f.startswith("weight: ")]
    assert len(weight) == 2, weight
    m = re.fullmatch(r"weight: /articles/very-long/: HTML\+CSS\+JS is ([\d,]+) bytes "
                     r"\(HTML ([\d,]+), CSS ([\d,]+), JS ([\d,]+)\), over 30,000", weight[0])
    total, *parts = (int(g.replace(",", "")) for g in m.groups())
    assert total == sum(parts) > 30_000 and parts[0] > 30_000
    assert re.fullmatch(r"weight: /tags/[a-z-]+/ \(and \d+ more pages\): render-blocking script "
                        r"<script src=/assets/site\.[0-9a-f]+\.js>: add defer \(or async\), or move it out of <head>",
                        weight[1]), weight[1]


def test_lighthouse_scores_under_95_are_failures():
    result = {"categories": {
        "performance": {"score": 0.94, "auditRefs": [{"id": "largest-contentful-paint", "weight": 25}]},
        "accessibility": {"score": 1.0, "auditRefs": []},
        "best-practices": {"score": 0.95, "auditRefs": []},
        "seo": {"score": None, "auditRefs": []}},
        "audits": {"largest-contentful-paint": {"title": "Largest Contentful Paint", "score": 0.7}}}
    assert gate.lighthouse_failures(result) == [
        "performance 94 < 95 (Largest Contentful Paint)", "seo: no score"]
    assert gate.lighthouse_failures({"runtimeError": {"code": "NO_FCP", "message": "no paint"},
                                     "categories": {c: {"score": 1} for c in gate.LIGHTHOUSE_CATEGORIES}}) == [
        "Lighthouse failed: no paint"]


def test_a_site_that_does_not_build_misses_the_build_bar(quality_tools, site, tmp_path):
    root = site({"content/articles/2026-11-20-hello.md": "---\ntitle: 你好\ndate: 2026-11-20\n---\n\n没有行动。\n"})
    p = run_gate("--site", str(root), "--out", str(tmp_path), "--only", "html")
    assert p.returncode == 1
    [fail] = fails(p.stdout)
    assert fail.startswith(f"build: {root}: the site does not build: ")
    assert "content/articles/2026-11-20-hello.md:6:1: error CTA001: the article does not end in a call to action" in fail
    assert p.stdout.rstrip().endswith("quality gate: 1 failure, bars missed: build")


def test_a_missing_browser_is_exit_2_naming_what_to_install(tmp_path):
    p = run_gate("--only", "layout", "--out", str(tmp_path), env={"CHROME_PATH": str(tmp_path / "no-chromium")})
    assert p.returncode == 2
    assert p.stderr.strip() == (f"quality gate: cannot run: no Chromium at {tmp_path / 'no-chromium'}: install "
                                "Debian's chromium (apt-get install chromium) or set CHROME_PATH; the gate never "
                                "downloads a browser")


def test_unknown_bar_is_a_usage_error(tmp_path):
    p = run_gate("--only", "layout,speed", "--out", str(tmp_path))
    assert p.returncode == 2
    assert "--only takes bars from html,axe,layout,weight,lighthouse,screenshots (got 'layout,speed')" in p.stderr
