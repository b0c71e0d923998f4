"""Diagnostics are values: code, severity, place, message, hint.

Rules return them; only the CLI (and the preview's overlay) presents them. This module imports
nothing of the pipeline.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace
from typing import Iterable

ERROR = "error"
WARNING = "warning"
OFF = "off"
SEVERITIES = (ERROR, WARNING, OFF)


@dataclass(frozen=True, order=True, slots=True)  # slots: a loaded site holds hundreds of thousands
class Location:
    """A place in a source file. ``path`` is relative to the site root, with ``/``."""

    path: str
    line: int = 1
    column: int = 1

    def shifted(self, lines: int) -> "Location":
        return Location(self.path, self.line + lines, self.column)

    def __reduce__(self):  # unpickled through __init__: faster than dataclasses' __setstate__ for slots
        return (Location, (self.path, self.line, self.column))


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str
    location: Location
    message: str
    hint: str = ""

    @property
    def sort_key(self):
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "message": self.message,
            "hint": self.hint,
        }


def diag(code: str, loc: Location, message: str, hint: str = "", severity: str | None = None) -> Diagnostic:
    """Make a diagnostic with the rule's default severity (looked up lazily to avoid cycles)."""
    if severity is None:
        from .rules import default_severity

        severity = default_severity(code)
    return Diagnostic(code, severity, loc, message, hint)


def apply_policy(
    diagnostics: Iterable[Diagnostic],
    overrides: dict[str, str] | None = None,
    ignored: dict[str, frozenset[str]] | None = None,
) -> list[Diagnostic]:
    """Apply `checks.severity` overrides and per-file `checks.ignore`; sort; drop duplicates."""
    overrides = overrides or {}
    ignored = ignored or {}
    out: dict[tuple, Diagnostic] = {}
    for d in diagnostics:
        if d.code in ignored.get(d.location.path, ()):
            continue
        sev = overrides.get(d.code, d.severity)
        if sev == OFF:
            continue
        if sev != d.severity:
            d = replace(d, severity=sev)
        out.setdefault(d.sort_key, d)
    return sorted(out.values(), key=lambda d: d.sort_key)


@dataclass(frozen=True)
class Summary:
    errors: int
    warnings: int
    by_code: dict[str, int]

    @classmethod
    def of(cls, diagnostics: list[Diagnostic]) -> "Summary":
        return cls(
            errors=sum(1 for d in diagnostics if d.severity == ERROR),
            warnings=sum(1 for d in diagnostics if d.severity == WARNING),
            by_code=dict(sorted(Counter(d.code for d in diagnostics).items())),
        )


def failed(diagnostics: list[Diagnostic], strict: bool) -> bool:
    return any(d.severity == ERROR or (strict and d.severity == WARNING) for d in diagnostics)


# ---------------------------------------------------------------------------------- formats


def format_text(d: Diagnostic) -> str:
    loc = d.location
    head = f"{loc.path}:{loc.line}:{loc.column}: {d.severity} {d.code}: {d.message}"
    return head + (f"\n  hint: {d.hint}" if d.hint else "")


def _gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_prop(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def format_github(d: Diagnostic) -> str:
    loc = d.location
    level = "error" if d.severity == ERROR else "warning"
    msg = d.message + (f" (hint: {d.hint})" if d.hint else "")
    return (
        f"::{level} file={_gh_escape_prop(loc.path)},line={loc.line},col={loc.column},"
        f"title={_gh_escape_prop(d.code)}::{_gh_escape_data(msg)}"
    )


def format_json(diagnostics: list[Diagnostic], summary: dict) -> str:
    return json.dumps(
        {"diagnostics": [d.as_dict() for d in diagnostics], "summary": summary},
        ensure_ascii=False,
        indent=2,
    )


def summary_line(s: Summary) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    return f"{plural(s.errors, 'error')}, {plural(s.warnings, 'warning')}"
