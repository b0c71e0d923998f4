"""VOICE001 (avoided phrases) and VOICE002 (long sentences), through the real CLI."""

from __future__ import annotations

from checkrun import found
from conftest import NOW, run_cli

ART = "content/articles/2026-11-21-voice.md"


def article(body: str, front: str = "") -> str:
    return f"---\ntitle: 周末见\ndate: 2026-11-21\ntags: [烘焙]\n{front}---\n\n{body}\n\n::: cta signup\n[立即报名](/contact/)\n:::\n"


def test_phrase_in_body_points_at_it_with_the_replacement(site):
    root = site({ART: article("欢迎来店里。\n\n周六欢迎您带孩子来。")})
    assert found(root, "VOICE001") == [
        ("warning", ART, 9, 5, "小贝 avoids `您`", "write `你` instead")]


def test_phrase_without_replacement_in_title_and_summary(site):
    text = article("正文没问题。", front="summary: 尊敬的用户请注意\n").replace("title: 周末见", "title: 致尊敬的用户")
    root = site({ART: text})
    assert found(root, "VOICE001") == [
        ("warning", ART, 2, 9, "小贝 avoids `尊敬的用户`", "rephrase without it"),
        ("warning", ART, 5, 10, "小贝 avoids `尊敬的用户`", "rephrase without it"),
    ]


def test_derived_summary_is_reported_once_in_the_body(site):
    root = site({ART: article("您好，这是第一段。")})
    assert [(line, col) for _s, _f, line, col, _m, _h in found(root, "VOICE001")] == [(7, 1)]


def test_code_spans_fenced_and_indented_code_are_not_prose(site):
    body = "用 `您` 这个字是错的。\n\n```\n您好\n```\n\n    您好（缩进代码）\n\n你好。"
    root = site({ART: article(body)})
    r = run_cli("check", "-C", str(root), "--now", NOW, "--strict")
    assert r.code == 0, r.text
    assert "VOICE001" not in r.out


def test_columns_after_code_span_and_in_table_cells_and_lists(site):
    body = "看 `您` 然后您。\n\n| 您 | 您 |\n|---|---|\n| x | 好您 |\n\n- 列表里的您\n  续行您"
    root = site({ART: article(body)})
    assert [(line, col) for _s, _f, line, col, _m, _h in found(root, "VOICE001")] == [
        (7, 9), (9, 3), (9, 7), (11, 8), (13, 7), (14, 5)]


def test_english_phrases_match_case_insensitively_as_whole_words(site):
    persona = "name: Bea\nvoice:\n  avoid: {dear customer: friend, ASAP: null}\n"
    body = "Hello Dear  Customer, we open at 9.\n\nOur dear customers love it. Reply asap!"
    root = site({"content/personas/bea.yaml": persona, ART: article(body, front="persona: bea\n")})
    assert found(root, "VOICE001") == [
        ("warning", ART, 8, 7, "Bea avoids `dear customer`", "write `friend` instead"),
        ("warning", ART, 10, 35, "Bea avoids `ASAP`", "rephrase without it"),
    ]


def test_each_article_uses_its_own_persona(site):
    kefu = "name: 阿糖\nvoice:\n  avoid: {亲爱的: 您}\n"
    root = site({"content/personas/kefu.yaml": kefu,
                 ART: article("您好，亲爱的朋友。", front="persona: kefu\n")})
    assert found(root, "VOICE001") == [("warning", ART, 8, 4, "阿糖 avoids `亲爱的`", "write `您` instead")]


def test_campaign_title_is_checked_against_the_campaign_persona(site):
    camp = ("title: 尊敬的用户专享\npersona: xiaobei\nstarts: 2026-12-01\nends: 2026-12-31\ncta:\n"
            "  preheat: {text: 预约提醒, url: /contact/}\n  live: {text: 立即报名, url: /contact/}\n"
            "  recap: {text: 查看回顾, url: /contact/}\n")
    root = site({"content/campaigns/winter.yaml": camp})
    assert found(root, "VOICE001") == [
        ("warning", "content/campaigns/winter.yaml", 1, 8, "小贝 avoids `尊敬的用户`", "rephrase without it")]


def test_front_matter_action_text_is_checked(site):
    text = ("---\ntitle: 周末见\ndate: 2026-11-21\ntags: [烘焙]\ncta: {text: 您快来报名, url: /contact/}\n---\n\n"
            "正文。\n")
    root = site({ART: text})
    assert found(root, "VOICE001") == [("warning", ART, 5, 13, "小贝 avoids `您`", "write `你` instead")]


LONG = "这是一个非常非常长的句子，它一直说下去，说到超过了二十个字的限制。"  # 33 characters


def test_long_sentence_points_at_its_start(site):
    persona = "name: 小贝\nvoice:\n  avoid: {您: 你}\n  max_sentence_chars: 20\n"
    root = site({"content/personas/xiaobei.yaml": persona, ART: article(f"短句。{LONG}短句！")})
    assert found(root, "VOICE002") == [
        ("warning", ART, 7, 4, "this sentence has 33 characters; 小贝 keeps sentences to 20",
         "split it into shorter sentences (max_sentence_chars in content/personas/xiaobei.yaml)")]


def test_english_sentences_split_on_full_stops_and_link_targets_do_not_count(site):
    persona = "name: Bea\nvoice:\n  max_sentence_chars: 30\n"
    body = ("Short one. This sentence is rather long for a persona that likes brevity. "
            "[See the page](/contact/) now.")
    root = site({"content/personas/bea.yaml": persona, ART: article(body, front="persona: bea\n")})
    assert [(line, col, msg) for _s, _f, line, col, msg, _h in found(root, "VOICE002")] == [
        (8, 12, "this sentence has 52 characters; Bea keeps sentences to 30")]


def test_no_limit_means_no_voice002(site):
    root = site({ART: article(LONG * 5)})
    assert found(root, "VOICE002") == []


def test_severity_override_and_per_file_ignore(site):
    root = site({ART: article("您好。"),
                 "content/articles/2026-11-22-two.md": article("您好呀。", front="checks: {ignore: [VOICE001]}\n")})
    with open(root / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write("checks:\n  severity: {VOICE001: error}\n")
    assert found(root, "VOICE001") == [("error", ART, 7, 1, "小贝 avoids `您`", "write `你` instead")]
    r = run_cli("check", "-C", str(root), "--now", NOW)
    assert r.code == 1
