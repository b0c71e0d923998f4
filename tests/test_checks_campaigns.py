"""CAMP001 (windows out of order), CAMP002 (phase contradicts date), CAMP003 (phase without action)."""

from __future__ import annotations

from checkrun import found
from conftest import NOW, run_cli

CAMP = "content/campaigns/winter.yaml"
CTAS = ("cta:\n  preheat: {text: 预约提醒, url: /contact/}\n  live: {text: 立即报名, url: /contact/}\n"
        "  recap: {text: 查看回顾, url: /contact/}\n")


def campaign(preheat="2026-11-10", starts="2026-12-01", ends="2026-12-31", cta=CTAS) -> str:
    return f"title: 冬季活动\npreheat: {preheat}\nstarts: {starts}\nends: {ends}\n{cta}"


def test_clean_campaign_has_no_camp_diagnostics(site):
    root = site({CAMP: campaign()})
    r = run_cli("check", "-C", str(root), "--now", NOW, "--strict")
    assert r.code == 0, r.text
    assert "CAMP" not in r.out


def test_preheat_after_start_points_at_preheat(site):
    root = site({CAMP: campaign(preheat="2026-12-05")})
    assert found(root, "CAMP001") == [
        ("error", CAMP, 2, 10, "the pre-heat (2026-12-05) starts after the campaign goes live (2026-12-01)",
         "make `preheat:` a date on or before `starts:` (or remove it to pre-heat from `starts:`)")]


def test_end_before_start_points_at_ends_and_fails_the_check(site):
    root = site({CAMP: campaign(ends="2026-11-30")})
    assert found(root, "CAMP001") == [
        ("error", CAMP, 4, 7, "the campaign ends (2026-11-30) before it starts (2026-12-01)",
         "make `ends:` a date on or after `starts:` (`ends:` is the last live day, inclusive)")]
    assert run_cli("check", "-C", str(root), "--now", NOW).code == 1


def test_start_day_equal_to_preheat_and_one_day_campaign_are_fine(site):
    root = site({CAMP: campaign(preheat="2026-12-01", ends="2026-12-01")})
    assert found(root, "CAMP001") == []


ARTICLE = ("---\ntitle: 冬季活动开始\ndate: {date}\ncampaign: winter\nphase: {phase}\n---\n\n"
           "活动开始了。\n\n::: cta signup\n[立即报名](/contact/)\n:::\n")


def test_phase_contradicting_date_points_at_phase(site):
    path = "content/articles/2026-11-20-start.md"
    root = site({CAMP: campaign(starts="2026-11-15"), path: ARTICLE.format(date="2026-11-20", phase="preheat")})
    assert found(root, "CAMP002") == [
        ("warning", path, 5, 8,
         "the article says `phase: preheat`, but its date 2026-11-20 is in the live window of `winter` "
         "(2026-11-15 – 2026-12-31)",
         "remove `phase:` to let the date decide, or date the article before 2026-11-15")]


def test_recap_before_the_end_is_reported(site):
    path = "content/articles/2026-11-20-start.md"
    root = site({CAMP: campaign(), path: ARTICLE.format(date="2026-11-20", phase="recap")})
    assert [(line, col, msg) for _s, _f, line, col, msg, _h in found(root, "CAMP002")] == [
        (5, 8, "the article says `phase: recap`, but its date 2026-11-20 is in the pre-heat window of `winter` "
               "(before 2026-12-01)")]


def test_phase_matching_the_date_is_fine(site):
    path = "content/articles/2026-11-20-start.md"
    root = site({CAMP: campaign(), path: ARTICLE.format(date="2026-11-20", phase="preheat")})
    assert found(root, "CAMP002") == []


def test_missing_recap_action_points_at_cta_key(site):
    cta = "cta:\n  preheat: {text: 预约提醒, url: /contact/}\n  live: {text: 立即报名, url: /contact/}\n"
    root = site({CAMP: campaign(cta=cta)})
    assert found(root, "CAMP003") == [
        ("warning", CAMP, 5, 1, "the campaign's recap phase has no call to action",
         "add it under `cta:`, e.g. `recap: {text: 查看活动回顾, url: /campaigns/winter/}`; articles of that "
         "phase without their own action inherit it")]


def test_campaign_without_any_action_points_at_line_one(site):
    root = site({CAMP: campaign(cta="")})
    assert [(sev, line, col, msg) for sev, _f, line, col, msg, _h in found(root, "CAMP003")] == [
        ("warning", 1, 1, "the campaign's pre-heat, live, recap phases have no call to action")]
