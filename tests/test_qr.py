"""Tracked QR codes (SPEC §7.2), decoded with a real decoder: rsvg-convert (librsvg2-bin) renders
each SVG to PNG and zbarimg (zbar-tools) reads it back; the URL must match, UTM parameters included."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import NOW, REPO, run_cli
from site_gen import build

BASE = "https://hub.example.com"


def decode(svg: Path, tmp: Path) -> str:
    for tool, package in (("rsvg-convert", "librsvg2-bin"), ("zbarimg", "zbar-tools")):
        assert shutil.which(tool), f"{tool} is missing: apt-get install {package} (.ci/run does)"
    png = tmp / (svg.parent.name + "-" + svg.stem + ".png")
    subprocess.run(["rsvg-convert", str(svg), "-o", str(png)], check=True, capture_output=True)
    p = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True)
    assert p.returncode == 0, f"zbarimg found no code in {svg}: {p.stderr}"
    return p.stdout.rstrip("\n")


def tracked(path: str, channel: str, campaign: str) -> str:
    return f"{BASE}{path}?utm_source={channel}&utm_medium=qr&utm_campaign={campaign}"


@pytest.fixture
def hub(example_hub) -> Path:
    return example_hub


def expected_codes() -> dict[str, str]:
    """qr/<id>/<channel>.svg -> URL, from the example hub's campaigns and published articles."""
    result = build.run(str(REPO), now="2026-11-23", render=False)
    assert result.site is not None
    want = {}
    for c in result.site.campaigns.values():
        for ch in c.channels:
            want[f"qr/{c.id}/{ch}.svg"] = tracked(f"/campaigns/{c.id}/", ch, c.id)
    for e in result.schedule.published:
        for ch in e.channels:
            want[f"qr/{e.slug}/{ch}.svg"] = tracked(f"/articles/{e.slug}/", ch, e.campaign or e.slug)
    return want


def test_every_qr_code_of_the_example_hub_decodes_to_its_tracked_url(hub, tmp_path):
    want = expected_codes()
    got = {p.relative_to(hub).as_posix() for p in (hub / "qr").rglob("*.svg")}
    assert got == set(want)
    assert len(got) >= 7
    for rel, url in sorted(want.items()):
        assert decode(hub / rel, tmp_path) == url, rel
    # spelled out once, so that the expectation does not only mirror the code
    assert decode(hub / "qr/weekend-baking/store-counter.svg", tmp_path) == (
        "https://hub.example.com/campaigns/weekend-baking/?utm_source=store-counter&utm_medium=qr"
        "&utm_campaign=weekend-baking")
    assert decode(hub / "qr/first-class-notes/store-counter.svg", tmp_path) == (
        "https://hub.example.com/articles/first-class-notes/?utm_source=store-counter&utm_medium=qr"
        "&utm_campaign=weekend-baking")


def test_qr_svgs_have_a_white_background_and_scale(hub):
    svg = (hub / "qr/weekend-baking/parcel.svg").read_text(encoding="utf-8")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="')
    assert 'viewBox="0 0 ' in svg.split(">", 1)[0]
    assert '<path fill="#fff"' in svg  # dark modules on white, readable on a dark page or poster


def test_each_campaign_sheet_labels_every_code_with_its_channel_name_and_url(hub):
    result = build.run(str(REPO), now="2026-11-23", render=False)
    channels = result.site.config.channels
    campaigns = [c for c in result.site.campaigns.values() if c.channels]
    assert campaigns
    for c in campaigns:
        page = hub / "campaigns" / c.id / "qr" / "index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        figures = soup.select("figure")
        assert len(figures) == len(c.channels), c.id
        for fig, ch in zip(figures, c.channels):
            img = fig.find("img")
            assert img["src"] == f"/qr/{c.id}/{ch}.svg"
            assert (hub / img["src"].lstrip("/")).is_file()
            caption = fig.find("figcaption")
            assert caption.find("strong").get_text() == channels[ch].name
            assert tracked(f"/campaigns/{c.id}/", ch, c.id) in caption.get_text()
        campaign_page = BeautifulSoup((hub / "campaigns" / c.id / "index.html").read_text(encoding="utf-8"),
                                      "html.parser")
        assert campaign_page.find("a", href=f"/campaigns/{c.id}/qr/"), c.id
    sheet = BeautifulSoup((hub / "campaigns/weekend-baking/qr/index.html").read_text(encoding="utf-8"),
                          "html.parser")
    assert [s.get_text() for s in sheet.select("figcaption strong")] == ["门店柜台", "快递包裹", "电商客服"]


CAMPAIGN = """\
title: {title}
starts: 2026-11-01
ends: 2026-12-31
cta:
  live: {{text: 立即报名, url: /contact/, kind: signup}}
channels: [store-counter]
"""


def test_an_article_outside_any_campaign_is_tracked_by_its_slug(site, tmp_path):
    root = site({"content/articles/2026-11-20-hello.md": """\
---
title: 你好
date: 2026-11-20
channels: [store-counter]
---

第一段文字。

::: cta signup
[立即报名](/contact/)
:::
"""})
    r = run_cli("build", "-C", str(root), "--now", NOW)
    assert r.code == 0, r.text
    svg = root / "public/qr/hello/store-counter.svg"
    assert decode(svg, tmp_path) == tracked("/articles/hello/", "store-counter", "hello")


def test_qr_codes_follow_a_base_url_with_a_path(site, tmp_path):
    root = site({"content/campaigns/open.yaml": CAMPAIGN.format(title="开业")})
    r = run_cli("build", "-C", str(root), "--now", NOW, "--base-url", "https://example.com/hub/")
    assert r.code == 0, r.text
    assert decode(root / "public/qr/open/store-counter.svg", tmp_path) == (
        "https://example.com/hub/campaigns/open/?utm_source=store-counter&utm_medium=qr&utm_campaign=open")
    sheet = BeautifulSoup((root / "public/campaigns/open/qr/index.html").read_text(encoding="utf-8"), "html.parser")
    assert sheet.find("img")["src"] == "/hub/qr/open/store-counter.svg"


def test_an_article_slug_equal_to_a_campaign_id_is_URL001_not_a_silent_overwrite(site):
    root = site({
        "content/campaigns/hello.yaml": CAMPAIGN.format(title="你好活动"),
        "content/articles/2026-11-20-hello.md": """\
---
title: 你好
date: 2026-11-20
channels: [store-counter]
---

第一段文字。

::: cta signup
[立即报名](/contact/)
:::
"""})
    r = run_cli("build", "-C", str(root), "--now", NOW)
    assert r.code == 1
    assert ("content/articles/2026-11-20-hello.md:4:11: error URL001: content/articles/2026-11-20-hello.md and "
            "content/campaigns/hello.yaml both produce /qr/hello/store-counter.svg\n"
            "  hint: give the article another slug (`slug:` in its front matter)\n") in r.out
    assert not (root / "public").exists()
