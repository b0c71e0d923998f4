"""`site-gen init DIR` makes a hub that builds clean with --strict; `site-gen new` adds files that
pass `site-gen check --strict`, named by the pinyin slug and today's date, never overwriting."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, run_cli, tree_bytes

HUB_FILES = [
    ".github/workflows/publish.yml", ".gitignore", "content/articles/{day}-grand-opening-preview.md",
    "content/articles/{day}-hello.md", "content/campaigns/grand-opening.yaml", "content/pages/contact.md",
    "content/personas/xiaoyu.yaml", "site.yaml",
]


def today() -> str:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def sources(root: Path) -> dict[str, bytes]:
    """The site's files (not the build cache)."""
    return {k: v for k, v in tree_bytes(root).items() if not k.startswith(".site-gen-cache")}


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.fixture
def hub(tmp_path) -> Path:
    root = tmp_path / "hub"
    r = run_cli("init", str(root))
    assert r.code == 0, r.text
    return root


# ------------------------------------------------------------------------------------ init


def test_init_makes_a_hub_that_builds_clean_with_strict(hub):
    day = today()
    files = sorted(p.relative_to(hub).as_posix() for p in hub.rglob("*") if p.is_file())
    assert files == sorted(f.format(day=day) for f in HUB_FILES)
    r = run_cli("build", "-C", str(hub), "--strict")
    assert r.code == 0, r.text
    assert r.out.startswith("built ") and r.out.endswith(": 0 errors, 0 warnings\n")
    out = hub / "public"
    assert (out / "wechat/menu.json").is_file()
    assert (out / "qr/grand-opening/store-counter.svg").is_file()
    assert (out / "campaigns/grand-opening/qr/index.html").is_file()
    for slug in ("hello", "grand-opening-preview"):
        page = BeautifulSoup((out / f"articles/{slug}/index.html").read_text(encoding="utf-8"), "html.parser")
        assert page.find(attrs={"data-cta": True}) is not None, slug
        assert page.find("html")["lang"] == "zh-CN"


@pytest.mark.parametrize("days", [1, 10, 60, 400])
def test_the_new_hub_stays_clean_through_its_campaign(hub, days):
    """Pre-heat, live, recap and long after: the campaign article inherits the current action."""
    when = (dt.date.fromisoformat(today()) + dt.timedelta(days=days)).isoformat()
    r = run_cli("check", "-C", str(hub), "--strict", "--now", when)
    assert r.code == 0, r.text
    assert r.out == "checked: 0 errors, 0 warnings\n"


def test_init_writes_a_publish_workflow_and_gitignore(hub):
    workflow = yaml.safe_load((hub / ".github/workflows/publish.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["publish"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any(r.startswith("python -m pip install \"site-gen==") for r in runs)
    assert "site-gen build --strict --format github" in runs
    sync = next(s for s in steps if "aws s3 sync" in s.get("run", ""))
    assert 'aws s3 sync public/ "s3://$BUCKET/"' in sync["run"] and "--delete" in sync["run"]
    assert sync["env"]["AWS_ACCESS_KEY_ID"] == "${{ secrets.AWS_ACCESS_KEY_ID }}"
    assert sync["env"]["AWS_SECRET_ACCESS_KEY"] == "${{ secrets.AWS_SECRET_ACCESS_KEY }}"
    assert workflow[True]["push"] == {"branches": ["main"]}  # YAML 1.1 reads the key `on` as true
    assert (hub / ".gitignore").read_text(encoding="utf-8") == "/public/\n/.site-gen-cache/\n"


def test_init_prints_what_it_wrote(tmp_path):
    root = tmp_path / "new-hub"
    r = run_cli("init", str(root))
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0] == f"created a new hub in {root}:"
    assert [line.strip() for line in lines[1:-1]] == sorted(f.format(day=today()) for f in HUB_FILES)


def test_init_refuses_a_folder_with_a_site(hub):
    before = sources(hub)
    r = run_cli("init", str(hub))
    assert r.code == 2
    assert r.err == (f"site-gen: error: {hub} already has a site.yaml: refusing to overwrite a site (choose a new "
                     "folder, or add content with `site-gen new`)\n")
    assert sources(hub) == before


def test_init_keeps_an_existing_gitignore_and_refuses_to_overwrite_content(tmp_path):
    root = tmp_path / "repo"
    (root / "content/pages").mkdir(parents=True)
    (root / ".gitignore").write_text("node_modules/", encoding="utf-8")
    r = run_cli("init", str(root / "other"))
    assert r.code == 0
    (root / "content/pages/contact.md").write_text("mine\n", encoding="utf-8")
    before = sources(root)
    r = run_cli("init", str(root))
    assert r.code == 2
    assert r.err == (f"site-gen: error: {root} already has content/pages/contact.md: refusing to overwrite "
                     "(choose a new folder)\n")
    assert sources(root) == before
    (root / "content/pages/contact.md").unlink()
    r = run_cli("init", str(root))
    assert r.code == 0, r.text
    assert (root / ".gitignore").read_text(encoding="utf-8") == "node_modules/\n/public/\n/.site-gen-cache/\n"


# ------------------------------------------------------------------------------------- new


def test_new_article_has_a_pinyin_name_and_checks_clean(hub):
    r = run_cli("new", "article", "新品上市", "-C", str(hub))
    assert r.code == 0, r.text
    rel = f"content/articles/{today()}-xin-pin-shang-shi.md"
    assert r.out == str(hub / rel) + "\n"
    fm = front_matter(hub / rel)
    assert fm["title"] == "新品上市" and fm["persona"] == "xiaoyu" and str(fm["date"]) == today()
    assert (hub / rel).read_text(encoding="utf-8").endswith("::: cta link\n[查看更多文章](/)\n:::\n")
    r = run_cli("check", "-C", str(hub), "--strict")
    assert r.code == 0, r.text
    assert r.out == "checked: 0 errors, 0 warnings\n"


def test_new_article_in_a_campaign_takes_the_campaigns_action(hub):
    r = run_cli("new", "article", "开业福利清单", "-C", str(hub), "--campaign", "grand-opening", "--persona", "xiaoyu")
    assert r.code == 0, r.text
    path = hub / f"content/articles/{today()}-kai-ye-fu-li-qing-dan.md"
    assert r.out == f"{path}\n"
    fm = front_matter(path)
    assert (fm["campaign"], fm["persona"]) == ("grand-opening", "xiaoyu")
    assert "（现在是「预约开业提醒」）" in path.read_text(encoding="utf-8")
    r = run_cli("build", "-C", str(hub), "--strict")
    assert r.code == 0, r.text
    page = BeautifulSoup((hub / "public/articles/kai-ye-fu-li-qing-dan/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    cta = page.find(attrs={"data-cta": True})
    assert (cta["data-cta"], cta.get_text().strip(), cta["href"]) == ("book", "预约开业提醒",
                                                                      "/campaigns/grand-opening/")


def test_new_article_in_the_example_hub_checks_clean(tmp_path):
    root = tmp_path / "bakery"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "static", root / "static")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    r = run_cli("new", "article", "圣诞树根蛋糕", "-C", str(root), "--campaign", "weekend-baking")
    assert r.code == 0, r.text
    assert r.out == str(root / f"content/articles/{today()}-sheng-dan-shu-gen-dan-gao.md") + "\n"
    r = run_cli("check", "-C", str(root), "--strict", "--now", today())
    assert r.code == 0, r.text


@pytest.mark.parametrize("flag, value, message", [
    ("--persona", "xiaoy", "unknown persona `xiaoy`: did you mean `xiaoyu`?"),
    ("--campaign", "grand-opning", "unknown campaign `grand-opning`: did you mean `grand-opening`?"),
    ("--campaign", "zzz", "unknown campaign `zzz`: known campaigns: grand-opening"),
])
def test_new_refuses_unknown_persona_or_campaign(hub, flag, value, message):
    before = sources(hub)
    r = run_cli("new", "article", "新品", "-C", str(hub), flag, value)
    assert r.code == 2
    assert r.err == f"site-gen: error: {message}\n"
    assert sources(hub) == before


def test_new_page_campaign_and_persona_check_clean(hub):
    for kind, name, rel in (("page", "门店查询", "content/pages/men-dian-cha-xun.md"),
                            ("campaign", "夏日冰品", "content/campaigns/xia-ri-bing-pin.yaml"),
                            ("persona", "阿糖", "content/personas/a-tang.yaml")):
        r = run_cli("new", kind, name, "-C", str(hub))
        assert r.code == 0, r.text
        assert r.out == f"{hub / rel}\n"
    campaign = yaml.safe_load((hub / "content/campaigns/xia-ri-bing-pin.yaml").read_text(encoding="utf-8"))
    assert campaign["title"] == "夏日冰品" and set(campaign["cta"]) == {"preheat", "live", "recap"}
    persona = yaml.safe_load((hub / "content/personas/a-tang.yaml").read_text(encoding="utf-8"))
    assert (persona["name"], persona["signature"]) == ("阿糖", "—— 阿糖")
    assert front_matter(hub / "content/pages/men-dian-cha-xun.md")["title"] == "门店查询"
    r = run_cli("check", "-C", str(hub), "--strict")
    assert r.code == 0, r.text


def test_new_refuses_to_overwrite(hub):
    r = run_cli("new", "page", "门店查询", "-C", str(hub))
    assert r.code == 0
    path = hub / "content/pages/men-dian-cha-xun.md"
    path.write_text("---\ntitle: 我的门店\n---\n\n我写的。\n", encoding="utf-8")
    r = run_cli("new", "page", "门店查询", "-C", str(hub))
    assert r.code == 2
    assert r.err == f"site-gen: error: {path} already exists: refusing to overwrite it (choose another name)\n"
    assert path.read_text(encoding="utf-8") == "---\ntitle: 我的门店\n---\n\n我写的。\n"
    r = run_cli("new", "article", "你好", "-C", str(hub))  # the slug `hello`? no: ni-hao; `hello` exists
    assert r.code == 0
    r = run_cli("new", "article", "Hello", "-C", str(hub))
    assert r.code == 2
    assert r.err == (f"site-gen: error: the article content/articles/{today()}-hello.md already has the slug "
                     "`hello`: choose another name\n")


def test_a_title_that_yaml_would_misread_is_quoted(hub):
    r = run_cli("new", "article", "周末: 试吃 #1", "-C", str(hub))
    assert r.code == 0, r.text
    path = Path(r.out.strip())
    assert path.name == f"{today()}-zhou-mo-shi-chi-1.md"
    assert front_matter(path)["title"] == "周末: 试吃 #1"
    r = run_cli("new", "article", "NO", "-C", str(hub))
    assert front_matter(Path(r.out.strip()))["title"] == "NO"
    r = run_cli("check", "-C", str(hub), "--strict")
    assert r.code == 0, r.text


def test_new_needs_a_site(tmp_path):
    r = run_cli("new", "article", "你好", "-C", str(tmp_path))
    assert r.code == 2
    assert "no site.yaml in" in r.err
