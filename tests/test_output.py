"""The example hub's real output, read with real parsers (html5lib via BeautifulSoup, feedparser,
ElementTree, json)."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, run_cli, tree_bytes

BASE = "https://hub.example.com"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hub") / "public"
    r = run_cli("build", "-C", str(REPO), "--now", NOW, "--out", str(out))
    assert r.code == 0, r.text
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html5lib")


def html_files(out: Path) -> list[Path]:
    """Every HTML page (not the paste-ready WeChat fragments in wechat/articles/, see test_wechat_article)."""
    return sorted(p for p in out.rglob("*.html") if p.parent != out / "wechat" / "articles")


def article_pages(out: Path) -> list[Path]:
    return sorted((out / "articles").glob("*/index.html"))


def is_chrome(el) -> bool:
    return any(p.name in ("footer", "nav") for p in [el, *el.parents]) or el.name in ("script", "template")


def test_every_article_ends_in_exactly_one_call_to_action(out):
    pages = article_pages(out)
    assert len(pages) >= 12
    for page in pages:
        doc = soup(page)
        ctas = doc.select("[data-cta]")
        assert len(ctas) == 1, page
        cta = ctas[0]
        assert cta["data-cta"] in ("link", "signup", "buy", "book", "contact", "call", "reply", "scan", "download")
        assert cta.get_text(strip=True)
        assert cta.find_parent("article") is not None, page
        after = [el for el in cta.find_all_next() if not is_chrome(el)]
        assert after == [], (page, [el.name for el in after])


def test_every_internal_link_resolves_to_an_output_file(out):
    missing = []
    for page in html_files(out):
        doc = soup(page)
        for el, attr in [(a, "href") for a in doc.select("[href]")] + [(i, "src") for i in doc.select("[src]")]:
            url = el[attr]
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            path = unquote(parts.path)
            assert path.startswith("/"), (page, url)
            target = out / path.lstrip("/")
            if path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                missing.append((str(page.relative_to(out)), url))
    assert missing == []


def test_pages_declare_language_and_viewport(out):
    for page in html_files(out):
        doc = soup(page)
        assert doc.html["lang"] == "zh-CN"
        assert doc.select_one('meta[name="viewport"]') is not None
        assert doc.title and doc.title.get_text(strip=True)
        for script in doc.select("script[src]"):
            assert script.has_attr("defer") or script.has_attr("async"), page


def test_atom_feed_lists_every_published_article(out):
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    links = {e.link for e in feed.entries}
    published = {f"{BASE}/articles/{p.parent.name}/" for p in article_pages(out)}
    assert links == published
    assert feed.feed.title == "甜心烘焙"
    dates = [e.published_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_json_feed(out):
    data = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert {i["url"] for i in data["items"]} == {f"{BASE}/articles/{p.parent.name}/" for p in article_pages(out)}
    assert all(i["content_html"] and i["title"] for i in data["items"])


def test_sitemap_lists_every_html_page_but_404(out):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.parse(out / "sitemap.xml").getroot().findall("s:url/s:loc", ns)}
    pages = set()
    for page in html_files(out):
        rel = page.relative_to(out).as_posix()
        if rel == "404.html":
            continue
        assert rel.endswith("index.html")
        pages.add(f"{BASE}/" + rel[: -len("index.html")])
    assert locs == pages
    assert (out / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}/sitemap.xml\n"


def test_manifest_matches_the_files(out):
    manifest = json.loads((out / "manifest.json").read_text())
    entries = manifest["files"]
    assert [e["path"] for e in entries] == sorted(e["path"] for e in entries)
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert {e["path"] for e in entries} == on_disk
    for e in entries:
        data = (out / e["path"]).read_bytes()
        assert e["bytes"] == len(data) and e["sha256"] == hashlib.sha256(data).hexdigest(), e["path"]


def test_assets_are_fingerprinted_and_headers_make_them_immutable(out):
    assets = sorted(p.name for p in (out / "assets").iterdir())
    for name in assets:
        stem, digest, ext = name.rsplit(".", 2)
        data = (out / "assets" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest()[:10] == digest
    headers = (out / "_headers").read_text()
    assert headers.startswith("/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n")
    assert "/articles/*\n  Cache-Control: public, max-age=0, must-revalidate\n" in headers


def test_pages_listed_by_the_spec_exist(out):
    for rel in ("index.html", "404.html", "campaigns/index.html", "campaigns/weekend-baking/index.html",
                "personas/xiaobei/index.html", "segments/hefei/index.html", "stores/index.html",
                "wechat/menu.json", "wechat/menu-hefei.json", "qr/weekend-baking/store-counter.svg"):
        assert (out / rel).is_file(), rel
    # a Chinese file name becomes a pinyin slug; Chinese tags too
    assert (out / "articles/ke-song-de-mi-mi/index.html").is_file()
    assert (out / "tags/hong-bei/index.html").is_file()
    # the draft and nothing dated after --now is published
    assert not (out / "articles/weekend-baking-recap").exists()


def test_campaign_page_shows_status_and_current_action(out):
    doc = soup(out / "campaigns/weekend-baking/index.html")
    assert "进行中" in doc.get_text()
    cta = doc.select_one("[data-cta]")
    assert cta["data-cta"] == "signup" and "报名" in cta.get_text()


def test_two_builds_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert run_cli("build", "-C", str(REPO), "--now", NOW, "--out", str(out)).code == 0
    assert tree_bytes(a) == tree_bytes(b)
