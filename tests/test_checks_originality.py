"""ORIG001: near-duplicate articles, and articles copied from texts in --against DIR."""

from __future__ import annotations

import math
import os
import random
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkrun import found as orig_found
from conftest import NOW, generated_hub, run_cli

from site_gen.checks.originality import (NUMPY_FROM, SHINGLE, Text, bands_for, candidate_pairs, codepoints, norm_text,
                                           sketch, sketch_py)

A = "content/articles/2026-11-10-original.md"
B = "content/articles/2026-11-18-copy.md"


def sentences(seed: int, n: int = 30) -> list[str]:
    rng = random.Random(seed)
    return ["".join(chr(0x4E00 + rng.randrange(3000)) for _ in range(15)) for _ in range(n)]


def article(date: str, parts: list[str], extra: str = "") -> str:
    body = "。".join(parts[:15]) + "。\n\n## 做法\n\n" + "，".join(parts[15:]) + "。"
    return f"---\ntitle: 文章\ndate: {date}\ntags: [烘焙]\n{extra}---\n\n{body}\n\n::: cta book\n[预约到店](/contact/)\n:::\n"


def expected_percent(a: str, b: str) -> int:
    """The spec's definition, computed independently: 5-character shingles without spaces/punctuation."""
    def shingles(t):
        t = re.sub(r"[\W_]+", "", t).lower()
        return {t[i:i + 5] for i in range(len(t) - 4)}
    sa, sb = shingles(a), shingles(b)
    return math.floor(100 * len(sa & sb) / len(sa | sb))


def found(root, *args):
    return orig_found(root, "ORIG001", *args)


def test_pair_with_a_few_sentences_edited_is_reported_at_the_newer_article(site):
    orig = sentences(1)
    edited = list(orig)
    edited[3] = sentences(2, 1)[0]
    edited[20] = edited[20][:7] + "改过的几个字" + edited[20][13:]
    pct = expected_percent("".join(orig[:15]) + "做法" + "".join(orig[15:]),
                           "".join(edited[:15]) + "做法" + "".join(edited[15:]))
    assert 80 <= pct < 100
    root = site({A: article("2026-11-10", orig), B: article("2026-11-18", edited)})
    assert found(root) == [
        ("warning", B, 1, 1, f"{B} is {pct}% similar to {A}",
         "rewrite one of them in its own words; for a deliberate repost add `checks: {ignore: [ORIG001]}` "
         "to its front matter")]


def test_unrelated_articles_and_short_boilerplate_are_not_reported(site):
    short = "---\ntitle: 短\ndate: 2026-11-1{d}\n---\n\n营业时间调整通知。\n\n::: cta book\n[预约到店](/contact/)\n:::\n"
    root = site({A: article("2026-11-10", sentences(1)), B: article("2026-11-18", sentences(3)),
                 "content/articles/2026-11-11-s1.md": short.format(d=1),
                 "content/articles/2026-11-12-s2.md": short.format(d=2)})
    r = run_cli("check", "-C", str(root), "--now", NOW, "--strict")
    assert r.code == 0, r.text


def test_threshold_is_configurable(site):
    orig = sentences(1)
    edited = list(orig)
    edited[3] = sentences(2, 1)[0]
    root = site({A: article("2026-11-10", orig), B: article("2026-11-18", edited)})
    with open(root / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write("checks:\n  originality: {threshold: 0.95}\n")
    assert found(root) == []


def test_identical_repost_can_be_silenced_in_its_front_matter(site):
    orig = sentences(1)
    root = site({A: article("2026-11-10", orig), B: article("2026-11-18", orig, "checks: {ignore: [ORIG001]}\n")})
    assert found(root) == []


def test_against_finds_an_article_copied_from_html_txt_and_md(site, tmp_path):
    copied, from_txt, from_md = sentences(5), sentences(6), sentences(7)
    refs = tmp_path / "refs"
    (refs / "sub").mkdir(parents=True)
    (refs / "page.html").write_text(
        "<html><head><title>x</title><script>var a = 1;</script></head><body><p>"
        + "</p><p>".join(copied) + "</p><style>p{}</style></body></html>", encoding="utf-8")
    (refs / "sub" / "note.txt").write_text("\n".join(from_txt), encoding="utf-8")
    (refs / "sub" / "post.md").write_text("---\ntitle: 别处\n---\n\n" + "，".join(from_md), encoding="utf-8")
    (refs / "ignored.pdf").write_bytes(b"%PDF" + "".join(sentences(8)).encode())
    c = "content/articles/2026-11-12-c.md"
    d = "content/articles/2026-11-13-d.md"
    root = site({A: article("2026-11-10", copied), c: article("2026-11-12", from_txt),
                 d: article("2026-11-13", from_md), B: article("2026-11-18", sentences(9))})
    ref = str(refs).replace("\\", "/")

    def pct(parts):  # the article has a heading the reference lacks
        return expected_percent("".join(parts[:15]) + "做法" + "".join(parts[15:]), "".join(parts))
    assert [(f, msg) for _s, f, _l, _c, msg, _h in found(root, "--against", str(refs))] == [
        (A, f"{A} is {pct(copied)}% similar to {ref}/page.html"),
        (c, f"{c} is {pct(from_txt)}% similar to {ref}/sub/note.txt"),
        (d, f"{d} is {pct(from_md)}% similar to {ref}/sub/post.md"),
    ]
    assert found(root) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_against_skips_a_named_pipe_instead_of_waiting_on_it(site, tmp_path):
    # a FIFO with a reference's name: opening it for reading would block until a writer came
    copied = sentences(5)
    refs = tmp_path / "refs"
    refs.mkdir()
    os.mkfifo(refs / "a-pipe.md")
    (refs / "b-real.txt").write_text("\n".join(copied), encoding="utf-8")
    root = site({A: article("2026-11-10", copied)})
    ref = str(refs).replace("\\", "/")
    pct = expected_percent("".join(copied[:15]) + "做法" + "".join(copied[15:]), "".join(copied))
    # (run_cli's timeout fails the test if the check waits on the pipe)
    assert [(f, msg) for _s, f, _l, _c, msg, _h in found(root, "--against", str(refs))] == [
        (A, f"{A} is {pct}% similar to {ref}/b-real.txt"),
    ]


def test_against_a_missing_folder_is_a_usage_error(site, tmp_path):
    r = run_cli("check", "-C", str(site()), "--now", NOW, "--against", str(tmp_path / "nope"))
    assert r.code == 2
    assert "--against" in r.err


def test_lsh_finds_every_near_duplicate_among_many_texts():
    rng = random.Random(7)
    texts = ["".join(chr(0x4E00 + rng.randrange(5000)) for _ in range(rng.randint(300, 1500))) for _ in range(600)]
    dupes = {}
    for k in range(30):  # 30 near-duplicates: a few edits each, similarity 0.80–0.95
        src = texts[k]
        chars = list(src)
        for _ in range(len(chars) // 120):
            at = rng.randrange(len(chars))
            chars[at] = chr(0x9000 + rng.randrange(500))
        texts.append("".join(chars))
        dupes[k] = len(texts) - 1
    items = [Text(str(i), norm_text(t)) for i, t in enumerate(texts)]
    pairs = candidate_pairs(items, 0.8)
    for a, b in dupes.items():
        assert (a, b) in pairs
    assert len(pairs) < 200  # unrelated texts are (almost) never candidates


def test_bands_find_pairs_at_the_threshold_with_high_probability():
    for threshold in (0.5, 0.8, 0.9):
        bands, rows = bands_for(threshold)
        assert (1 - threshold ** rows) ** bands <= 0.005


_ALPHABET = st.sampled_from(["中", "文", "字", "a", "B", "7", " ", "，", "İ", "ß", "\u3000", "𠀋", "😀", "_", "-"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, min_size=0, max_size=300).map("".join))
def test_the_plain_python_sketch_equals_the_numpy_one(text):
    """A warm build sketches its few changed articles without numpy: the bytes must be those a
    cold build's numpy pass gives, or a warm build would judge originality differently."""
    assert norm_text(text) == codepoints(text).tobytes().decode("utf-32-le", "surrogatepass")
    if len(norm_text(text)) >= SHINGLE:
        assert sketch_py(norm_text(text)) == sketch(codepoints(text))


def test_the_sketches_agree_whether_or_not_every_bin_is_filled():
    # sketch() writes a text that fills every bin straight from numpy, and fills empty bins in Python
    import random

    rnd = random.Random(5)
    chars = "中文字词句段落标点符号的了是在有和人这我们他"
    for length in (6, 40, 120, 2000, 5000):
        text = "".join(rnd.choice(chars) for _ in range(length))
        hashes = len(norm_text(text)) - SHINGLE + 1
        assert sketch_py(norm_text(text)) == sketch(codepoints(text)), length
        if length >= 2000:
            assert hashes > 10 * 128  # every one of the 128 bins filled, all but surely


def test_a_warm_build_with_one_change_does_not_import_numpy(tmp_path, tmp_path_factory):
    hub = generated_hub(tmp_path_factory, "numpy", NUMPY_FROM + 6)
    out = tmp_path / "out"
    probe = ("import sys\nfrom site_gen.cli import main\n"
             "code = main(['build', '-C', %r, '--now', '2026-11-23', '--out', %r, '--quiet'])\n"
             "print('numpy' in sys.modules, code)")
    cold = subprocess.run([sys.executable, "-c", probe % (str(hub), str(out))], capture_output=True, text=True)
    assert cold.stdout.splitlines()[-1].split() == ["True", "0"], cold.stderr
    first = sorted((hub / "content" / "articles").iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8").replace("\n---\n\n", "\n---\n\n改了一句。", 1), encoding="utf-8")
    warm = subprocess.run([sys.executable, "-c", probe % (str(hub), str(out))], capture_output=True, text=True)
    assert warm.stdout.splitlines()[-1].split() == ["False", "0"], warm.stderr


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.data())
def test_the_numpy_band_grouping_finds_the_same_candidates(data):
    """With numpy loaded and 64+ sketches, the bands two sketches share are found by hashing each
    band to 64 bits and sorting (then compared byte for byte); the candidate pairs are those of the
    plain-Python slicing of every band: on random sketches, some sharing one or more bands with
    others, a few identical."""
    from site_gen.checks import originality as o

    rnd = random.Random(data.draw(st.integers(0, 10**9)))
    n = data.draw(st.integers(o.NUMPY_FROM, 300))
    sketches = [rnd.randbytes(o.BINS * 8) for _ in range(n)]
    bands, rows = o.bands_for(0.8)
    width = rows * 8
    for _ in range(data.draw(st.integers(0, 40))):  # copy some bands (or whole sketches) across
        a, b = rnd.randrange(n), rnd.randrange(n)
        band = rnd.randrange(bands + 1)
        if band == bands:
            sketches[b] = sketches[a]
        else:
            s = bytearray(sketches[b])
            s[band * width:(band + 1) * width] = sketches[a][band * width:(band + 1) * width]
            sketches[b] = bytes(s)
    texts = [o.Text(f"t{i}", None, sig=s) for i, s in enumerate(sketches)]
    saved = o._Np.np
    try:
        o._Np.np = None
        plain = o.candidate_pairs(texts, 0.8)
        o.use_numpy(o.NUMPY_FROM)
        assert o._Np.np is not None
        assert o.candidate_pairs(texts, 0.8) == plain
    finally:
        o._Np.np = saved


def test_sketches_whose_band_hashes_collide_are_paired_only_on_equal_bytes(monkeypatch):
    """A band hash that collides (forced here: with the multiplier 0 a band hashes to its last
    value) makes suspects, not candidates: sketches that share only that value are no pair."""
    from site_gen.checks import originality as o

    o.use_numpy(o.NUMPY_FROM)
    monkeypatch.setattr(o, "_MIX1", 0)
    rnd = random.Random(5)
    bands, rows = o.bands_for(0.8)
    width = rows * 8
    sketches = [bytearray(rnd.randbytes(o.BINS * 8)) for _ in range(o.NUMPY_FROM)]
    sketches[1][width - 8:width] = sketches[0][width - 8:width]  # band 0's last value only
    sketches[3][width:2 * width] = sketches[2][width:2 * width]  # the whole of band 1
    texts = [o.Text(f"t{i}", None, sig=bytes(s)) for i, s in enumerate(sketches)]
    assert o.candidate_pairs(texts, 0.8) == {(2, 3)}
