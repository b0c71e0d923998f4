"""The real entry point: version, exit codes 0/1/2, output formats, refused output directories."""

from __future__ import annotations

import json
import os

import pytest

from conftest import NOW, REPO, run_cli, tree_bytes

A = "content/articles/2026-11-20-hello.md"
NO_CTA = "---\ntitle: 你好\ndate: 2026-11-20\n---\n\n正文。\n"


def test_version():
    r = run_cli("--version")
    assert r.code == 0 and r.out == "site-gen 0.1.0\n"


def test_console_script_and_module_agree():
    import subprocess
    import shutil

    exe = shutil.which("site-gen")
    assert exe, "pip install -e . puts site-gen on PATH"
    p = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert p.stdout == "site-gen 0.1.0\n"


def test_bad_flag_is_exit_2_with_a_hint(site):
    r = run_cli("build", "--frobnicate")
    assert r.code == 2
    assert "unrecognized arguments: --frobnicate" in r.err
    assert "hint: run `site-gen build --help` for the options" in r.err


def test_no_site_yaml_is_exit_2(tmp_path):
    r = run_cli("build", "-C", str(tmp_path))
    assert r.code == 2
    assert r.err == (f"site-gen: error: no site.yaml in {tmp_path}: this is not a site-gen site "
                     "(run `site-gen init DIR` to make one, or pass -C DIR)\n")


def test_unknown_theme_is_exit_2(site):
    root = site()
    (root / "site.yaml").write_text((root / "site.yaml").read_text(encoding="utf-8") + "theme: fancy\n",
                                    encoding="utf-8")
    r = run_cli("build", "-C", str(root), "--now", NOW)
    assert r.code == 2
    assert "unknown theme `fancy`" in r.err
    assert not (root / "public").exists()


def test_bad_now_is_exit_2(site):
    r = run_cli("build", "-C", str(site()), "--now", "next tuesday")
    assert r.code == 2
    assert "--now `next tuesday` is not an ISO date or datetime" in r.err


def test_a_negative_jobs_count_is_exit_2(site, tmp_path):
    r = run_cli("build", "-C", str(site()), "--now", NOW, "--out", str(tmp_path / "out"), "--jobs", "-1")
    assert r.code == 2
    assert r.err == "site-gen: error: --jobs -1: give a number of processes ≥ 1 (0: one per core)\n"
    assert not (tmp_path / "out").exists()


def test_success_is_exit_0_with_a_summary_line(site):
    r = run_cli("build", "-C", str(site()), "--now", NOW)
    assert r.code == 0
    assert r.out.startswith("built 8 pages in ")
    assert r.out.endswith(" s: 0 errors, 0 warnings\n")


def test_errors_are_exit_1_and_nothing_is_written(site):
    root = site({A: NO_CTA})
    r = run_cli("build", "-C", str(root), "--now", NOW)
    assert r.code == 1
    assert r.out == (f"{A}:6:1: error CTA001: the article does not end in a call to action\n"
                     "  hint: end the body with a ::: cta block, or add `cta:` to the front matter\n"
                     "build failed, nothing written: 1 error, 0 warnings (CTA001 ×1)\n")
    assert not (root / "public").exists()


def test_warnings_pass_unless_strict(site):
    root = site({A: "---\ntitle: 你好\ndate: 2026-11-20\nsumary: x\n"
                    "cta: {text: 立即报名, url: /contact/}\n---\n\n正文。\n"})
    assert run_cli("build", "-C", str(root), "--now", NOW).code == 0
    r = run_cli("build", "-C", str(root), "--now", NOW, "--strict")
    assert r.code == 1 and "warning META003" in r.out


def test_json_format(site):
    root = site({A: NO_CTA})
    r = run_cli("build", "-C", str(root), "--now", NOW, "--format", "json")
    assert r.code == 1
    assert json.loads(r.out) == {
        "diagnostics": [{
            "code": "CTA001", "severity": "error", "file": A, "line": 6, "column": 1,
            "message": "the article does not end in a call to action",
            "hint": "end the body with a ::: cta block, or add `cta:` to the front matter",
        }],
        "summary": {"errors": 1, "warnings": 0, "by_code": {"CTA001": 1}},
    }


def test_github_format(site):
    root = site({A: NO_CTA})
    r = run_cli("build", "-C", str(root), "--now", NOW, "--format", "github")
    assert r.code == 1
    assert r.out.splitlines()[0] == (
        f"::error file={A},line=6,col=1,title=CTA001::the article does not end in a call to action "
        "(hint: end the body with a ::: cta block, or add `cta:` to the front matter)")


@pytest.mark.parametrize("out", [".", "content", "/", "static/x", "~"])
def test_dangerous_output_directories_are_refused(site, out):
    root = site()
    before = tree_bytes(root)
    r = run_cli("build", "--now", NOW, "--out", os.path.expanduser(out), cwd=root)
    assert r.code == 2
    assert "site-gen: error: refusing to write the site to" in r.err
    assert "choose a separate folder such as `public`" in r.err
    assert tree_bytes(root) == before


def test_a_folder_of_other_files_is_refused(site, tmp_path):
    root = site()
    other = tmp_path / "my-documents"
    other.mkdir()
    (other / "thesis.txt").write_text("precious")
    r = run_cli("build", "-C", str(root), "--now", NOW, "--out", str(other))
    assert r.code == 2
    assert "it is a folder with other files in it" in r.err
    assert (other / "thesis.txt").read_text() == "precious"


def test_example_hub_builds_clean_with_strict(tmp_path):
    r = run_cli("build", "-C", str(REPO), "--now", NOW, "--strict", "--out", str(tmp_path / "out"))
    assert r.code == 0, r.text
    assert r.out.endswith("0 errors, 0 warnings\n")
