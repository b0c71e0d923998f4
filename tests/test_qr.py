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


def test_the_numpy_mask_choice_draws_the_code_segno_draws():
    """render/qrmask.py takes segno's place in choosing a code's data mask: for payloads of every
    length up to version 22, each error level, the mask and every module equal segno's own."""
    import random

    import segno
    import segno.encoder as encoder

    from site_gen.render import qrmask

    qrmask.install()
    own = qrmask._installed["segno"]
    rnd = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/:?&=%-_.ABC中文"
    payloads = [tracked(f"/articles/a-{i}/", "wechat", f"c{i}") for i in range(20)]
    payloads += ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 500))) for _ in range(60)]
    cases = [(p, e, False) for p in payloads for e in ("lmqh" if len(p) < 200 else "m")]
    cases += [("x", None, True), ("12345", None, True), ("micro", "l", True)]  # Micro QR: segno's own choice
    for payload, error, micro in cases:
        code = segno.make(payload, error=error, micro=micro)
        try:
            encoder.find_and_apply_best_mask = own
            theirs = segno.make(payload, error=error, micro=micro)
        finally:
            encoder.find_and_apply_best_mask = qrmask.find_and_apply_best_mask
        assert (code.designator, code.mask, code.matrix) == (theirs.designator, theirs.mask, theirs.matrix), payload
    assert len(cases) > 200 and len({segno.make(p, error="m").version for p, _, _ in cases[:-3]}) > 10


def test_the_numpy_svg_writer_writes_segnos_bytes():
    """render/qrmask.py writes a code's SVG from its runs of dark modules: byte for byte what segno's
    writer gives, for payloads of every length up to version 22 and each error level, on codes
    whose rows start or end with any run."""
    import random

    import segno

    from site_gen.render import qrmask

    qrmask.install()
    rnd = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789/:?&=%-_.ABC中文"
    payloads = [tracked(f"/articles/a-{i}/", "wechat", f"c{i}") for i in range(20)]
    payloads += ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 500))) for _ in range(60)]
    codes = [segno.make(p, error=e, micro=False) for p in payloads for e in ("lmqh" if len(p) < 200 else "m")]
    for code in codes:
        assert qrmask._svg(code) == qrmask.segno_svg(code), code.designator
    assert len({code.version for code in codes}) > 10
    sample = qrmask.segno_svg(codes[0]).decode()
    assert sample.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="') and '<path fill="#fff"' in sample


def test_a_segno_that_writes_other_svg_writes_every_code_itself(monkeypatch):
    """The first code a process writes is compared with segno's own writing; when they differ (a
    later segno), segno writes that code and every one after it."""
    import segno

    from site_gen.render import qrmask

    monkeypatch.setattr(qrmask, "_svg_checked", {})
    monkeypatch.setattr(qrmask, "_svg", lambda code: b"<svg/>")
    codes = [segno.make(f"https://example.com/{i}", error="m", micro=False) for i in range(3)]
    assert [qrmask.svg(code) for code in codes] == [qrmask.segno_svg(code) for code in codes]
    assert qrmask._svg_checked == {"same": False}
    monkeypatch.undo()
    monkeypatch.setattr(qrmask, "_svg_checked", {})
    calls = []
    real = qrmask.segno_svg
    monkeypatch.setattr(qrmask, "segno_svg", lambda code: calls.append(code) or real(code))
    assert [qrmask.svg(code) for code in codes] == [real(code) for code in codes]
    assert calls == codes[:1] and qrmask._svg_checked == {"same": True}  # checked once, then numpy's


def test_the_numpy_mask_score_is_segnos_on_any_matrix():
    """mask_score sums the same N1 … N4 penalties as segno's evaluate_mask, on random matrices with
    long runs, 2x2 blocks, finder-like patterns at the edges and module values above 1."""
    import random

    import numpy as np
    import segno.encoder as encoder

    from site_gen.render.qrmask import mask_score, mask_scores

    rnd = random.Random(11)
    stacks: dict[int, list] = {}  # size -> [(matrix, segno's score)]
    for _ in range(400):
        size = rnd.choice([21, 25, 33, 45, 77])
        dark = rnd.random()
        values = (0, 1) if rnd.random() < 0.7 else (0, 1, 2, 3)
        rows = [bytearray(rnd.choice(values) if rnd.random() < dark else 0 for _ in range(size)) for _ in range(size)]
        for row in rows[:rnd.randrange(size)]:
            if rnd.random() < 0.4:  # 1011101 over and over, from any phase
                row[:] = bytearray(([1, 0, 1, 1, 1, 0, 1] * 12)[rnd.randrange(7):][:size])
        want = encoder.evaluate_mask(rows, size, size)
        matrix = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(size, size)
        assert mask_score(matrix) == want
        stacks.setdefault(size, []).append((matrix, want))
    # scored together, as the eight masked codes are: no run or pattern reaches across arrays
    # (all-light and all-dark arrays between the random ones would make runs if one did)
    for size, scored in stacks.items():
        light, full = np.zeros((size, size), dtype=np.uint8), np.ones((size, size), dtype=np.uint8)
        scored = [(light, encoder.evaluate_mask([bytearray(r) for r in light.tolist()], size, size)),
                  (full, encoder.evaluate_mask([bytearray(r) for r in full.tolist()], size, size))] + scored
        mixed = scored[:1] + [x for pair in zip(scored[2:], [scored[1]] * len(scored)) for x in pair]
        assert mask_scores(np.stack([m for m, _ in mixed])) == [want for _, want in mixed]


def test_a_segno_without_what_the_numpy_mask_choice_needs_keeps_its_own(monkeypatch):
    """A later segno that renamed what render/qrmask.py uses keeps choosing masks itself (a build
    must not fail on an AttributeError in a QR code)."""
    import segno.encoder as encoder

    from site_gen.render import qrmask

    segnos = qrmask._installed.get("segno") or encoder.find_and_apply_best_mask  # (installed already?)
    monkeypatch.setattr(encoder, "find_and_apply_best_mask", segnos)
    monkeypatch.setattr(qrmask, "_installed", {})
    monkeypatch.delattr(encoder, "add_alignment_patterns")
    qrmask.install()
    assert encoder.find_and_apply_best_mask is segnos
    monkeypatch.undo()
    monkeypatch.setattr(encoder, "find_and_apply_best_mask", segnos)
    monkeypatch.setattr(qrmask, "_installed", {})
    qrmask.install()  # with everything there, it takes segno's place
    assert encoder.find_and_apply_best_mask is qrmask.find_and_apply_best_mask


def test_equal_mask_scores_keep_the_first_mask_as_segno_does(monkeypatch):
    """Between masks of equal score segno keeps the first; so does the numpy choice (a tie is rare
    in real codes, so it is forced here: every mask scores the same, then all but mask 5 do)."""
    import segno
    import segno.encoder as encoder

    from site_gen.render import qrmask

    qrmask.install()
    own = qrmask._installed["segno"]
    for scores in ({}, {5: 7}):  # mask -> score (others: 40)
        def numpy_scores(stack, scores=scores):  # the eight masked codes, scored together
            assert len(stack) == 8
            return [scores.get(number, 40) for number in range(len(stack))]

        def segno_score(matrix, width, height, scores=scores):
            segno_score.calls += 1
            return scores.get(segno_score.calls - 1, 40)

        segno_score.calls = 0
        monkeypatch.setattr(qrmask, "mask_scores", numpy_scores)
        monkeypatch.setattr(encoder, "evaluate_mask", segno_score)
        code = segno.make(tracked("/articles/a/", "wechat", "a"), error="m", micro=False)
        try:
            encoder.find_and_apply_best_mask = own
            segno_score.calls = 0
            theirs = segno.make(tracked("/articles/a/", "wechat", "a"), error="m", micro=False)
        finally:
            encoder.find_and_apply_best_mask = qrmask.find_and_apply_best_mask
        assert code.mask == theirs.mask == (5 if scores else 0)
        assert code.matrix == theirs.matrix
