"""`site-gen check --fix`: the personas' avoid → replacement substitutions, applied in place."""

from __future__ import annotations

from conftest import NOW, run_cli
from conftest import tree_bytes as all_bytes

ART = "content/articles/2026-11-21-fix.md"
TEXT = """\
---
title: 您好，周末见
date: 2026-11-21
summary: 尊敬的用户请看
tags: [烘焙]
---

周六欢迎您来，`您` 是代码，您们也来。

```
print("您")
```

    您 indented

- 列表里的您

::: cta signup
[您快报名](/contact/)
:::
"""
FIXED = TEXT.replace("title: 您好", "title: 你好").replace("欢迎您来", "欢迎你来").replace("您们", "你们") \
    .replace("列表里的您", "列表里的你").replace("[您快报名]", "[你快报名]")


def tree_bytes(root):
    return {k: v for k, v in all_bytes(root).items() if not k.startswith(".site-gen-cache")}


def fix(root):
    return run_cli("check", "-C", str(root), "--now", NOW, "--fix")


def test_replacements_are_made_and_reported_code_untouched(site):
    root = site({ART: TEXT})
    r = fix(root)
    assert r.out.splitlines()[:5] == [
        f"{ART}:2:8: 您 → 你",
        f"{ART}:8:5: 您 → 你",
        f"{ART}:8:16: 您 → 你",
        f"{ART}:16:7: 您 → 你",
        f"{ART}:19:2: 您 → 你",
    ]
    assert (root / ART).read_text(encoding="utf-8") == FIXED
    # what is left is what has no replacement: 尊敬的用户 → null
    assert "VOICE001 ×1" in r.out
    assert r.code == 0


def test_a_second_run_changes_nothing(site):
    root = site({ART: TEXT})
    fix(root)
    before = tree_bytes(root)
    r = fix(root)
    assert "→" not in r.out
    assert tree_bytes(root) == before


def test_line_endings_bom_and_mode_are_kept_and_no_temp_file_is_left(site):
    crlf = ("\ufeff" + TEXT).replace("\n", "\r\n").encode("utf-8")
    root = site({ART: crlf})
    (root / ART).chmod(0o640)
    fix(root)
    assert (root / ART).read_bytes() == ("\ufeff" + FIXED).replace("\n", "\r\n").encode("utf-8")
    assert oct((root / ART).stat().st_mode & 0o777) == "0o640"
    assert sorted(p.name for p in (root / "content/articles").iterdir()) == ["2026-11-20-hello.md", "2026-11-21-fix.md"]


def test_unsafe_yaml_replacement_is_left_in_front_matter_but_made_in_the_body(site):
    persona = "name: 小贝\nvoice:\n  avoid: {您: '你: 朋友'}\n"
    text = "---\ntitle: 您好\ndate: 2026-11-21\ntags: [烘焙]\n---\n\n欢迎您。\n\n::: cta book\n[预约](/contact/)\n:::\n"
    root = site({"content/personas/xiaobei.yaml": persona, ART: text})
    r = fix(root)
    assert r.out.splitlines()[0] == f"{ART}:7:3: 您 → 你: 朋友"
    assert (root / ART).read_text(encoding="utf-8") == text.replace("欢迎您", "欢迎你: 朋友")
    assert f"{ART}:2:8: warning VOICE001" in r.out


def test_english_replacement_and_pages(site):
    persona = "name: Bea\nvoice:\n  avoid: {dear customer: friend}\n"
    page = "---\ntitle: Contact\npersona: bea\n---\n\nHello Dear Customer, call us.\n"
    root = site({"content/personas/bea.yaml": persona, "content/pages/contact.md": page})
    r = fix(root)
    assert r.out.splitlines()[0] == "content/pages/contact.md:6:7: Dear Customer → friend"
    assert (root / "content/pages/contact.md").read_text(encoding="utf-8") == page.replace("Dear Customer", "friend")


def test_nothing_to_fix_prints_only_the_check(site):
    root = site()
    before = tree_bytes(root)
    r = fix(root)
    assert r.out == "checked: 0 errors, 0 warnings\n"
    assert tree_bytes(root) == before


def test_fix_with_json_format_keeps_stdout_valid_json(site):
    import json

    from conftest import NOW, run_cli

    root = site({"content/articles/2026-11-20-hello.md":
                 "---\ntitle: 你好\ndate: 2026-11-20\n---\n\n欢迎您来。\n\n::: cta signup\n[立即报名](/contact/)\n:::\n"})
    r = run_cli("check", "-C", str(root), "--now", NOW, "--fix", "--format", "json")
    assert json.loads(r.out)["summary"]["errors"] == 0
    assert r.err == "content/articles/2026-11-20-hello.md:6:3: 您 → 你\n"
