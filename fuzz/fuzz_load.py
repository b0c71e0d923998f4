"""Fuzz target: any bytes as an article, a page, a persona, a campaign, a YAML text and a
Markdown body. site-gen must answer with a value or diagnostics at real positions — an exception
(or a crash, a hang) is a bug. Run it with atheris (see docs/fuzzing.md):

    pip install -e ".[fuzz]"
    python fuzz/fuzz_load.py -max_total_time=300 -rss_limit_mb=2048 fuzz/corpus

Without atheris, ``test_one_input`` is plain Python: tests/test_properties.py runs it over the
seed corpus in fuzz/corpus/.
"""

from __future__ import annotations

import os
import sys
import tempfile
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
ROOT = tempfile.mkdtemp(prefix="site-gen-fuzz-")
FILES = {  # where each loader reads the input from
    "article": "content/articles/2026-11-20-fuzz.md",
    "page": "content/pages/fuzz.md",
    "persona": "content/personas/fuzz.yaml",
    "campaign": "content/campaigns/fuzz.yaml",
}
_md: dict = {}


def file_lines(data: bytes) -> list[str]:
    """The file's lines as site-gen counts them: BOM dropped, CRLF/CR as LF, split at LF only."""
    text = data.decode("utf-8", "replace")
    text = text[1:] if text.startswith("\ufeff") else text
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def check_located(diagnostics, rel: str, lines: list[str]) -> None:
    """Every diagnostic names ``rel`` at a 1-based line and column inside ``lines``, with a message."""
    for d in diagnostics:
        loc = d.location
        if loc.path != rel or not 1 <= loc.line <= len(lines) or not 1 <= loc.column <= len(lines[loc.line - 1]) + 1:
            raise AssertionError(f"diagnostic outside the file ({len(lines)} lines): {d}")
        if not d.message or d.hint is None:
            raise AssertionError(f"diagnostic without a message: {d}")


def test_one_input(data: bytes) -> None:
    from site_gen.load.content import load_campaign, load_entry, load_persona
    from site_gen.load.markdown import make_markdown, parse_body
    from site_gen.load.yamlsrc import compose

    if not _md:
        _md.update({html: make_markdown(html) for html in (False, True)})
    html = bool(data[:1]) and data[0] & 1 == 1
    lines = file_lines(data)
    for kind, rel in FILES.items():
        path = os.path.join(ROOT, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        if kind in ("article", "page"):
            _, diagnostics = load_entry(ROOT, rel, kind, _md[html], TZ)
        else:
            _, diagnostics = (load_persona if kind == "persona" else load_campaign)(ROOT, rel)
        check_located(diagnostics, rel, lines)
    text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    _, diagnostics = compose(text, "t.yaml")
    check_located(diagnostics, "t.yaml", text.split("\n"))
    body = parse_body(_md[html], text, "b.md", 1, tuple(text.split("\n")))
    check_located(body.diagnostics, "b.md", text.split("\n"))


def main() -> None:
    import atheris

    with atheris.instrument_imports():
        import site_gen.load.content  # noqa: F401
        import site_gen.load.markdown  # noqa: F401
        import site_gen.load.yamlsrc  # noqa: F401
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
