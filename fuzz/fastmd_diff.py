"""Differential fuzzing of the Markdown fast path (site_gen/load/fastmd.py) against the reference
parser (markdown-it-py with site-gen's plugins): random bodies built from Markdown's syntax, CJK
text, punctuation and symbols; every body the fast path takes must come out the same (HTML, plain
text, first paragraph, links with their positions, heading ids, text blocks, closing action).

    python fuzz/fastmd_diff.py [--seed 1] [--cases 20000]

Prints each difference (at most 8) and a summary line; exits 1 when it found any. Needs only
site-gen's own dependencies (docs/fuzzing.md).
"""

from __future__ import annotations

import argparse
import random
import sys

from site_gen.load.markdown import _fast_body, make_markdown, parse_body

TOKENS = [
    "蛋糕", "面包", "abc", "x", " ", " ", "  ", "\n", "\n", "\n\n", "\n\n", "，", "。", "！", "“", "”", "（", "）", "￥",
    "©", "«", "»", "😀", "é", "*", "**", "_", "__", "~", "~~", "`", "#", "# ", "## ", "- ", "* ", "+ ", "1. ", "2) ",
    "> ", "| ", " |", "|", "---", "===", ":-:", "--:", "[", "]", "(", ")", "[a](/x/)", "![i](/i.png)",
    '[t](https://e.com/a "t")', "   ", "    ", '"', "'", "!", ".", ",", ":", ";", "?", "```\n", "~~~\n",
    "\n- ", "\n  - ", "\n    - ", "\n   ", "\n> ", "\n> > ", "\n1. ", "\n10. ", "```python\n", "\n```\n",
    "| a | b |\n|---|---|\n", "| 1 | 2 |\n", "](/y/)", "[a]", "(/x/)", "\n\n- a\n\n  b", "a_b", "1", "10", "$",
    "%", "^", "=", "+", "{", "}", "/", "@",
]
FIELDS = ("html", "plain_text", "first_paragraph", "links", "anchors", "cta", "diagnostics")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=20000)
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    fast_parser, slow_parser = make_markdown(False, "/"), make_markdown(False, "/", fast=False)
    taken = differ = 0
    for _ in range(args.cases):
        body = "".join(rnd.choice(TOKENS) for _ in range(rnd.randint(1, 40))) + "\n"
        lines = tuple(("---\ntitle: t\n---\n" + body).split("\n"))
        fast = _fast_body(fast_parser, body, "content/articles/x.md", 4, lines)
        if fast is None:
            continue
        taken += 1
        slow = parse_body(slow_parser, body, "content/articles/x.md", 4, lines)
        if fast != slow:
            differ += 1
            if differ <= 8:
                print(repr(body))
                for name in FIELDS:
                    if getattr(fast, name) != getattr(slow, name):
                        print(f"  {name}\n    reference: {getattr(slow, name)!r}\n    fast path: {getattr(fast, name)!r}")
                if fast.prose != slow.prose:
                    print(f"  prose\n    reference: {[(b.line, b.text) for b in slow.prose.blocks()]}\n"
                          f"    fast path: {[(b.line, b.text) for b in fast.prose.blocks()]}")
    print(f"seed {args.seed}: {args.cases} bodies, {taken} taken by the fast path, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
