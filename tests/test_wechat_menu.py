"""WeChat menus (SPEC §7.1): the exported menu/create and menu/addconditional bodies obey every
WeChat limit; a menu over the limits is a diagnostic (MENU001/002/007), never a file."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from conftest import MINIMAL_SITE_YAML, NOW, REPO, run_cli

BASE = "https://hub.example.com"
MY_CODES = ("MENU001", "MENU002", "MENU007")


@pytest.fixture
def hub(example_hub) -> Path:
    return example_hub


def exported_menus(out: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "wechat").glob("menu*.json"))}


def view_buttons(body: dict) -> list[dict]:
    return [sub for b in body["button"] for sub in (b.get("sub_button") or [b])]


def diagnostics(r, codes=MY_CODES) -> list[tuple]:
    data = json.loads(r.out)
    return [(d["code"], d["file"], d["line"], d["column"], d["message"], d["hint"])
            for d in data["diagnostics"] if d["code"] in codes]


# ------------------------------------------------------------------------ the example hub


def test_every_exported_menu_obeys_wechat_limits(hub):
    menus = exported_menus(hub)
    assert set(menus) == {"menu.json", "menu-hefei.json", "menu-hebei.json", "menu-xinan.json"}
    for name, body in menus.items():
        assert 1 <= len(body["button"]) <= 3, name
        for b in body["button"]:
            assert len(b["name"].encode("utf-8")) <= 16, (name, b["name"])
            if "sub_button" in b:
                assert set(b) == {"name", "sub_button"}, name
                assert 1 <= len(b["sub_button"]) <= 5, (name, b["name"])
            else:
                assert b["type"] == "view"
        for v in view_buttons(body):
            assert set(v) == {"type", "name", "url"} and v["type"] == "view"
            assert len(v["name"].encode("utf-8")) <= 60, (name, v["name"])
            assert len(v["url"].encode("utf-8")) <= 1024, (name, v["url"])
        if name != "menu.json":
            assert len({urlsplit(v["url"]).hostname for v in view_buttons(body)}) <= 3, name


def test_menu_urls_are_absolute_tracked_and_open_built_pages(hub):
    body = exported_menus(hub)["menu.json"]
    urls = [v["url"] for v in view_buttons(body)]
    assert urls[:3] == [f"{BASE}/?utm_source=wechat-menu",
                        f"{BASE}/campaigns/weekend-baking/?utm_source=wechat-menu",
                        f"{BASE}/campaigns/winter-stollen/?utm_source=wechat-menu"]
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("https", "hub.example.com"), url
        assert parse_qs(parts.query) == {"utm_source": ["wechat-menu"]}, url
        assert (hub / parts.path.lstrip("/") / "index.html").is_file(), url
    assert body["button"][1] == {"name": "活动", "sub_button": [
        {"type": "view", "name": "周末烘焙课", "url": f"{BASE}/campaigns/weekend-baking/?utm_source=wechat-menu"},
        {"type": "view", "name": "史多伦预售", "url": f"{BASE}/campaigns/winter-stollen/?utm_source=wechat-menu"},
        {"type": "view", "name": "新品上市", "url": f"{BASE}/articles/winter-new-menu/?utm_source=wechat-menu"},
        {"type": "view", "name": "全部活动", "url": f"{BASE}/campaigns/?utm_source=wechat-menu"},
    ]}


def test_conditional_menus_match_the_segment_tag_as_a_string(hub):
    config = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    menus = exported_menus(hub)
    tagged = {sid: seg["wechat_tag_id"] for sid, seg in config["segments"].items() if "wechat_tag_id" in seg}
    assert tagged
    for sid, tag in tagged.items():
        body = menus[f"menu-{sid}.json"]
        assert body["matchrule"] == {"tag_id": str(tag)}
        assert isinstance(body["matchrule"]["tag_id"], str)
        assert body["button"] == menus["menu.json"]["button"]  # no own menus: the site's
    assert "matchrule" not in menus["menu.json"]


def test_menu_command_prints_the_export(hub):
    r = run_cli("menu", "-C", str(REPO))
    assert r.code == 0, r.text
    assert r.out == (hub / "wechat/menu.json").read_text(encoding="utf-8")
    r = run_cli("menu", "-C", str(REPO), "--segment", "hefei")
    assert r.code == 0, r.text
    assert r.out == (hub / "wechat/menu-hefei.json").read_text(encoding="utf-8")
    assert json.loads(r.out)["matchrule"] == {"tag_id": "101"}


def test_menu_command_refuses_unknown_segment_and_segment_without_tag(site):
    root = site({"site.yaml": MENU_SITE + "  xian: {name: 西安}\n"})
    r = run_cli("menu", "-C", str(root), "--segment", "hefi")
    assert r.code == 2
    assert r.err == "site-gen: error: --segment hefi: no such segment in site.yaml (known: hefei, xian)\n"
    r = run_cli("menu", "-C", str(root), "--segment", "xian")
    assert r.code == 2
    assert r.err == ("site-gen: error: the segment `xian` has no wechat_tag_id, so it has no conditional menu\n")


# ------------------------------------------------------------------------ small sites

MENU_SITE = MINIMAL_SITE_YAML.replace("channels:\n  store-counter: {name: 门店柜台}\n", "")
assert "channels" not in MENU_SITE


def build_json(root: Path):
    return run_cli("build", "-C", str(root), "--now", NOW, "--format", "json")


def assert_refused(root: Path, r) -> None:
    assert r.code == 1, r.text
    assert not (root / "public").exists()  # the whole build writes nothing, so no wechat/menu.json


def test_four_top_level_entries_are_MENU001_and_no_file(site):
    root = site({"site.yaml": MENU_SITE.replace("segments:", """\
  - name: 门店
    url: /contact/
  - name: 关于
    url: /
segments:""")})
    r = build_json(root)
    assert diagnostics(r) == [("MENU001", "site.yaml", 13, 5, "the menu has 4 top-level entries; WeChat accepts at most 3",
                               "remove `关于` or move it into another entry's `items`")]
    assert_refused(root, r)


def test_six_items_under_one_entry_are_MENU001(site):
    items = "".join(f"      - {{name: 门店{i}, url: /}}\n" for i in range(1, 6))
    root = site({"site.yaml": MENU_SITE.replace("segments:", items + "segments:")})
    r = build_json(root)
    assert diagnostics(r) == [("MENU001", "site.yaml", 15, 9,
                               "the menu entry `服务` has 6 items; WeChat accepts at most 5 under one entry",
                               "remove `门店5` or move it under another top-level entry")]
    assert_refused(root, r)


def test_names_are_measured_in_utf8_bytes_MENU002(site):
    long_item = "联系我们" * 5 + "吧"  # 21 characters = 63 bytes
    yaml_text = (MENU_SITE.replace("name: 最新", "name: 周末亲子烘焙课")  # 7 characters = 21 bytes
                 .replace("{name: 联系我们, page: contact}", f"{{name: {long_item}, page: contact}}"))
    root = site({"site.yaml": yaml_text})
    r = build_json(root)
    assert diagnostics(r) == [
        ("MENU002", "site.yaml", 5, 11,
         "the menu name `周末亲子烘焙课` is 21 bytes; WeChat accepts at most 16 bytes for a top-level entry",
         "shorten it: 16 bytes is 5 Chinese characters or 16 letters"),
        ("MENU002", "site.yaml", 10, 16,
         f"the menu name `{long_item}` is 63 bytes; WeChat accepts at most 60 bytes for a menu item",
         "shorten it: 60 bytes is 20 Chinese characters or 60 letters"),
    ]
    assert_refused(root, r)


def test_names_at_the_byte_limits_are_accepted(site):
    yaml_text = (MENU_SITE.replace("name: 最新", "name: 甜心烘焙馆")  # 5 characters = 15 bytes
                 .replace("name: 服务", "name: ABCDEFGHIJKLMNOP")  # 16 bytes
                 .replace("{name: 联系我们, page: contact}", "{name: " + "联" * 20 + ", page: contact}"))  # 60 bytes
    root = site({"site.yaml": yaml_text})
    r = build_json(root)
    assert diagnostics(r) == []
    assert r.code == 0, r.text  # MENU003 (cut off on phones) is only a warning
    body = json.loads((root / "public/wechat/menu.json").read_text(encoding="utf-8"))
    assert [b["name"] for b in body["button"]] == ["甜心烘焙馆", "ABCDEFGHIJKLMNOP"]


def test_a_url_over_1024_bytes_is_MENU002(site):
    long_url = "https://shop.example.com/item?ref=" + "a" * 980
    root = site({"site.yaml": MENU_SITE.replace("    url: /\n", f"    url: {long_url}\n", 1)})
    r = build_json(root)
    size = len(long_url) + len("&utm_source=wechat-menu")
    assert size == 1037
    assert diagnostics(r) == [("MENU002", "site.yaml", 6, 10,
                               f"the menu entry `最新` opens a URL of {size} bytes (with utm_source=wechat-menu); "
                               "WeChat accepts at most 1024 bytes",
                               "link a shorter address, for example a page of the site that links on to it")]
    assert_refused(root, r)


def test_existing_query_is_kept_and_utm_source_added(site):
    url = "https://shop.example.com/item?id=7&from=a%20b"
    root = site({"site.yaml": MENU_SITE.replace("    url: /\n", f"    url: \"{url}\"\n", 1)})
    r = build_json(root)
    assert r.code == 0, r.text
    body = json.loads((root / "public/wechat/menu.json").read_text(encoding="utf-8"))
    assert body["button"][0]["url"] == url + "&utm_source=wechat-menu"


FOUR_DOMAINS = """\
menus:
  - name: 最新
    url: /
  - name: 商城
    items:
      - {name: 天猫, url: "https://tmall.example.com/"}
      - {name: 京东, url: "https://jd.example.com/"}
      - {name: 有赞, url: "https://youzan.example.com/"}
  - name: 服务
    service: true
    items:
      - {name: 联系我们, page: contact}
"""


def test_a_conditional_menu_over_three_domains_is_MENU007(site):
    yaml_text = MENU_SITE.replace("  hefei: {name: 合肥, wechat_tag_id: 101}\n", """\
  hefei:
    name: 合肥
    wechat_tag_id: 101
""" + "".join("    " + line + "\n" for line in FOUR_DOMAINS.splitlines()))
    root = site({"site.yaml": yaml_text})
    r = build_json(root)
    assert diagnostics(r) == [("MENU007", "site.yaml", 22, 29,
                               "the conditional menu of segment `hefei` (tag 101) links to 4 domains "
                               "(hub.example.com, tmall.example.com, jd.example.com, youzan.example.com); "
                               "WeChat accepts at most 3 in a conditional menu",
                               "link the other domains' pages through a page of the site, or give the segment its "
                               "own `menus:`")]
    assert_refused(root, r)


def test_segments_sharing_the_site_menu_get_one_MENU007(site):
    head, _, _ = MENU_SITE.partition("menus:")
    yaml_text = head + FOUR_DOMAINS + "segments:\n  hefei: {name: 合肥, wechat_tag_id: 101}\n" \
        "  hebei: {name: 河北, wechat_tag_id: 102}\n"
    root = site({"site.yaml": yaml_text})
    r = build_json(root)
    assert diagnostics(r) == [("MENU007", "site.yaml", 11, 25,
                               "the conditional menus of segments `hebei`, `hefei` (tags 102, 101) link to 4 domains "
                               "(hub.example.com, tmall.example.com, jd.example.com, youzan.example.com); "
                               "WeChat accepts at most 3 in a conditional menu",
                               "link the other domains' pages through a page of the site, or give the segment its "
                               "own `menus:`")]
    assert_refused(root, r)


def test_four_domains_in_the_default_menu_alone_are_fine(site):
    head, _, _ = MENU_SITE.partition("menus:")
    root = site({"site.yaml": head + FOUR_DOMAINS})
    r = build_json(root)
    assert r.code == 0, r.text
    assert sorted(p.name for p in (root / "public/wechat").glob("*.json")) == ["menu.json"]


def test_a_segments_own_menu_is_checked_and_exported(site):
    yaml_text = MENU_SITE.replace("  hefei: {name: 合肥, wechat_tag_id: 101}\n", """\
  hefei:
    name: 合肥
    wechat_tag_id: 101
    menus:
      - {name: 合肥门店, page: contact}
      - {name: 最新, url: /}
      - {name: 活动, url: /}
      - {name: 更多, url: /}
  hebei:
    name: 河北
    wechat_tag_id: 102
    menus:
      - {name: 河北门店, page: contact}
""")
    root = site({"site.yaml": yaml_text})
    r = build_json(root)
    assert diagnostics(r) == [("MENU001", "site.yaml", 19, 9,
                               "the menu of segment `hefei` has 4 top-level entries; WeChat accepts at most 3",
                               "remove `更多` or move it into another entry's `items`")]
    assert_refused(root, r)
    root = site({"site.yaml": yaml_text.replace("      - {name: 更多, url: /}\n", "")})
    r = build_json(root)
    assert r.code == 0, r.text
    hebei = json.loads((root / "public/wechat/menu-hebei.json").read_text(encoding="utf-8"))
    assert hebei == {"button": [{"type": "view", "name": "河北门店",
                                 "url": f"{BASE}/contact/?utm_source=wechat-menu"}],
                     "matchrule": {"tag_id": "102"}}


def test_an_empty_segment_menu_and_a_tag_without_any_menu_are_MENU001(site):
    head, _, _ = MENU_SITE.partition("menus:")
    yaml_text = head + "segments:\n  hefei: {name: 合肥, wechat_tag_id: 101}\n" \
        "  hebei: {name: 河北, wechat_tag_id: 102, menus: []}\n"
    root = site({"site.yaml": yaml_text})
    r = build_json(root)
    assert diagnostics(r) == [
        ("MENU001", "site.yaml", 5, 3, "segment `hefei` has wechat_tag_id 101, but there is no menu to export for it",
         "add `menus:` to site.yaml, or give the segment its own `menus:`"),
        ("MENU001", "site.yaml", 6, 3, "segment `hebei` has an empty `menus:` list; WeChat needs 1 to 3 entries",
         "remove `menus:` to use the site's menus, or add 1 to 3 entries"),
    ]
    assert_refused(root, r)


def test_no_menus_and_no_tagged_segment_exports_nothing(site):
    head, _, _ = MENU_SITE.partition("menus:")
    root = site({"site.yaml": head})
    r = build_json(root)
    assert diagnostics(r) == []
    assert not (root / "public/wechat/menu.json").exists()
    r = run_cli("menu", "-C", str(root))
    assert r.code == 2
    assert r.err == "site-gen: error: there is no menu to export: add `menus:` to site.yaml\n"


def test_menu_command_reports_the_diagnostic_not_json(site):
    root = site({"site.yaml": MENU_SITE.replace("name: 最新", "name: 周末亲子烘焙课")})
    r = run_cli("menu", "-C", str(root))
    assert r.code == 1
    assert "{" not in r.out
    assert r.out.startswith("site.yaml:5:11: error MENU002: the menu name `周末亲子烘焙课` is 21 bytes; WeChat "
                            "accepts at most 16 bytes for a top-level entry\n"
                            "  hint: shorten it: 16 bytes is 5 Chinese characters or 16 letters\n")
    assert "menu not exported: 1 error" in r.out


def test_turning_the_rules_off_still_writes_no_menu_over_the_limits(site):
    root = site({"site.yaml": MENU_SITE.replace("name: 最新", "name: 周末亲子烘焙课") +
                 "checks:\n  severity: {MENU002: \"off\", MENU003: \"off\"}\n"})
    r = build_json(root)
    assert r.code == 0, r.text
    assert (root / "public/index.html").is_file()
    assert not (root / "public/wechat/menu.json").exists()
    assert not (root / "public/wechat/menu-hefei.json").exists()
    r = run_cli("menu", "-C", str(root))
    assert r.code == 1 and r.out == ""
    assert r.err == ("site-gen: the menu exceeds WeChat's limits and was not exported; turn MENU001, MENU002 and "
                     "MENU007 back on in checks.severity to see where\n")
