"""Shared by the check-rule tests: run `site-gen check --format json` and pick one rule's findings."""

from __future__ import annotations

import json

from conftest import NOW, run_cli


def found(root, code: str, *args: str) -> list[tuple]:
    """(severity, file, line, column, message, hint) of each `code` diagnostic, in output order."""
    r = run_cli("check", "-C", str(root), "--now", NOW, "--format", "json", *args)
    return [(d["severity"], d["file"], d["line"], d["column"], d["message"], d["hint"])
            for d in json.loads(r.out)["diagnostics"] if d["code"] == code]
