"""MENU003 (cut-off names), MENU004 (missing targets), MENU005 (no service entry), MENU006 (articles
the menus cannot reach), through the real CLI."""

from __future__ import annotations

from checkrun import found
from conftest import MINIMAL_SITE_YAML, NOW, run_cli

from site_gen.checks.menus import display_width

HEAD = "title: 测试站\nbase_url: https://hub.example.com/\ndefault_persona: xiaobei\n"
SERVICE = "  - name: 服务\n    service: true\n    items:\n      - {name: 联系我们, page: contact}\n"


def test_display_width_counts_latin_as_half():
    assert display_width("周末烘焙课") == 5
    assert display_width("VIP会员") == 3.5
    assert display_width("Contact us") == 5


def test_minimal_site_menus_are_clean(site):
    r = run_cli("check", "-C", str(site()), "--now", NOW, "--strict")
    assert r.code == 0, r.text
    assert "MENU" not in r.out


def test_names_cut_off_on_phones(site):
    menus = ("menus:\n  - name: 周末烘焙课\n    url: /\n  - name: VIP会员\n    items:\n"
             "      - {name: 联系我们的客服团队, page: contact}\n      - {name: Contact us now, page: contact}\n"
             "      - {name: VIP会员卡积分查询, page: contact}\n" + SERVICE)
    root = site({"site.yaml": HEAD + menus})
    assert found(root, "MENU003") == [
        ("warning", "site.yaml", 5, 11, "the menu name `周末烘焙课` is 5 characters wide; phones show about 4 in "
         "a top-level menu", "shorten it to 4 Chinese characters or fewer (a Latin letter or digit counts as half)"),
        ("warning", "site.yaml", 9, 16, "the menu name `联系我们的客服团队` is 9 characters wide; phones show about 8 "
         "in a menu item", "shorten it to 8 Chinese characters or fewer (a Latin letter or digit counts as half)"),
        ("warning", "site.yaml", 11, 16, "the menu name `VIP会员卡积分查询` is 8.5 characters wide; phones show "
         "about 8 in a menu item",
         "shorten it to 8 Chinese characters or fewer (a Latin letter or digit counts as half)"),
    ]


def test_targets_that_do_not_exist(site):
    menus = ("menus:\n  - name: 最新\n    url: /nowhere/\n  - name: 活动\n    items:\n"
             "      - {name: 联系, page: contcat}\n      - {name: 文章, article: nope}\n"
             "      - {name: 活动, campaign: winter}\n      - {name: 外链, url: 'https://shop.example.com/'}\n"
             "      - {name: 相对, url: stores/}\n" + SERVICE)
    root = site({"site.yaml": HEAD + menus})
    assert found(root, "MENU004") == [
        ("error", "site.yaml", 6, 10, "the menu entry `最新` opens /nowhere/, which is not a page or file of this site",
         "point it at a published page, e.g. /campaigns/ or /<page-id>/, or use `page:`/`article:`"),
        ("error", "site.yaml", 9, 26, "the menu entry `联系` opens the page `contcat`, which does not exist",
         "did you mean `contact`?"),
        ("error", "site.yaml", 10, 29, "the menu entry `文章` opens the article `nope`, which does not exist",
         "known articles: hello"),
        ("error", "site.yaml", 11, 30, "the menu entry `活动` opens the campaign `winter`, which does not exist",
         "add content/campaigns/<id>.yaml"),
        ("error", "site.yaml", 13, 25,
         "the menu entry `相对` opens `stores/`, which is neither a site path nor an absolute URL",
         "start site paths with /, e.g. url: /stores/"),
    ]
    assert run_cli("check", "-C", str(root), "--now", NOW).code == 1


def test_draft_page_is_not_a_target(site):
    root = site({"content/pages/contact.md": "---\ntitle: 联系我们\ndraft: true\n---\n\n电话。\n"})
    r = run_cli("check", "-C", str(root), "--now", NOW, "--format", "json")
    # `check` shows drafts (like serve), so the page exists; a build would not publish it
    assert "MENU004" not in r.out


def test_no_service_entry(site):
    root = site({"site.yaml": HEAD + "menus:\n  - name: 最新\n    url: /\n"})
    assert found(root, "MENU005") == [
        ("warning", "site.yaml", 5, 3, "the menus offer no service entry",
         "mark the entry that helps readers (store finder, orders, contact) with `service: true`")]


def test_segment_menus_are_checked_like_the_main_menus(site):
    segs = ("segments:\n  hefei:\n    name: 合肥\n    menus:\n      - name: 合肥最新活动\n        segment: hefey\n")
    root = site({"site.yaml": MINIMAL_SITE_YAML.replace("segments:\n  hefei: {name: 合肥, wechat_tag_id: 101}\n", segs)})
    assert [(code, line, col, msg) for code in ("MENU003", "MENU004", "MENU005")
            for _s, _f, line, col, msg, _h in found(root, code)] == [
        ("MENU003", 17, 15, "the menu name `合肥最新活动` is 6 characters wide; phones show about 4 in a top-level menu"),
        ("MENU004", 18, 18, "the menu entry `合肥最新活动` opens the segment `hefey`, which does not exist"),
        ("MENU005", 14, 3, "the menus of segment `hefei` offer no service entry"),
    ]


def _articles(n: int) -> dict[str, str]:
    return {f"content/articles/2026-10-{d:02d}-a{d}.md":
            f"---\ntitle: 第{d}篇\ndate: 2026-10-{d:02d}\n---\n\n短文。\n\n::: cta book\n[预约到店](/contact/)\n:::\n"
            for d in range(1, n + 1)}


OLD = "content/articles/2026-01-01-old.md"
LAOWANG = {"content/personas/laowang.yaml": "name: 老王\n"}


def old(extra: str = "") -> str:
    return f"---\ntitle: 旧文\ndate: 2026-01-01\npersona: laowang\n{extra}---\n\n旧文。\n\n::: cta book\n[预约到店](/contact/)\n:::\n"


def test_article_beyond_the_home_page_with_nothing_leading_to_it(site):
    root = site({**_articles(20), **LAOWANG, OLD: old()})
    assert found(root, "MENU006") == [
        ("warning", OLD, 1, 1, "no path of links from the menus leads to this article (/articles/old/)",
         "give it a tag or a campaign, link it from a page the menus open, or add it to a menu")]


def test_a_tag_a_link_or_a_menu_entry_makes_it_reachable(site):
    base = {**_articles(20), **LAOWANG}
    tagged = site({**base, OLD: old("tags: [烘焙]\n")})
    linked = site({**base, OLD: old(), "content/pages/contact.md": "---\ntitle: 联系\n---\n\n见[旧文](/articles/old/)。\n"})
    in_menu = site({**base, OLD: old(), "site.yaml": MINIMAL_SITE_YAML.replace(
        "      - {name: 联系我们, page: contact}\n", "      - {name: 联系我们, page: contact}\n"
        "      - {name: 旧文, article: old}\n")})
    for root in (tagged, linked, in_menu):
        assert found(root, "MENU006") == [], root


def test_the_default_persona_page_lists_its_articles(site):
    root = site({**_articles(20), OLD: old().replace("persona: laowang\n", "")})
    assert found(root, "MENU006") == []
