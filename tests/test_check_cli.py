"""`site-gen check`: exit codes, the summary line, the json and github formats, nothing written."""

from __future__ import annotations

import json

from conftest import NOW, REPO, run_cli
from conftest import tree_bytes as all_bytes

A = "content/articles/2026-11-21-a.md"
WARN_ONLY = "---\ntitle: 周末见\ndate: 2026-11-21\ntags: [烘焙]\n---\n\n欢迎您来，您们都来。\n\n::: cta book\n[预约到店](/contact/)\n:::\n"
WITH_ERROR = WARN_ONLY.replace("欢迎您来", "欢迎您来[看看](/nowhere/)")


def check(root, *args):
    return run_cli("check", "-C", str(root), "--now", NOW, *args)


def tree_bytes(root):
    return {k: v for k, v in all_bytes(root).items() if not k.startswith(".site-gen-cache/")}


def test_clean_site_exit_0_and_summary(site):
    r = check(site(), "--strict")
    assert (r.code, r.out) == (0, "checked: 0 errors, 0 warnings\n")


def test_warnings_only_exit_0_with_per_rule_counts(site):
    r = check(site({A: WARN_ONLY}))
    assert r.code == 0
    assert r.out == (f"{A}:7:3: warning VOICE001: 小贝 avoids `您`\n  hint: write `你` instead\n"
                     f"{A}:7:6: warning VOICE001: 小贝 avoids `您`\n  hint: write `你` instead\n"
                     "checked: 0 errors, 2 warnings (VOICE001 ×2)\n")


def test_warnings_fail_under_strict(site):
    r = check(site({A: WARN_ONLY}), "--strict")
    assert r.code == 1
    assert r.out.endswith("checked: 0 errors, 2 warnings (VOICE001 ×2)\n")


def test_errors_exit_1_and_summary_counts_each_rule(site):
    r = check(site({A: WITH_ERROR}))
    assert r.code == 1
    assert r.out.endswith("checked: 1 error, 2 warnings (LINK001 ×1, VOICE001 ×2)\n")


def test_json_shape(site):
    r = check(site({A: WITH_ERROR}), "--format", "json")
    assert r.code == 1
    assert json.loads(r.out) == {
        "diagnostics": [
            {"code": "VOICE001", "severity": "warning", "file": A, "line": 7, "column": 3,
             "message": "小贝 avoids `您`", "hint": "write `你` instead"},
            {"code": "LINK001", "severity": "error", "file": A, "line": 7, "column": 10,
             "message": "the link /nowhere/ points at no page or file of this site",
             "hint": "link to a published page such as /articles/<slug>/, /<page-id>/ or /campaigns/<id>/"},
            {"code": "VOICE001", "severity": "warning", "file": A, "line": 7, "column": 21,
             "message": "小贝 avoids `您`", "hint": "write `你` instead"},
        ],
        "summary": {"errors": 1, "warnings": 2, "by_code": {"LINK001": 1, "VOICE001": 2}},
    }


def test_github_format_is_exact_actions_syntax(site):
    r = check(site({A: WITH_ERROR}), "--format", "github")
    assert r.code == 1
    assert r.out.splitlines() == [
        f"::warning file={A},line=7,col=3,title=VOICE001::小贝 avoids `您` (hint: write `你` instead)",
        f"::error file={A},line=7,col=10,title=LINK001::the link /nowhere/ points at no page or file of this "
        "site (hint: link to a published page such as /articles/<slug>/, /<page-id>/ or /campaigns/<id>/)",
        f"::warning file={A},line=7,col=21,title=VOICE001::小贝 avoids `您` (hint: write `你` instead)",
        "checked: 1 error, 2 warnings (LINK001 ×1, VOICE001 ×2)",
    ]


def test_check_writes_no_output(site):
    root = site({A: WITH_ERROR})
    before = tree_bytes(root)
    check(root)
    assert tree_bytes(root) == before
    assert not (root / "public").exists()


def test_severity_off_and_front_matter_ignore(site):
    root = site({A: WITH_ERROR.replace("tags: [烘焙]\n", "tags: [烘焙]\nchecks: {ignore: [LINK001]}\n")})
    with open(root / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write("checks:\n  severity: {VOICE001: 'off'}\n")
    r = check(root, "--strict")
    assert (r.code, r.out) == (0, "checked: 0 errors, 0 warnings\n")


def test_example_hub_checks_clean_with_strict():
    before = tree_bytes(REPO / "content")
    r = run_cli("check", "-C", str(REPO), "--strict", "--now", "2026-11-23")
    assert (r.code, r.out) == (0, "checked: 0 errors, 0 warnings\n"), r.text
    assert tree_bytes(REPO / "content") == before
