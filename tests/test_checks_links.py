"""LINK001 (internal link or image to nothing) and LINK002 (missing #anchor), through the real CLI."""

from __future__ import annotations

from checkrun import found
from conftest import NOW, run_cli

ART = "content/articles/2026-11-21-links.md"
OTHER = "content/articles/2026-11-19-other.md"
OTHER_TEXT = ("---\ntitle: 另一篇\ndate: 2026-11-19\ntags: [烘焙]\n---\n\n## 做法\n\n先揉面。\n\n"
              "::: cta book\n[预约到店](/contact/)\n:::\n")


def article(body: str, extra: str = "") -> str:
    return f"---\ntitle: 链接\ndate: 2026-11-21\ntags: [烘焙]\n{extra}---\n\n{body}\n\n::: cta signup\n[立即报名](/contact/)\n:::\n"


def test_working_links_are_clean(site):
    body = ("看[另一篇](/articles/other/)、[做法](/articles/other/#做法)、[联系](/contact/)、"
            "[联系](/contact)、[首页](/)、[活动](/campaigns/)、[标签](/tags/hong-bei/)、[订阅](/feed.xml)、"
            "[相对](../other/)、[外部](https://example.com/x)、[邮件](mailto:a@b.c)、[本页](#main)。\n\n"
            "![图](/images/a.png)")
    root = site({ART: article(body), OTHER: OTHER_TEXT, "static/images/a.png": b"\x89PNG"})
    r = run_cli("check", "-C", str(root), "--now", NOW, "--strict")
    assert r.code == 0, r.text


def test_link_to_nothing_points_at_the_url_and_fails(site):
    root = site({ART: article("先看看[这篇](/articles/nope/)再说。")})
    assert found(root, "LINK001") == [
        ("error", ART, 7, 9, "the link /articles/nope/ points at no page or file of this site",
         "link to a published page such as /articles/<slug>/, /<page-id>/ or /campaigns/<id>/")]
    assert run_cli("check", "-C", str(root), "--now", NOW).code == 1


def test_missing_image_names_static(site):
    root = site({ART: article("第一段。\n\n![可颂](/images/croissant.jpg)")})
    assert found(root, "LINK001") == [
        ("error", ART, 9, 7, "the image /images/croissant.jpg points at no page or file of this site",
         "put the file in static/ (static/images/x.jpg is served as /images/x.jpg), or fix the path")]


def test_relative_link_is_resolved_against_the_article_url(site):
    root = site({ART: article("见[旧文](../gone/)。")})
    assert [(line, col, msg) for _s, _f, line, col, msg, _h in found(root, "LINK001")] == [
        (7, 7, "the link ../gone/ (/articles/gone/) points at no page or file of this site")]


def test_link_to_an_expired_article_is_broken(site):
    expired = OTHER_TEXT.replace("tags: [烘焙]\n", "tags: [烘焙]\nexpires: 2026-11-20\n")
    root = site({ART: article("看[另一篇](/articles/other/)。"), OTHER: expired})
    assert [(line, col) for _s, _f, line, col, _m, _h in found(root, "LINK001")] == [(7, 8)]


def test_missing_anchor_on_another_article(site):
    root = site({ART: article("看[步骤](/articles/other/#步骤)。"), OTHER: OTHER_TEXT})
    assert found(root, "LINK002") == [
        ("warning", ART, 7, 7, "#步骤 is not an anchor on /articles/other/ (content/articles/2026-11-19-other.md)",
         "headings get ids from their text: #做法")]


def test_missing_anchor_on_the_same_page_and_encoded_anchor_that_exists(site):
    body = "## 材料\n\n跳到[材料](#%E6%9D%90%E6%96%99)或[步骤](#steps)。"
    root = site({ART: article(body)})
    assert found(root, "LINK002") == [
        ("warning", ART, 9, 34, "#steps is not an anchor on this page", "headings get ids from their text: #材料")]


def test_link_written_in_chinese_is_located_and_shown_as_written(site):
    root = site({ART: article("见[做法](/articles/做法/)。")})
    assert [(line, col, msg) for _s, _f, line, col, msg, _h in found(root, "LINK001")] == [
        (7, 7, "the link /articles/做法/ points at no page or file of this site")]


def test_pages_are_checked_too(site):
    contact = "---\ntitle: 联系我们\n---\n\n电话见[门店](/stores/)。\n"
    root = site({"content/pages/contact.md": contact})
    assert [(f, line, col) for _s, f, line, col, _m, _h in found(root, "LINK001")] == [
        ("content/pages/contact.md", 5, 9)]
