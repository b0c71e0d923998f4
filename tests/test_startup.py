"""Start-up: `site-gen --version` and `site-gen check` on a tiny site do not import what they do
not use (issue "Fast at every size"). Read from the real entry point's `python -X importtime`."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import NOW, run_cli

# what only rendering, the originality check at scale, QR codes, exports or the preview need
RENDERING = {"jinja2", "markupsafe", "numpy", "segno", "css_inline", "watchdog"}


def imported(*args: str) -> set[str]:
    """Every module a real `python -X importtime -m site_gen …` run imports."""
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "site_gen", *args], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "PYTHONUTF8": "1"})
    assert "Traceback" not in p.stderr, p.stderr
    return {line.rsplit("|", 1)[1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")}


def test_version_imports_the_command_line_alone():
    mods = imported("--version")
    assert {m for m in mods if m.startswith("site_gen")} == {"site_gen", "site_gen.cli"}
    assert not mods & (RENDERING | {"yaml", "pyromark", "markdown_it", "pypinyin"})


def test_check_of_a_tiny_site_imports_no_renderer(site):
    root = str(site())
    for attempt in ("cold", "warm"):  # (the first check fills the cache, the second reads it)
        mods = imported("check", "-C", root, "--now", NOW)
        assert not mods & RENDERING, attempt
        assert not [m for m in mods if m.startswith("site_gen.render")], attempt
    assert not mods & {"pyromark", "markdown_it", "pypinyin"}  # warm: nothing parsed, no new tag
    assert run_cli("check", "-C", root, "--now", NOW).out.endswith("checked: 0 errors, 0 warnings\n")
