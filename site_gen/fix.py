"""``site-gen check --fix``: apply the personas' ``avoid → replacement`` substitutions in place.

Only phrases with a replacement are changed, only where VOICE001 finds them (titles, front-matter
summaries, the entry's own action text and body prose — never code), and only when the file still
reads as it was parsed. Each changed file is written atomically (a temp file beside it, then
``os.replace``), keeping its line endings and BOM. Replacements that would need another fix
(the replacement is itself an avoided phrase) or could change what a YAML value means are left
for the editor; VOICE001 keeps reporting them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

from .checks.voice import AvoidMatcher, Hit, avoid_hits
from .load.site import load_site
from .model import Entry

_YAML_UNSAFE = set(":#'\"{}[],&*!|>%@`\n")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def _fixable(hit: Hit, entry: Entry, matcher: AvoidMatcher) -> bool:
    repl = hit.replacement
    if repl is None or "\n" in hit.found or (matcher.pattern and matcher.pattern.search(repl)):
        return False
    if hit.loc.line < entry.body_line:  # a front-matter value: keep YAML reading it the same way
        return not (_YAML_UNSAFE & set(repl))
    return True


def _edits(entry: Entry, matcher: AvoidMatcher) -> list[Hit]:
    out = []
    for hit in avoid_hits(entry, matcher):
        if not _fixable(hit, entry, matcher):
            continue
        line = entry.lines[hit.loc.line - 1] if 0 < hit.loc.line <= len(entry.lines) else ""
        col = hit.loc.column - 1
        if line[col:col + len(hit.found)] == hit.found:  # the position really holds the phrase
            out.append(hit)
    return sorted(set(out), key=lambda h: (h.loc.line, h.loc.column))


def _write_atomically(path: str, data: bytes) -> None:
    folder, name = os.path.split(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _apply(root: str, entry: Entry, hits: list[Hit]) -> bool:
    full = os.path.join(root, entry.path)
    with open(full, "rb") as fh:
        raw = fh.read().decode("utf-8")
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    parts = _LINE_BREAK.split(raw[len(bom):])  # line, break, line, break, …, line
    lines = parts[0::2]
    if tuple(lines) != entry.lines:
        return False  # the file changed since it was read: leave it alone
    by_line: dict[int, list[Hit]] = {}
    for hit in hits:  # sorted by line and column, and never overlapping (one regex scan)
        by_line.setdefault(hit.loc.line - 1, []).append(hit)
    for i, on_line in by_line.items():
        line, pieces, at = lines[i], [], 0
        for hit in on_line:
            col = hit.loc.column - 1
            if col < at:
                continue  # overlaps the previous replacement
            pieces += [line[at:col], hit.replacement]
            at = col + len(hit.found)
        lines[i] = "".join(pieces) + line[at:]
    parts[0::2] = lines
    _write_atomically(full, (bom + "".join(parts)).encode("utf-8"))
    return True


def apply_fixes(root: str) -> list[str]:
    """Fix every file; return one line per substitution: ``path:line:col: found → replacement``."""
    site, _ = load_site(root)
    if site is None:
        return []
    report: list[str] = []
    matchers: dict[str, AvoidMatcher] = {}
    for entry in sorted(site.articles + site.pages, key=lambda e: e.path):
        pid = entry.persona or site.config.default_persona
        persona = site.personas.get(pid) if pid else None
        if persona is None:
            continue
        matcher = matchers.setdefault(persona.id, AvoidMatcher(persona))
        hits = _edits(entry, matcher)
        if not hits:
            continue
        try:
            done = _apply(root, entry, hits)
        except OSError as e:
            report.append(f"{entry.path}: not fixed: the file cannot be written ({e.strerror or e})")
            continue
        if done:
            report += [f"{entry.path}:{h.loc.line}:{h.loc.column}: {h.found} → {h.replacement}" for h in hits]
    return report
