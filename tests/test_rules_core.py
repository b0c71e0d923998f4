"""META001–004, REF001, URL001–002, CTA001–005: one triggering and one clean case each,
through the real CLI, asserting code, severity, file, line and column."""

from __future__ import annotations

import json

import pytest

from conftest import NOW, run_cli

A = "content/articles/2026-11-20-hello.md"
P = "content/personas/xiaobei.yaml"
OK_CTA = "cta: {text: 立即报名, url: /contact/, kind: signup}\n"


def art(front: str, body: str = "正文。\n") -> str:
    return f"---\n{front}---\n\n{body}"


def diagnostics(root, *extra):
    r = run_cli("check", "-C", str(root), "--now", NOW, "--format", "json", *extra)
    data = json.loads(r.out)
    return r.code, [(d["severity"], d["code"], d["file"], d["line"], d["column"]) for d in data["diagnostics"]], data


CASES = {
    # code: (triggering files, expected (severity, code, file, line, col), clean files)
    "META001": (
        {A: art("title: [oops\ndate: 2026-11-20\n" + OK_CTA)},
        ("error", "META001", A, 3, 5),
        {A: art("title: '[oops]'\ndate: 2026-11-20\n" + OK_CTA)},
    ),
    "META002": (
        {A: art("title: NO\ndate: 2026-11-20\n" + OK_CTA)},
        ("error", "META002", A, 2, 8),
        {A: art('title: "NO"\ndate: 2026-11-20\n' + OK_CTA)},
    ),
    "META003": (
        {A: art("title: 你好\ndate: 2026-11-20\nsumary: 摘要\n" + OK_CTA)},
        ("warning", "META003", A, 4, 1),
        {A: art("title: 你好\ndate: 2026-11-20\nsummary: 摘要\n" + OK_CTA)},
    ),
    "META004": (
        {A: art("title: 你好\ndate: 2026-11-20\ntitle: 再见\n" + OK_CTA)},
        ("error", "META004", A, 4, 1),
        {A: art("title: 你好\ndate: 2026-11-20\n" + OK_CTA)},
    ),
    "REF001": (
        {A: art("title: 你好\ndate: 2026-11-20\npersona: xiaobai\n" + OK_CTA)},
        ("error", "REF001", A, 4, 10),
        {A: art("title: 你好\ndate: 2026-11-20\npersona: xiaobei\n" + OK_CTA)},
    ),
    "URL001": (
        {"content/articles/2026-11-21-Hello.md": art("title: 再见\ndate: 2026-11-21\n" + OK_CTA)},
        ("error", "URL001", "content/articles/2026-11-21-Hello.md", 1, 1),
        {"content/articles/2026-11-21-bye.md": art("title: 再见\ndate: 2026-11-21\n" + OK_CTA)},
    ),
    "URL002": (
        {A: art("title: 你好\ndate: 2026-11-20\nslug: ../etc\n" + OK_CTA)},
        ("error", "URL002", A, 4, 7),
        {A: art("title: 你好\ndate: 2026-11-20\nslug: etc\n" + OK_CTA)},
    ),
    "CTA001": (
        {A: art("title: 你好\ndate: 2026-11-20\n", "第一段。\n\n最后一段。\n\n")},
        ("error", "CTA001", A, 8, 1),
        {A: art("title: 你好\ndate: 2026-11-20\n", "第一段。\n\n::: cta signup\n[立即报名](/contact/)\n:::\n")},
    ),
    "CTA002": (
        {A: art("title: 你好\ndate: 2026-11-20\n", "正文。\n\n::: cta\n[欢迎关注](/contact/)\n:::\n")},
        ("warning", "CTA002", A, 9, 2),
        {A: art("title: 你好\ndate: 2026-11-20\n", "正文。\n\n::: cta\n[扫码关注](/contact/)\n:::\n")},
    ),
    "CTA003": (
        {A: art("title: 你好\ndate: 2026-11-20\ncta: {text: 立即报名, url: /nowhere/}\n")},
        ("error", "CTA003", A, 4, 24),
        {A: art("title: 你好\ndate: 2026-11-20\ncta: {text: 立即报名, url: /contact/}\n")},
    ),
    "CTA004": (
        {"content/campaigns/autumn.yaml": "title: 秋季\nstarts: 2026-09-01\nends: 2026-09-30\n"
                                          "cta:\n  recap: {text: 预约下一期, url: /contact/}\n",
         A: art("title: 你好\ndate: 2026-09-10\ncampaign: autumn\ncta: {text: 立即报名, url: /contact/, kind: signup}\n")},
        ("warning", "CTA004", A, 5, 1),
        {"content/campaigns/autumn.yaml": "title: 秋季\nstarts: 2026-09-01\nends: 2026-09-30\n"
                                          "cta:\n  recap: {text: 预约下一期, url: /contact/}\n",
         A: art("title: 你好\ndate: 2026-09-10\ncampaign: autumn\n")},
    ),
    "CTA005": (
        {A: art("title: 你好\ndate: 2026-11-20\n" + OK_CTA, "::: cta\n[立即报名](/contact/)\n:::\n\n后面还有正文。\n")},
        ("warning", "CTA005", A, 7, 1),
        {A: art("title: 你好\ndate: 2026-11-20\n" + OK_CTA, "后面还有正文。\n\n::: cta\n[立即报名](/contact/)\n:::\n")},
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_and_clean_case_passes(site, code):
    bad, expected, good = CASES[code]
    exit_code, found, _ = diagnostics(site(bad))
    assert expected in found, found
    assert exit_code == (1 if expected[0] == "error" else 0)
    exit_code, found, _ = diagnostics(site(good))
    assert [d for d in found if d[1] == code] == []
    assert exit_code == 0, found


def test_messages_are_verbatim(site):
    root = site({A: art("title: NO\ndate: 2026-11-20\n" + OK_CTA)})
    r = run_cli("check", "-C", str(root), "--now", NOW)
    assert r.out == (
        f"{A}:2:8: error META002: `title` in the front matter must be text, "
        "but YAML reads `NO` as a yes/no value (false)\n"
        '  hint: quote it: "NO"\n'
        "checked: 1 error, 0 warnings (META002 ×1)\n"
    )
    assert r.code == 1


def test_duplicate_key_hint_names_the_first_line(site):
    root = site({A: art("title: 你好\ndate: 2026-11-20\ntitle: 再见\n" + OK_CTA)})
    _, _, data = diagnostics(root)
    d = data["diagnostics"][0]
    assert d["message"] == "the key `title` appears twice"
    assert d["hint"] == "the first `title` is on line 2; keep one of them"


def test_retyped_values_are_reported_with_a_quote_hint(site):
    root = site({A: art("title: 你好\ndate: 2026-11-20\nsummary: 01234\nslug: 'yes'\n" + OK_CTA)})
    _, found, data = diagnostics(root)
    assert ("error", "META002", A, 4, 10) in found
    assert data["diagnostics"][0]["hint"] == 'quote it: "01234"'


def test_unknown_persona_suggests_the_closest(site):
    root = site({A: art("title: 你好\ndate: 2026-11-20\npersona: xiaobai\n" + OK_CTA)})
    _, _, data = diagnostics(root)
    assert data["diagnostics"][0]["message"] == "unknown persona `xiaobai`"
    assert data["diagnostics"][0]["hint"] == "did you mean `xiaobei`?"


def test_a_broken_persona_file_does_not_cascade(site):
    root = site({P: "name: &n 小贝\nbio: *n\n"})
    _, found, _ = diagnostics(root)
    assert found == [("error", "META001", P, 1, 7)]


def test_python_tags_never_run(site, tmp_path):
    marker = tmp_path / "pwned"
    root = site({P: f"name: !!python/object/apply:os.system ['touch {marker}']\n"})
    _, found, data = diagnostics(root)
    assert found == [("error", "META001", P, 1, 7)]
    assert data["diagnostics"][0]["message"] == "the YAML tag !!python/object/apply:os.system is not allowed"
    assert not marker.exists()


def test_severity_override_and_per_article_ignore(site):
    files = {A: art("title: 你好\ndate: 2026-11-20\n", "正文。\n\n::: cta\n[欢迎关注](/contact/)\n:::\n")}
    root = site(files)
    (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8")
                                    + "checks:\n  severity: {CTA002: error}\n", encoding="utf-8")
    code, found, _ = diagnostics(root)
    assert ("error", "CTA002", A, 9, 2) in found and code == 1
    root = site({A: art("title: 你好\ndate: 2026-11-20\nchecks: {ignore: [CTA002]}\n",
                        "正文。\n\n::: cta\n[欢迎关注](/contact/)\n:::\n")})
    code, found, _ = diagnostics(root)
    assert found == [] and code == 0


def test_inherited_campaign_action_follows_the_campaign_status(site):
    camp = ("title: 周末课\npreheat: 2026-11-01\nstarts: 2026-12-01\nends: 2026-12-31\ncta:\n"
            "  preheat: {text: 预约开课提醒, url: /contact/, kind: book}\n"
            "  live: {text: 立即报名, url: /contact/, kind: signup}\n"
            "  recap: {text: 预约下一期, url: /contact/, kind: book}\n")
    root = site({"content/campaigns/weekend.yaml": camp, A: art("title: 你好\ndate: 2026-09-20\ncampaign: weekend\n")})
    for now, text, kind in (("2026-10-01", "预约开课提醒", "book"), ("2026-11-20", "预约开课提醒", "book"),
                            ("2026-12-05", "立即报名", "signup"), ("2027-01-05", "预约下一期", "book")):
        r = run_cli("build", "-C", str(root), "--now", now)
        assert r.code == 0, r.text
        html = (root / "public/articles/hello/index.html").read_text(encoding="utf-8")
        assert f'data-cta="{kind}"' in html and text in html, now


def test_severity_off_can_be_written_plainly(site):
    """YAML 1.1 reads a plain `off` as false; in a list of fixed words it means the word."""
    root = site({A: art("title: 你好\ndate: 2026-11-20\n", "正文。\n\n::: cta\n[欢迎关注](/contact/)\n:::\n")})
    (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8")
                                    + "checks:\n  severity: {CTA002: off}\n", encoding="utf-8")
    code, found, _ = diagnostics(root, "--strict")
    assert found == [] and code == 0
