"""`site-gen serve` in real headless Chromium: what an editor sees while saving files (SPEC §8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import write_site
from serve_process import Served

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
ARTICLE = "content/articles/2026-11-20-hello.md"
BUILTIN_CSS = Path(__file__).resolve().parent.parent / "site_gen/themes/default/static/style.css"


def article(body: str, title: str = "你好") -> str:
    return (f"---\ntitle: {title}\ndate: 2026-11-20\ntags: [烘焙]\n---\n\n{body}\n\n"
            "::: cta signup\n[立即报名](/contact/)\n:::\n")


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run"])
        yield b
        b.close()


def test_the_open_page_follows_the_editor(browser, tmp_path):
    root = write_site(tmp_path, {ARTICLE: article("第一版的正文。"),
                                 "themes/default/static/style.css": BUILTIN_CSS.read_text(encoding="utf-8")})
    served = Served(root)
    page = browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    try:
        page.goto(f"http://localhost:{served.port}/articles/hello/")
        page.wait_for_function("() => window.__siteGenOverlay !== undefined")
        page.wait_for_timeout(300)  # the reload stream connects

        # 1. Markdown edited → the open page shows the new text, the test never navigates
        (root / ARTICLE).write_text(article("第二版的正文，保存就能看到。"), encoding="utf-8")
        page.wait_for_function("() => document.body.innerText.includes('第二版的正文，保存就能看到。')", timeout=2000)
        assert page.url == f"http://localhost:{served.port}/articles/hello/"

        # 2. the theme's CSS edited → restyled in place: state set before the edit survives
        page.wait_for_function("() => window.__siteGenOverlay !== undefined")
        page.wait_for_timeout(300)
        page.evaluate("window.__editorState = 'kept'")
        before = page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor")
        css = BUILTIN_CSS.read_text(encoding="utf-8") + "\nmain { background-color: rgb(12, 34, 56); }\n"
        (root / "themes/default/static/style.css").write_text(css, encoding="utf-8")
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('main')).backgroundColor === 'rgb(12, 34, 56)'",
            timeout=2000)
        assert before != "rgb(12, 34, 56)"
        assert page.evaluate("window.__editorState") == "kept"  # no reload
        assert page.locator('link[rel="stylesheet"]').count() == 1  # the old sheet is gone

        # 3. the front matter broken → the overlay names the file and line, over the last good page
        (root / ARTICLE).write_text("---\ntitle: 你好\ndate: 2026-11-20\ntags: [烘焙\n---\n\n第三版。\n",
                                    encoding="utf-8")
        where = page.locator("#site-gen-overlay .where").first
        where.wait_for(timeout=2000)
        assert where.inner_text() == f"{ARTICLE}:4:10"  # the unclosed `[`
        overlay = page.locator("#site-gen-overlay")
        text = page.locator("#site-gen-overlay .panel").inner_text()  # inside its shadow root
        assert "The last change broke the build: 1 problem" in text
        assert "META001 error" in text and "the YAML does not parse" in text
        assert "check the indentation, and quote values" in text  # the hint
        assert "第二版的正文" in page.locator("main").inner_text()  # the last good page underneath
        box = page.locator("#site-gen-overlay .panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # fits a phone: no sideways scrolling
        shot = tmp_path / "overlay-375.png"
        page.screenshot(path=str(shot))
        keep = os.environ.get("SITE_GEN_SCREENSHOTS")
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            (Path(keep) / "overlay-375.png").write_bytes(shot.read_bytes())

        # 4. fixed → the overlay goes by itself and the page is current
        (root / ARTICLE).write_text(article("第四版：修好了。"), encoding="utf-8")
        page.wait_for_function("() => document.body.innerText.includes('第四版：修好了。')", timeout=2000)
        overlay.wait_for(state="detached", timeout=2000)
        assert page.locator("#site-gen-overlay").count() == 0
    finally:
        page.close()
        served.stop()
