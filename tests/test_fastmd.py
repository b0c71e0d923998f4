"""The compiled fast path (load/fastmd.py, pulldown-cmark through pyromark) gives exactly what
markdown-it-py gives — the HTML, the links with their positions, the text blocks the voice checks
read, the plain text, the first paragraph, the heading ids and the closing action — or declines and
leaves the body to markdown-it-py."""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import REPO
from site_gen.load.fastmd import split_closing_cta, split_closing_cta_by_line
from site_gen.load.markdown import _fast_body, make_markdown, parse_body

SLOW = make_markdown(False, "/", fast=False)
FAST = make_markdown(False, "/")
FAST_PREFIXED, SLOW_PREFIXED = make_markdown(False, "/hub/"), make_markdown(False, "/hub/", fast=False)


def both(text: str, path: str = "content/articles/x.md", fast=FAST, slow=SLOW):
    """(markdown-it-py's body, the fast path's body or None) for a whole Markdown file."""
    end = text.index("\n---\n", 4) + 5 if text.startswith("---\n") else 0
    body, body_line, lines = text[end:], text[:end].count("\n") + 1, tuple(text.split("\n"))
    return parse_body(slow, body, path, body_line, lines), _fast_body(fast, body, path, body_line, lines)


def test_every_article_of_a_generated_hub_and_the_example_hub(tmp_path):
    hub = tmp_path / "hub"
    subprocess.run([sys.executable, str(REPO / "bench/generate.py"), "300", str(hub)], check=True,
                   capture_output=True)
    files = sorted(hub.glob("content/**/*.md")) + sorted(REPO.glob("content/**/*.md")) \
        + sorted((REPO / "tests/golden/site").glob("content/**/*.md"))
    used = 0
    for f in files:
        slow, fast = both(f.read_text(encoding="utf-8"), str(f))
        if fast is not None:
            used += 1
            assert fast == slow, f
    assert used >= 300  # the generated hub's articles are plain enough for the fast path


def test_links_images_headings_and_the_closing_action_in_detail():
    text = ("---\ntitle: 一篇\n---\n\n# 标题 One\n\n## 标题 One\n\n见[选购](#标题-one)和[官网](https://example.com/a?b=1 \"官网\")、"
            "![门店](/images/店.png)与`代码`，\n第二行**加粗**和*斜体*。\n\n~~删去~~\n\n- 一\n- 二 [链接](/articles/a/)\n  - 三\n\n"
            "1. 甲\n2. 乙\n\n> 引用一句\n\n| 品名 | 价格 |\n|---|--:|\n| 蛋糕 |  |\n| [面包](/b/) | 5 元 |\n\n```python\n"
            "print(1)\n:::\n```\n\n---\n\n::: cta signup\n[立即报名](/signup/)\n:::\n")
    slow, fast = both(text)
    assert slow.cta is not None and slow.cta.url == "/signup/"
    assert fast is None, "a ::: line inside a fence is left to markdown-it-py"
    text = text.replace("print(1)\n:::\n", "print(1)\n")
    for f, s in ((FAST, SLOW), (FAST_PREFIXED, SLOW_PREFIXED)):
        slow, fast = both(text, fast=f, slow=s)
        assert fast is not None and fast == slow
    assert 'href="/hub/articles/a/"' in fast.html and 'rel="noopener"' in fast.html
    assert '<h2 id="标题-one-1">' in fast.html and fast.cta.text == "立即报名"
    assert [(link.url, link.loc.line, link.loc.column) for link in fast.links][:2] == [
        ("#%E6%A0%87%E9%A2%98-one", 9, 1), ("https://example.com/a?b=1", 9, 21)]  # encoded: not found, column 1


def test_a_body_of_only_its_closing_action():
    slow, fast = both("---\ntitle: t\n---\n\n::: cta signup\n[报名](/s/)\n:::\n")
    assert fast is not None and fast == slow and fast.html == "" and fast.cta.url == "/s/"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_markdown_parses_alike(data):
    plain = ["蛋糕", "面包", "今天", "abc", "x y", "中 文", "。", "，", "1.", "！", "“好”", "（注）", "\u3000", "\u00a0", "é"]
    tricky = ["*", "_", "**", "`", "~~", "~", "!", "#", "-", "+", "[", "]", "(", ")", "|", ":", "::: ", "\"", "'", " ",
              "  ", "https://a.example/", "/articles/x/", "%20", "\\", "&amp;", "<b>", "[^1]", "^[", "￥", "«", "^"]
    words = st.sampled_from(plain * 20 + tricky)  # mostly what the fast path takes, so it is exercised
    inline = st.lists(st.one_of(
        words,
        st.builds(lambda t, u: f"[{t}]({u})", words, st.sampled_from(["/a/", "#标题", "/articles/x/", "https://e.com/"] * 3 + [
            "https://e.com/路", "https://例子.中国/", "/b c/", "javascript:x", "data:image/png,1", "/x%41/", "/x%4/",
            "/a'b/", "/a^b/", "/a[b]/"])),
        st.builds(lambda t: f"![{t}](/i.png)", words),
        st.builds(lambda t: f"**{t}**", words), st.builds(lambda t: f"*{t}*", words),
        st.builds(lambda t: f"`{t}`", words)), min_size=1, max_size=8).map("".join)
    block = st.one_of(
        inline,
        st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 6), inline),
        st.builds(lambda items, mark: "\n".join(f"{mark} {i}" for i in items),
                  st.lists(inline, min_size=1, max_size=3), st.sampled_from(["-", "*", "1."])),
        st.builds(lambda a, b: f"- {a}\n  - {b}", inline, inline),
        st.builds(lambda a, b: f"{a}\n{b}", inline, inline),
        st.builds(lambda a, b: f"- {a}\n  {b}", inline, inline),
        st.builds(lambda t: f"> {t}", inline),
        st.builds(lambda a, b: f"| h | g |\n|---|:-:|\n| {a} | {b} |", inline, inline),
        st.builds(lambda t: f"```\n{t}\n```", inline),
        st.just("---"), st.just("    indented code"),
        st.builds(lambda a, u: f"| {a} |\n{u}", inline, st.sampled_from(["--:", "---", "|---|\n    x", "|---|\n|",
                                                                         "|:-:|", "|---|\n| 1 | 2 | 3 |", "|---|---|",
                                                                         "|---|\n行\n    x", "- |"])),
    )
    blocks = data.draw(st.lists(block, min_size=1, max_size=4))
    cta = data.draw(st.sampled_from(["", "\n\n::: cta signup\n[报名](/s/)\n:::\n", "\n\n::: cta reply\n回复「地图」\n:::\n",
                                     "\n\n::: box 提示\n内容\n:::\n"]))
    text = "---\ntitle: t\n---\n\n" + "\n\n".join(blocks) + cta
    slow, fast = both(text)
    event("fast path" if fast is not None else "left to markdown-it-py")
    if fast is not None:
        assert fast == slow, text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_nested_and_unusual_blocks_parse_alike(data):
    """The structures the fast path reads from the parser's events with their source ranges, and
    declines at its limits: nesting up to past MAX_DEPTH, quotes in lists and lists in quotes, setext
    and empty headings, loose lists, blocks inside tight items (code among them), items that run on
    to the next line, paragraphs of two lines in a quote or a list item, empty table cells."""
    words = st.sampled_from(["蛋糕", "面包", "abc", "x y", "“好”", "a>b", "**粗**", "*斜*", "`码`", "[链](/a/)",
                             "![图](/i.png)", "~~删~~", "\"引\""])
    inline = st.lists(words, min_size=1, max_size=4).map(" ".join)
    block = st.one_of(
        inline,
        st.builds(lambda k, t: "\n".join("  " * i + "- " + t for i in range(k)), st.integers(1, 11), inline),
        st.builds(lambda k, t: ">" * k + " " + t, st.integers(1, 11), inline),
        st.builds(lambda k, t: "\n".join("   " * i + "1. " + t for i in range(k)), st.integers(1, 11), inline),
        st.builds(lambda a, b: f"> - {a}\n> - {b}", inline, inline),
        st.builds(lambda a, b: f"- > {a}\n- # {b}", inline, inline),
        st.builds(lambda a, u: f"{a}\n{u}", inline, st.sampled_from(["===", "---", "-"])),
        st.builds(lambda a, b: f"{a}\n{b}\n===", inline, inline),
        st.builds(lambda a, b: f"- {a}\n\n- {b}", inline, inline),
        st.builds(lambda a, b: f"- {a}\n  ```\n  x\n  ```\n  {b}", inline, inline),
        st.builds(lambda a, b: f"- `{a}\n  {b}`", inline, inline),
        st.builds(lambda a: f"- [{a}](\n/x/)", inline),
        st.builds(lambda a, b: f"- {a}\n\n  {b}", inline, inline),
        st.builds(lambda a, b: f"1. {a}\n   > {b}", inline, inline),
        st.builds(lambda a, b: f"> {a}\n> {b}", inline, inline),
        st.builds(lambda a, b: f"> {a}\n{b}", inline, inline),
        st.builds(lambda a, b, c: f"- {a}\n\n  {b}\n  {c}", inline, inline, inline),
        st.builds(lambda a: f"| {a} |  |\n|---|---|\n|  | {a} |", inline),
        st.builds(lambda a: f"- {a}\n  ```\n  x\n  ```", inline),
        st.builds(lambda a, b: f"- {a}\n\n      code\n- {b}", inline, inline),
        st.sampled_from(["#", "## ", "###  ##", ">", "-", "1.", "- \n  - x", "* * *"]),
    )
    blocks = data.draw(st.lists(block, min_size=1, max_size=4))
    text = "---\ntitle: t\n---\n\n" + "\n\n".join(blocks) + "\n"
    slow, fast = both(text)
    event("fast path" if fast is not None else "left to markdown-it-py")
    if fast is not None:
        assert fast == slow, text


def test_pathological_markdown_never_reaches_the_rust_parser():
    """The fast path declines these before parsing, leaving them to markdown-it-py's limits
    (markdown-it-pyrs, the Rust parser it used first, was not linear on all of them: nested emphasis
    took 11 s); a short tangle it takes comes out the same."""
    import time

    from test_bad_markdown import PATHOLOGICAL

    for case, (src, _) in PATHOLOGICAL.items():
        started = time.process_time()
        fast = _fast_body(FAST, src, "content/articles/x.md", 1, tuple(src.split("\n")))
        assert time.process_time() - started < 0.5, case
        if len(src) > 1000:
            assert fast is None, case
        elif fast is not None:  # a short tangle it takes must come out the same
            assert fast == parse_body(SLOW, src, "content/articles/x.md", 1, tuple(src.split("\n"))), case


@given(st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_closing_action_shortcut_matches_markdown_it_py(data):
    """The plainest closing actions (`::: cta kind`, `[label](/path)`, `:::`) skip markdown-it-py;
    every other form is still parsed by it. Both give the same action, locations included."""
    kind = data.draw(st.sampled_from(["", " book", " reply", " signup", " Book", " nope", "  book", " book "]))
    label = data.draw(st.text(alphabet="报名回复「」“”地图 ab*_`[]()&<>!\\~\t\u3000-#:%=", min_size=0, max_size=10))
    url = data.draw(st.sampled_from(["/s/", "/stores/", "/a-b_c.d/x", "https://example.com/", "/中文/", "/a b/",
                                     "/a?b=1", "", "/x/(y)"]))
    tail = data.draw(st.sampled_from(["\n", "", "\n\n\n", "  \n", "\n以后"]))
    text = f"---\ntitle: t\n---\n\n正文一段。\n\n::: cta{kind}\n[{label}]({url})\n:::{tail}"
    slow, fast = both(text)
    event("fast path" if fast is not None else "left to markdown-it-py")
    if fast is not None:
        assert fast.cta == slow.cta and fast == slow, text


def test_the_closing_action_shortcut_is_taken_for_the_plain_form():
    from site_gen.load import markdown

    text = "---\ntitle: t\n---\n\n正文。\n\n::: cta reply\n[回复「地图」](/map/)\n:::\n"
    fresh = make_markdown(False, "/")
    slow, fast = both(text, fast=fresh)
    assert fresh._md is None  # markdown-it-py was never needed, so never made
    assert markdown._SIMPLE_CTA.match("::: cta reply\n[回复「地图」](/map/)\n:::\n")
    assert fast == slow and fast.cta.keyword == "地图" and fast.cta.url_loc.line == 8 and fast.cta.url_loc.column == 10


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("Aa zZ9-_.#中文。，!?ÄİßÉ\u3000\u00a0　の😀`*"), max_size=30))
def test_heading_ids_are_the_anchors_plugins(title):
    """The fast path makes heading ids with its own copy of the anchors plugin's functions (the
    plugin's import pulls in markdown-it-py): the copy must give the plugin's ids."""
    from mdit_py_plugins.anchors.index import slugify as plugin_slugify
    from mdit_py_plugins.anchors.index import unique_slug as plugin_unique

    from site_gen.load.fastmd import slugify, unique_slug

    assert slugify(title) == plugin_slugify(title)
    mine, theirs = set(), set()
    for _ in range(3):
        assert unique_slug(slugify(title), mine) == plugin_unique(plugin_slugify(title), theirs)


_GATE_PIECES = ["\n", "\n\n", " \n", "\u3000\n", "::: cta\n", "::: cta link\n", ":::\n", "::: note\n", "```\n",
                "~~~\n", "````\n", "`a`", "``", "*", "**", "***", "_", "___", "~~", "[", "]", ">", "> > ", "- ",
                "1. ", "12345678. ", "  ", "text", "中文", "x" * 60, "\n- - - - - - - - - - - - - -",
                "\n" + " " * 24 + "x", "\n" + " " * 25 + "x", "\n" + "> " * 12 + ">", ">>>>>>>>"]  # (the nesting and > limits, met and passed)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_GATE_PIECES), max_size=60), st.integers(1, 40))
def test_the_fast_gate_answers_as_the_line_by_line_rules(pieces, times):
    # split_closing_cta visits only the lines a rule can act on; split_closing_cta_by_line is the rules
    body = "".join(pieces) * (times if times > 30 else 1)  # sometimes long enough to pass the block limits
    assert split_closing_cta(body) == split_closing_cta_by_line(body)


def test_the_fast_gate_on_every_article_of_the_example_hub_and_the_golden_site():
    bodies = [f.read_text(encoding="utf-8").split("\n---\n", 1)[1]
              for f in sorted(REPO.glob("content/**/*.md")) + sorted((REPO / "tests/golden/site").glob("content/**/*.md"))]
    assert bodies and [split_closing_cta(b) for b in bodies] == [split_closing_cta_by_line(b) for b in bodies]
    assert any(split_closing_cta(b) is not None and split_closing_cta(b)[1] > 0 for b in bodies)  # a closing block found


def test_the_gates_whitespace_class_is_every_whitespace_but_space_and_newline_and_the_controls():
    """_CONTROL is one character class (three times faster to search than the two it replaced)."""
    from site_gen.load.fastmd import _CONTROL

    for code in range(0x110000):
        c = chr(code)
        expected = (c.isspace() and c not in " \n") or code <= 0x1F and c != "\n" or c in "\x7f\ufeff"
        assert bool(_CONTROL.match(c)) == expected, hex(code)


def test_what_the_two_parsers_write_differently_is_declined_or_rewritten():
    """pulldown-cmark strikes ~one~ tilde, flanks ~~ by punctuation its own way, ends and starts
    tables by other rules, and writes tables, <del> and " otherwise than markdown-it: each case is
    declined (a | outside a table of |-framed rows after a blank line, among them), or the HTML is put
    in markdown-it's layout."""
    for declined in ("~删~", "a~~'b~~", "x ^[注] y", "| a |\n--:", "| a |\n|---|\n    x", "| a |\n|---|\n|",
                     "- a\n  ```\n  x\n  ```", "#x | a | b |\n|---|---|", " ===|\n- |", "| a | b |\n|---|---|\n行\n    /",
                     "段落\n| a |\n|---|", "a | b\n--|--", "| `a|b` |\n|---|"):
        slow, fast = both("---\ntitle: t\n---\n\n" + declined + "\n")
        assert fast is None, declined
    for taken in ("a ~~删~~ b", '他说"好"', "| a | b |\n|:-:|--:|\n| 1 | [2](/x/) |", "| a |\n|---|", "    code"):
        slow, fast = both("---\ntitle: t\n---\n\n" + taken)
        assert fast is not None and fast == slow, taken
    assert "<s>删</s>" in both("---\ntitle: t\n---\n\na ~~删~~ b\n")[1].html


def test_the_differential_fuzz_script_runs_and_finds_no_difference():
    """fuzz/fastmd_diff.py (docs/fuzzing.md) on a few hundred random bodies: its summary line, and no
    body the fast path takes comes out otherwise than from markdown-it-py."""
    p = subprocess.run([sys.executable, str(REPO / "fuzz/fastmd_diff.py"), "--seed", "5", "--cases", "400"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    m = re.fullmatch(r"seed 5: 400 bodies, (\d+) taken by the fast path, 0 different\n", p.stdout)
    assert m and int(m.group(1)) > 10, p.stdout
