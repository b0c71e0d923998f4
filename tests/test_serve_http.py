"""`site-gen serve` end to end: the real process, real HTTP, the real reload stream (SPEC §8)."""

from __future__ import annotations

import errno
import os
import re
import time
from pathlib import Path

import pytest

from conftest import MINIMAL_FILES, run_cli, write_site
from serve_process import SERVE_NOW, Served

ARTICLE = "content/articles/2026-11-20-hello.md"
SCRIPT = re.compile(rb'<script src="/__site-gen/client\.js" data-site-gen-version="\d+" data-site-gen-base="/" '
                    rb'defer></script>')

DRAFT = "---\ntitle: 草稿一篇\ndate: 2026-11-18\ndraft: true\n---\n\n还没写完。\n\n::: cta link\n[联系我们](/contact/)\n:::\n"
FUTURE = "---\ntitle: 明天的文章\ndate: 2026-12-24\n---\n\n圣诞见。\n\n::: cta link\n[联系我们](/contact/)\n:::\n"
CSS = "body { color: rgb(1, 2, 3); }\n"


def article(title: str, body: str = "第一段文字。", tags: str = "[烘焙]", extra: str = "") -> str:
    return (f"---\ntitle: {title}\ndate: 2026-11-20\ntags: {tags}\n{extra}---\n\n{body}\n\n"
            "::: cta signup\n[立即报名](/contact/)\n:::\n")


def save(root: Path, rel: str, text: str | bytes) -> None:
    """Save like VS Code does: in place."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("serve-http"), {
        "content/articles/2026-11-18-draft.md": DRAFT,
        "content/articles/2026-12-24-future.md": FUTURE,
        "content/articles/2026-11-10-vim.md": article("vim 存的文章"),
        "content/articles/2026-11-11-jb.md": article("JetBrains 存的文章"),
        "content/articles/2026-11-12-broken.md": article("会坏的文章"),
        "themes/default/static/style.css": CSS,
    })
    s = Served(root)
    s.site = root
    yield s
    s.stop()


# ------------------------------------------------------------------------------- serving


def test_start_prints_the_url_and_serves_pages_with_the_reload_script(served):
    assert f"serving at http://127.0.0.1:{served.port}/ (Ctrl-C to stop)" in served.lines
    assert not (served.site / "public").exists()  # builds in memory, never into the output folder
    status, headers, body = served.request("/")
    assert status == 200 and headers["cache-control"] == "no-store"
    assert len(SCRIPT.findall(body)) == 1
    assert body.index(SCRIPT.search(body).group()) == body.rindex(b"</body>") - len(SCRIPT.search(body).group())
    status, headers, js = served.request("/__site-gen/client.js")
    assert status == 200 and headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"EventSource" in js and b"site-gen-overlay" in js
    assert SCRIPT.search(served.get("/feed.xml")[1]) is None  # only HTML gets the script
    status, body = served.get("/no/such/page/")
    assert status == 404 and len(SCRIPT.findall(body)) == 1  # the 404 page reloads too


def test_drafts_and_future_articles_are_shown_and_marked(served):
    for path in ("/articles/draft/", "/articles/future/"):
        status, body = served.get(path)
        assert status == 200, path
        assert re.search(rb'<div class="draft-banner" data-draft role="note">', body), path
    assert b"data-draft" not in served.get("/articles/hello/")[1]
    home = served.get("/")[1].decode()
    assert "草稿一篇" in home and "明天的文章" in home


def test_no_drafts_and_now_preview_the_published_site_as_of_a_date(tmp_path):
    root = write_site(tmp_path, {"content/articles/2026-11-18-draft.md": DRAFT,
                                 "content/articles/2026-12-24-future.md": FUTURE})
    # --now 2026-11-23: the Christmas article is not out yet; on Christmas morning it is
    for now, expected in ((SERVE_NOW, 404), ("2026-12-25T09:00:00+08:00", 200)):
        s = Served(root, "--no-drafts", now=now)
        try:
            status, body = s.get("/articles/future/")
            assert status == expected, now
            assert b"data-draft" not in body
            assert s.get("/articles/draft/")[0] == 404
            assert s.get("/articles/hello/")[0] == 200
        finally:
            s.stop()


# ------------------------------------------------------------------------------ rebuilds


def test_editing_an_article_reloads_and_every_page_that_lists_it(served):
    events = served.events()
    try:
        mark = events.mark()
        started = time.monotonic()
        save(served.site, ARTICLE, article("改过的标题", "改过的第一段。", tags="[烘焙, 新标签]"))
        events.next("reload", mark, timeout=2)
        assert time.monotonic() - started < 2
        assert "改过的第一段。" in served.get("/articles/hello/")[1].decode()
        # pages that list it are current too (a request waits while they are re-rendered)
        assert "改过的标题" in served.get("/")[1].decode()
        assert "改过的标题" in served.get("/feed.xml")[1].decode()
        assert served.get("/tags/xin-biao-qian/")[0] == 200
        assert served.wait_line(lambda line: line.startswith(f"{ARTICLE} → 1 page in "))
    finally:
        events.close()


def test_editor_saves_by_rename_and_temp_files_are_ignored(served):
    root, events = served.site, served.events()
    try:
        # vim (backupcopy=no): the file is renamed to file~ and written anew
        vim = root / "content/articles/2026-11-10-vim.md"
        mark = events.mark()
        (root / "content/articles/4913").write_text("", encoding="utf-8")
        (root / "content/articles/4913").unlink()
        os.rename(vim, str(vim) + "~")
        vim.write_text(article("vim 改过"), encoding="utf-8")
        os.unlink(str(vim) + "~")
        events.next("reload", mark, timeout=2)
        assert "vim 改过" in served.get("/articles/vim/")[1].decode()
        # JetBrains "safe write": a ___jb_tmp___ file renamed over the original
        jb = root / "content/articles/2026-11-11-jb.md"
        mark = events.mark()
        tmp, old = Path(str(jb) + "___jb_tmp___"), Path(str(jb) + "___jb_old___")
        tmp.write_text(article("JetBrains 改过"), encoding="utf-8")
        os.rename(jb, old)
        os.rename(tmp, jb)
        old.unlink()
        events.next("reload", mark, timeout=2)
        assert "JetBrains 改过" in served.get("/articles/jb/")[1].decode()
        # editor droppings alone change nothing
        mark = events.mark()
        for name in (".2026-11-10-vim.md.swp", "2026-11-10-vim.md~", "#2026-11-10-vim.md#", ".DS_Store",
                     "2026-11-10-vim.md___jb_tmp___", "2026-11-10-vim.md.tmp"):
            (root / "content/articles" / name).write_text("---\ntitle: [broken\n", encoding="utf-8")
        time.sleep(0.6)
        assert events.kinds(mark) == []
        for name in (".2026-11-10-vim.md.swp", "2026-11-10-vim.md~", "#2026-11-10-vim.md#", ".DS_Store",
                     "2026-11-10-vim.md___jb_tmp___", "2026-11-10-vim.md.tmp"):
            (root / "content/articles" / name).unlink()
    finally:
        events.close()


def test_a_css_change_is_hot_swapped(served):
    events = served.events()
    try:
        home = served.get("/")[1].decode()
        old = re.search(r'<link rel="stylesheet" href="(/assets/style\.[0-9a-f]{10}\.css)">', home).group(1)
        mark = events.mark()
        save(served.site, "themes/default/static/style.css", "body { color: rgb(9, 8, 7); }\n")
        swap = events.next("css", mark, timeout=2)["swap"]
        new = swap[old]
        assert re.fullmatch(r"/assets/style\.[0-9a-f]{10}\.css", new) and new != old
        assert "reload" not in events.kinds(mark)
        status, headers, body = served.request(new)
        assert status == 200 and body == b"body { color: rgb(9, 8, 7); }\n"
        assert headers["content-type"] == "text/css; charset=utf-8"
        assert served.get(old)[0] == 404
        assert f'href="{new}"' in served.get("/")[1].decode()
        assert f'href="{new}"' in served.get("/articles/hello/")[1].decode()
    finally:
        events.close()


def test_a_broken_file_shows_its_problem_and_the_fix_clears_it(served):
    events = served.events()
    rel = "content/articles/2026-11-12-broken.md"
    try:
        mark = events.mark()
        save(served.site, rel, "---\ntitle: [会坏的文章\ndate: 2026-11-20\n---\n\n正文。\n")
        problems = events.next("problems", mark, timeout=2)["diagnostics"]
        assert problems[0]["file"] == rel
        assert problems[0]["line"] == 3 and problems[0]["code"] == "META001"
        assert problems[0]["message"].startswith("the YAML does not parse")
        assert problems[0]["hint"]
        # the last good page stays underneath, and new tabs get the problem on connect
        assert "会坏的文章" in served.get("/articles/broken/")[1].decode()
        late = served.events()
        assert late.items[0][1]["diagnostics"][0]["file"] == rel
        late.close()
        mark = events.mark()
        save(served.site, rel, article("修好的文章"))
        events.next("reload", mark, timeout=2)
        assert "修好的文章" in served.get("/articles/broken/")[1].decode()
        fresh = served.events()
        assert fresh.items[0][1]["diagnostics"] == []
        fresh.close()
    finally:
        events.close()


def test_the_server_never_dies_because_of_content(tmp_path):
    root = write_site(tmp_path, {"themes/default/templates/page.html":
                                 '{% extends "base.html" %}{% block main %}<p>{{ entry.title }}</p>{% endblock %}\n'})
    s = Served(root)
    events = s.events()
    try:
        mark = events.mark()
        save(root, "themes/default/templates/page.html",
             '{% extends "base.html" %}\n{% block main %}\n<p>{{ entry.title }</p>{% endblock %}\n')
        problem = events.next("problems", mark, timeout=5)["diagnostics"][0]
        assert (problem["code"], problem["file"], problem["line"]) == ("TPL001", "themes/default/templates/page.html", 3)
        mark = events.mark()
        save(root, ARTICLE, b"---\ntitle: \xff\xfe\n---\n")  # not UTF-8
        problems = events.next("problems", mark, timeout=5)["diagnostics"]
        assert any(p["code"] == "META001" and p["file"] == ARTICLE and "not UTF-8" in p["message"] for p in problems)
        mark = events.mark()
        (root / "site.yaml").rename(root / "site.yaml.bak")
        problem = events.next("problems", mark, timeout=5)["diagnostics"][0]
        assert problem["message"].startswith("no site.yaml in ")
        assert s.get("/contact/")[0] == 200  # the last good site is still served
        mark = events.mark()
        (root / "site.yaml.bak").rename(root / "site.yaml")
        save(root, "themes/default/templates/page.html",
             '{% extends "base.html" %}{% block main %}<p>{{ entry.title }}</p>{% endblock %}\n')
        save(root, ARTICLE, MINIMAL_FILES[ARTICLE])
        events.next("reload", mark, timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the last of the three saves may still be rebuilding
            fresh = s.events()
            clean = fresh.items[0][1]["diagnostics"] == []
            fresh.close()
            if clean:
                break
            time.sleep(0.1)
        assert clean
        assert s.get("/contact/")[0] == 200 and s.alive()
    finally:
        events.close()
        s.stop()


def test_incremental_rebuilds_give_the_same_site_as_a_full_build(tmp_path):
    root = write_site(tmp_path / "site", {
        "content/articles/2026-11-18-draft.md": DRAFT,
        "content/articles/2026-11-01-other.md": article("另一篇", tags="[面包, 烘焙]"),
    })
    s = Served(root)
    events = s.events()
    try:
        edits = [
            (ARTICLE, article("新标题", "新的正文。")),  # body and title
            (ARTICLE, article("新标题", "新的正文。", tags="[全新标签]")),  # tags: one page goes, one comes
            ("content/articles/2026-11-22-added.md", article("新增的文章", extra="persona: xiaobei\n")),
            ("content/articles/2026-11-01-other.md", None),  # deleted
            ("content/articles/2026-11-18-draft.md", DRAFT.replace("draft: true\n", "")),  # published
            ("content/pages/contact.md", "---\ntitle: 联系我们吧\n---\n\n电话：0551-11111111\n"),
        ]
        for rel, text in edits:
            mark = events.mark()
            if text is None:
                (root / rel).unlink()
            else:
                save(root, rel, text)
            events.next("reload", mark, timeout=3)
            s.get("/sitemap.xml")  # waits for the listing pages of this edit
        assert s.wait_line(lambda line: "→ 1 page in" in line)  # they were incremental, not full
        out = tmp_path / "full"
        run = run_cli("build", "-C", str(root), "--drafts", "--now", SERVE_NOW, "--out", str(out))
        assert run.code == 0, run.text
        import json

        manifest = json.loads(s.get("/manifest.json")[1])
        served_paths = sorted(f["path"] for f in manifest["files"])
        built_paths = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
        assert served_paths == sorted(p for p in built_paths if p != "manifest.json")
        for path in built_paths:
            status, body = s.get("/" + path)
            assert status == 200, path
            if path.endswith(".html"):
                body = SCRIPT.sub(b"", body)
            assert body == (out / path).read_bytes(), path
    finally:
        events.close()
        s.stop()


def test_polling_notices_changes_too(tmp_path):
    root = write_site(tmp_path, {})
    s = Served(root, "--poll")
    events = s.events()
    try:
        assert "watching for changes by polling" in s.lines
        mark = events.mark()
        save(root, ARTICLE, article("轮询也能看到"))
        events.next("reload", mark, timeout=4)
        assert "轮询也能看到" in s.get("/articles/hello/")[1].decode()
    finally:
        events.close()
        s.stop()


def test_the_watch_limit_falls_back_to_polling(tmp_path):
    from site_gen.serve.watcher import Watcher

    class Exhausted:  # an inotify observer when fs.inotify.max_user_watches is used up
        def __init__(self):
            self.daemon = False

        def schedule(self, *a, **kw):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

        def unschedule_all(self):
            pass

    root = write_site(tmp_path, {})
    said, batches = [], []
    w = Watcher(str(root), lambda paths, dirs, first: batches.append(paths), make_observer=Exhausted,
                log=said.append, interval=0.1)
    try:
        assert w.mode == "poll"
        assert said == ["site-gen serve: the system's limit of file watches is reached (inotify watch limit "
                        "reached); watching by polling instead, which notices changes a little later. To raise "
                        "the limit: sudo sysctl fs.inotify.max_user_watches=524288"]
        time.sleep(0.3)
        save(root, ARTICLE, article("x"))
        deadline = time.monotonic() + 3
        while not batches and time.monotonic() < deadline:
            time.sleep(0.05)
        assert batches and ARTICLE in batches[0]
    finally:
        w.stop()


def test_host_0000_prints_the_lan_address_a_qr_code_and_a_warning(tmp_path):
    s = Served(write_site(tmp_path, {}), "--host", "0.0.0.0")
    try:
        lan = s.wait_line(lambda line: line.startswith("on your network: "), timeout=1)
        warning = s.wait_line(lambda line: line.startswith("warning: "), timeout=1)
        if lan is None:
            pytest.skip("this machine has no network address besides loopback")
        url = lan.split()[3]
        assert re.fullmatch(rf"http://\d+\.\d+\.\d+\.\d+:{s.port}/", url)
        assert warning.startswith("warning: the preview is now reachable by anyone on your network (")
        assert warning.endswith("); the default --host 127.0.0.1 keeps it on this computer")
        after = s.lines.index(warning)
        qr = [line for line in s.lines[after + 1:] if line.strip()]
        assert len(qr) > 10 and all(set(line) <= set(" █▀▄\x1b[0123456789;m") for line in qr[:10])
        ip = url.split("//")[1].split(":")[0]
        assert s.get("/", host=f"{ip}:{s.port}")[0] == 200  # the LAN address is allowed …
        assert s.get("/", host="evil.example")[0] == 403  # … others still are not
    finally:
        s.stop()
