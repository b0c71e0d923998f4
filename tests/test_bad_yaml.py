"""Bad YAML in front matter, personas, campaigns and site.yaml (issue 7 §1): every case is a
located diagnostic, the build fails, and the previous output stays byte-identical."""

from __future__ import annotations

import time

import pytest

from badinput import A, C, P, S, art, break_and_build, diagnostics_of, hints_of, make_prebuilt
from conftest import MINIMAL_SITE_YAML, run_cli
from site_gen.load.yamlsrc import compose

BOMB_LEVELS = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
BOMB = "\n".join("  " + line for line in BOMB_LEVELS) + "\n"  # 9^9 "lol"s if anything expanded it


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return make_prebuilt(tmp_path_factory)


def where(found):
    return [(code, file, line, col) for code, file, line, col, _ in found]


# (files, [(code, file, line, column, message)]) — the whole list of diagnostics, exactly
CASES = {
    # anchors, aliases and the "billion laughs": refused at the first anchor, nothing expands
    "anchor in front matter": (
        {A: art("title: &t 你好\nsummary: *t\n")},
        [("META001", A, 2, 8, "YAML anchors (&t) are not allowed")]),
    "alias bomb in a persona": (
        {P: "name: 小贝\nextra:\n" + BOMB},
        [("META001", P, 3, 6, "YAML anchors (&a) are not allowed")]),
    "alias bomb in a campaign": (
        {C: "title: 秋季\nstarts: 2026-09-01\nends: 2026-09-30\nextra:\n" + BOMB},
        [("META001", C, 5, 6, "YAML anchors (&a) are not allowed")]),
    "alias bomb in site.yaml": (
        {S: MINIMAL_SITE_YAML + "extra:\n" + BOMB},
        [("META001", S, 16, 6, "YAML anchors (&a) are not allowed")]),
    "alias bomb in front matter": (
        {A: art("extra:\n" + BOMB)},
        [("META001", A, 4, 6, "YAML anchors (&a) are not allowed")]),
    "alias without anchor": (
        {P: "name: 小贝\nbio: *nowhere\n"},
        [("META001", P, 2, 6, "YAML aliases (*nowhere) are not allowed")]),
    # impossible dates
    "30 February in front matter": (
        {A: art("date: 2024-02-30\n")},
        [("META002", A, 3, 7, "`date` in the front matter is not a real date: `2024-02-30` "
                              "(day is out of range for month)")]),
    "30 February in a campaign": (
        {C: "title: 秋季\nstarts: 2026-02-30\nends: 2026-09-30\n"},
        [("META002", C, 2, 9, "`starts` in autumn.yaml is not a real date: `2026-02-30` "
                              "(day is out of range for month)")]),
    "hour 25": (
        {A: art("date: 2026-11-20T25:00:00\n")},
        [("META002", A, 3, 7, "`date` in the front matter is not a real date: `2026-11-20T25:00:00` "
                              "(hour must be in 0..23)")]),
    "a date where text belongs": (
        {A: art("title: 2024-02-30\n")},
        [("META002", A, 2, 8, "`title` in the front matter must be text, but YAML reads `2024-02-30` as a date")]),
    "an impossible date inside extra": (
        {A: art("extra: {day: 2024-02-30}\n")},
        [("META002", A, 3, 8, "`extra` in the front matter cannot be read: day is out of range for month")]),
    # values YAML silently retypes
    "NO and yes": (
        {A: art("title: NO\nsummary: yes\n")},
        [("META002", A, 2, 8, "`title` in the front matter must be text, but YAML reads `NO` as a yes/no value (false)"),
         ("META002", A, 3, 10, "`summary` in the front matter must be text, but YAML reads `yes` as a yes/no value "
                               "(true)")]),
    "01234, 1:30 and 1.10": (
        {P: "name: 01234\nbio: 1:30\nsignature: 1.10\n"},
        [("META002", P, 1, 7, "`name` in xiaobei.yaml must be text, but YAML reads `01234` as a number (668)"),
         ("META002", P, 2, 6, "`bio` in xiaobei.yaml must be text, but YAML reads `1:30` as a number (90)"),
         ("META002", P, 3, 12, "`signature` in xiaobei.yaml must be text, but YAML reads `1.10` as a number (1.1)")]),
    "retyped list items": (
        {A: art("tags: [NO, on, 01234]\n")},
        [("META002", A, 3, 8, "`tags` item 1 in the front matter must be text, but YAML reads `NO` as a yes/no "
                              "value (false)"),
         ("META002", A, 3, 12, "`tags` item 2 in the front matter must be text, but YAML reads `on` as a yes/no "
                               "value (true)"),
         ("META002", A, 3, 16, "`tags` item 3 in the front matter must be text, but YAML reads `01234` as a number "
                               "(668)")]),
    "retyped site title": (
        {S: MINIMAL_SITE_YAML.replace("title: 测试站", "title: yes")},
        [("META002", S, 1, 8, "`title` in site.yaml must be text, but YAML reads `yes` as a yes/no value (true)")]),
    "# makes a required value empty": (
        {A: art("title: #话题\n")},
        [("META002", A, 2, 8, "`title` is empty in the front matter: YAML reads `#话题` as a comment")]),
    "# makes an optional value empty": (
        {A: art("tags: #烘焙\n")},
        [("META002", A, 3, 7, "`tags` is empty in the front matter: YAML reads `#烘焙` as a comment")]),
    "# makes a persona value empty": (
        {P: "name: 小贝\nsignature: #小贝\n"},
        [("META002", P, 2, 12, "`signature` is empty in xiaobei.yaml: YAML reads `#小贝` as a comment")]),
    "explicit tags on values that do not fit them": (
        {A: art("draft: !!bool maybe\nsummary: !!int abc\n")},
        [("META002", A, 3, 8, "`draft` in the front matter is tagged !!bool, but `maybe` is not one"),
         ("META002", A, 4, 10, "`summary` in the front matter must be text, but YAML reads `abc` as a number")]),
    "a merge key without a mapping": (
        {A: art("extra: {<<: 1}\n")},
        [("META002", A, 3, 8, "`extra` in the front matter cannot be read: expected a mapping or list of mappings "
                              "for merging, but found scalar")]),
    # tabs
    "tab indentation in front matter": (
        {A: art("tags:\n\t- 烘焙\n")},
        [("META001", A, 4, 1, "the YAML has a tab here, where YAML does not allow one")]),
    "tab after a key": (
        {A: art("title:\t你好\n")},
        [("META001", A, 2, 7, "the YAML has a tab here, where YAML does not allow one")]),
    "tab indentation in a persona": (
        {P: "name: 小贝\nvoice:\n\taddress: 你\n"},
        [("META001", P, 3, 1, "the YAML has a tab here, where YAML does not allow one")]),
    "a Unicode line separator from a web page": (
        {P: "name: 小贝\u2028店长\nbio: [\n"},
        [("META001", P, 1, 9, "the YAML has an invisible line separator (U+2028) here, which YAML reads as a line "
                              "break")]),
    # several documents
    "two documents in a persona": (
        {P: "name: 小贝\n---\nname: 小白\n"},
        [("META001", P, 2, 1, "the YAML does not parse: expected a single document in the stream (but found "
                              "another document)")]),
    "two documents in site.yaml": (
        {S: MINIMAL_SITE_YAML + "---\ntitle: 另一个\n"},
        [("META001", S, 15, 1, "the YAML does not parse: expected a single document in the stream (but found "
                               "another document)")]),
    "two documents in a campaign": (
        {C: "title: 秋季\nstarts: 2026-09-01\nends: 2026-09-30\n...\n---\ntitle: 冬季\n"},
        [("META001", C, 5, 1, "the YAML does not parse: expected a single document in the stream (but found "
                              "another document)")]),
    # deep nesting
    "deep flow nesting": (
        {A: art("extra: " + "[" * 500 + "]" * 500 + "\n")},
        [("META001", A, 3, 39, "the YAML is nested deeper than 32 levels")]),
    "deep flow nesting of mappings": (
        {C: "title: 秋季\nstarts: 2026-09-01\nends: 2026-09-30\nextra: " + "{a: " * 100 + "1" + "}" * 100 + "\n"},
        [("META001", C, 4, 129, "the YAML is nested deeper than 32 levels")]),
    "deep block nesting": (
        {P: "name: 小贝\nextra:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(40)) + "  " * 41 + "v: 1\n"},
        [("META001", P, 33, 63, "the YAML is nested deeper than 32 levels")]),
    # huge
    "a YAML file over 256 KiB": (
        {P: "name: 小贝\nbio: " + "长" * (300 * 1024) + "\n"},
        [("META001", P, 1, 1, "the YAML is larger than 256 KiB")]),
    "front matter over 256 KiB": (
        {A: art("summary: " + "a" * (257 * 1024) + "\n")},
        [("META001", A, 2, 1, "the YAML is larger than 256 KiB")]),
    "a file over 2 MiB": (
        {A: art("", "字" * (800 * 1024) + "\n")},
        [("META001", A, 1, 1, "the file is 2400 KiB, over the 2048 KiB limit")]),
    # keys that collide once parsed
    "yes: and true: are one key": (
        {P: "name: 小贝\nvoice:\n  avoid:\n    yes: null\n    true: null\n"},
        [("META002", P, 4, 5, "the key `yes` in `avoid` of `voice` of xiaobei.yaml is not text"),
         ("META004", P, 5, 5, "the key `true` appears twice")]),
    "1: and 0x1: are one key": (
        {P: "name: 小贝\nvoice:\n  avoid:\n    1: a\n    0x1: b\n"},
        [("META004", P, 5, 5, "the key `0x1` appears twice")]),
    '"1": and 1: are one key in avoid': (
        {P: 'name: 小贝\nvoice:\n  avoid:\n    "1": a\n    1: b\n'},
        [("META004", P, 5, 5, "the key `1` appears twice")]),
    "duplicate keys in site.yaml": (
        {S: MINIMAL_SITE_YAML + "title: 又一个\n"},
        [("META004", S, 15, 1, "the key `title` appears twice")]),
    "a list as a key": (
        {A: art("? [a, b]\n: c\n")},
        [("META002", A, 3, 3, "the key `[…]` in the front matter is not text")]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_yaml_is_located_and_keeps_the_previous_output(good, tmp_path, case):
    files, expected = CASES[case]
    code, found, _ = break_and_build(good, tmp_path, files)
    assert code == 1
    assert sorted(found) == sorted(expected)


def test_collision_hints_name_the_first_spelling(good, tmp_path):
    _, _, r = break_and_build(good, tmp_path, {P: "name: 小贝\nvoice:\n  avoid:\n    1: a\n    0x1: b\n"})
    assert hints_of(r) == ["YAML reads it as the same key as `1` on line 4; keep one of them"]


def test_tab_and_comment_hints(good, tmp_path):
    _, _, r = break_and_build(good, tmp_path, {A: art("tags: #烘焙\nsummary:\t摘要\n")})
    assert hints_of(r) == ["YAML does not allow tabs for indentation or after `key:`; use spaces"]
    _, _, r = break_and_build(good, tmp_path / "2", {A: art("tags: #烘焙\n")})
    assert hints_of(r) == ['quote it: tags: "#烘焙"']


def test_a_comment_with_a_space_is_just_a_comment(good, tmp_path):
    code, found, _ = break_and_build(good, tmp_path, {A: art("summary: # 以后再写\n")})
    assert (code, found) == (0, [])


def test_alias_bomb_is_refused_quickly():
    text = "extra:\n" + BOMB
    started = time.process_time()
    for _ in range(100):
        node, found = compose(text, P)
    assert node is None and [d.code for d in found] == ["META001"]
    assert time.process_time() - started < 2.0  # 100 refusals; expanding even one would never finish


# ---------------------------------------------------------------------------- nothing executes

MODULE = "import pathlib\npathlib.Path({marker!r}).write_text('imported')\n"
PAYLOADS = {
    "apply": "!!python/object/apply:os.system ['touch {marker}']",
    "apply subprocess": "!!python/object/apply:subprocess.check_call [[touch, {marker}]]",
    "new": "!!python/object/new:subprocess.Popen [[touch, {marker}]]",
    "name": "!!python/name:marker_module.run",
    "module": "!!python/module:marker_module",
    "local tag": "!include /etc/passwd",
}
SHOWN = {"apply": "!!python/object/apply:os.system", "apply subprocess": "!!python/object/apply:subprocess.check_call",
         "new": "!!python/object/new:subprocess.Popen", "name": "!!python/name:marker_module.run",
         "module": "!!python/module:marker_module", "local tag": "!include"}


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
@pytest.mark.parametrize("target", ["front matter", "persona", "campaign", "site.yaml"])
def test_python_tags_never_run(site, tmp_path, kind, target):
    marker = tmp_path / "pwned"
    payload = PAYLOADS[kind].format(marker=marker)
    files = {
        "front matter": {A: art(f"summary: {payload}\n")},
        "persona": {P: f"name: 小贝\nbio: {payload}\n"},
        "campaign": {C: f"title: {payload}\nstarts: 2026-09-01\nends: 2026-09-30\n"},
        "site.yaml": {S: MINIMAL_SITE_YAML.replace("title: 测试站", f"title: {payload}")},
    }[target]
    root = site({**files, "marker_module.py": MODULE.format(marker=str(marker))})
    # run from the site root: `python -m` puts it first on sys.path, so an import would find the module
    r = run_cli("build", "--now", "2026-11-23", "--format", "json", cwd=root)
    assert r.code == 1
    line = {"front matter": 3, "persona": 2, "campaign": 1, "site.yaml": 1}[target]
    col = {"front matter": 10, "persona": 6, "campaign": 8, "site.yaml": 8}[target]
    rel = {"front matter": A, "persona": P, "campaign": C, "site.yaml": S}[target]
    assert diagnostics_of(r) == [("META001", rel, line, col, f"the YAML tag {SHOWN[kind]} is not allowed")]
    assert not marker.exists()
    assert not (root / "public").exists()
