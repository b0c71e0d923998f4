"""Property-based tests (issue 7 §5): whatever text the loader and the Markdown pipeline are given,
they return a value or None and diagnostics — never an exception — and every diagnostic points at
a real place: 1-based line and column inside the file."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_gen.load.content import load_campaign, load_entry, load_persona
from site_gen.load.markdown import make_markdown, parse_body
from site_gen.load.yamlsrc import compose

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
import fuzz_load  # noqa: E402  (the atheris target; runs here without atheris)

TZ = ZoneInfo("Asia/Shanghai")
MD = {html: make_markdown(html) for html in (False, True)}
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# pieces that mean something to YAML, Markdown, the front-matter splitter or the reader
FRAGMENTS = [
    "---", "...", "\n", "\n\n", ": ", ":", "- ", "  ", "    ", "\t", "#", " #x", "&a ", "*a", "!!python/name:os.system ",
    "!!str ", "!!int ", "!!bool ", "!!timestamp ", "!!map ", "!!seq ", "!x ", "<<: ", "? ", "[", "]", "{", "}", ", ",
    "'", '"', "|", ">", "title: ", "date: ", "cta: ", "tags: ", "extra: ", "voice: ", "avoid: ", "starts: ", "ends: ",
    "kind: ", "url: ", "text: ", "2024-02-30", "2026-11-20", "2026-11-20T25:00:00", "yes", "NO", "01234", "1:30",
    "0x1", "1.10", ".nan", "~", "null", "\u2028", "\x85", "\u2029", "\ufeff", "\r\n", "\r", "\x00", "\x01", "é", "e\u0301",
    "你好", "\U0001f600", "`", "```", "~~~", "*", "_", "**", "[a](b)", "[a](javascript:x)", "![i](/x.png)", "<script>",
    "<div>", "</div>", "::: cta signup", "::: cta", "::: box", ":::", "> ", "1. ", "* ", "[^1]", "[^1]: ", "&#106;",
    "%", "\\", "| a | b |\n|---|---|", "{{", "}}", "{%", "%}", "<!--", "-->", "    code", "\n# ", "===",
]
piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6))
TEXT = st.lists(piece, max_size=50).map("".join)
FRONT_THEN_BODY = st.tuples(TEXT, TEXT).map(lambda fb: f"---\n{fb[0]}\n---\n{fb[1]}")
DOCUMENT = st.one_of(TEXT, FRONT_THEN_BODY)


file_lines = fuzz_load.file_lines
assert_located = fuzz_load.check_located


_dir = tempfile.TemporaryDirectory(prefix="site-gen-props-")
ROOT = Path(_dir.name)


def write(rel: str, data: bytes) -> None:
    path = ROOT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@SETTINGS
@given(doc=DOCUMENT, kind=st.sampled_from(["article", "page"]))
def test_load_entry_never_raises_and_locates(doc, kind):
    rel = "content/articles/2026-11-20-x.md" if kind == "article" else "content/pages/x.md"
    data = doc.encode("utf-8", "surrogatepass")
    write(rel, data)
    entry, diagnostics = load_entry(str(ROOT), rel, kind, MD[False], TZ)
    assert entry is None or entry.path == rel
    assert_located(diagnostics, rel, file_lines(data))


@SETTINGS
@given(data=st.binary(max_size=300))
def test_load_entry_takes_any_bytes(data):
    rel = "content/articles/2026-11-20-b.md"
    write(rel, data)
    entry, diagnostics = load_entry(str(ROOT), rel, "article", MD[True], TZ)
    assert_located(diagnostics, rel, file_lines(data))


@SETTINGS
@given(text=TEXT, which=st.sampled_from(["persona", "campaign"]))
def test_persona_and_campaign_files_never_raise_and_locate(text, which):
    rel = f"content/{which}s/x.yaml"
    data = text.encode("utf-8", "surrogatepass")
    write(rel, data)
    value, diagnostics = (load_persona if which == "persona" else load_campaign)(str(ROOT), rel)
    assert value is None or value.id == "x"
    assert_located(diagnostics, rel, file_lines(data))


@SETTINGS
@given(text=TEXT, offset=st.integers(0, 3))
def test_compose_never_raises_and_locates(text, offset):
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # what the reader hands over
    node, diagnostics = compose(text, "f.yaml", line_offset=offset)
    lines = [""] * offset + text.split("\n")
    assert_located(diagnostics, "f.yaml", lines)


@SETTINGS
@given(body=TEXT, html=st.booleans(), head=st.integers(0, 3))
def test_parse_body_never_raises_and_locates(body, html, head):
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = [""] * head + body.split("\n")
    out = parse_body(MD[html], body, "a.md", head + 1, tuple(lines))
    assert_located(out.diagnostics, "a.md", lines)
    for link in out.links:
        assert 1 <= link.loc.line <= len(lines) and link.loc.column >= 1
    for block in out.prose.blocks():
        assert 1 <= block.line <= len(lines)
    assert isinstance(out.html, str)


def test_the_fuzz_target_runs_its_seed_corpus():
    corpus = Path(fuzz_load.__file__).parent / "corpus"
    seeds = sorted(corpus.iterdir())
    assert len(seeds) >= 5
    for seed in seeds:
        fuzz_load.test_one_input(seed.read_bytes())


def teardown_module():
    _dir.cleanup()


# characters at the edges of what reading_minutes counts: CJK ranges, ASCII letters and digits, the
# three joiners, and their neighbours (the letters' case pairs, fullwidth forms, other scripts)
_COUNTED = st.text(st.one_of(
    st.sampled_from("azAZ09@[`{/:'’‘-–_ \n.,İıſKǄａＡ０"),
    st.sampled_from([chr(c) for b in (0x3400, 0x9FFF, 0xF900, 0xFAFF, 0x3040, 0x30FF, 0xAC00, 0xD7AF)
                     for c in (b - 1, b, b + 1)]),
    st.characters(max_codepoint=0x2FFFF)), max_size=80)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(text=_COUNTED)
def test_the_reading_time_counts_with_numpy_are_the_regexes(text):
    """A loading worker counts a text's CJK characters and words with numpy (it has it for the
    originality sketch): the same counts as the two regular expressions."""
    from site_gen.checks.originality import use_numpy
    from site_gen.load.content import _counts, _np_counts

    use_numpy(10_000)
    assert _np_counts(text) == _counts(text)
