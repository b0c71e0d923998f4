"""VOICE001–VOICE002: content speaks in its persona's voice.

VOICE001 finds the phrases a persona avoids (``voice.avoid``) in titles, summaries written in
front matter, body prose (never in code) and the entry's own call-to-action text; VOICE002
finds sentences longer than the persona's ``max_sentence_chars``. Chinese phrases match as substrings (Chinese has no word boundaries);
phrases in ASCII match case-insensitively and as whole words, with any run of spaces between
their words. ``site_gen.fix`` reuses :func:`avoid_hits` to apply the replacements.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..diagnostics import Diagnostic, Location, diag
from ..load.markdown import blank_code_spans  # the rule the loader blanks TextBlocks with
from ..model import Entry, Persona, TextBlock

_ASCII_WORD = "A-Za-z0-9_"
_SENTENCE_END = re.compile(r"(?:[。！？!?…]+|\.(?=\s|$))[”」』’\"')）]*")
_MARKUP = re.compile(r"!?\[\^?|\]\([^)]*\)|\]|[*`~]|\s+")  # link targets, emphasis, spaces: not counted
# _may_run_long, a quick test before the exact one: a sentence of sentences() that holds no "。"
# lies between two of them; one that does is what comes before its first "。" (again between two),
# that "。" and the rest of its end (more 。！？!?… and closing quotes). So when no stretch between
# two "。" is longer than limit - _TAIL and no "。" is followed by _TAIL such characters, no
# sentence is longer than limit. Scans for one literal "。" are several times faster than
# _SENTENCE_END's, which tries its alternatives at every character.
_TAIL = 4
# Between the blocks of an entry's prose searched at once (_prose): a line break, a sentence end
# and a line break. Every phrase and sentence of a block is there whole and no sentence runs on
# into the next block; a phrase may straddle two blocks, which the per-block pass then drops.
_BLOCK_GAP = "\n。\n"


@dataclass(frozen=True)
class Hit:
    """One avoided phrase as written in a source file."""

    loc: Location
    phrase: str  # the key in voice.avoid
    found: str  # the text that matched (may differ in case, or span a line break)
    replacement: str | None
    field: str  # "title" | "summary" | "cta" | "body"


class AvoidMatcher:
    """One regular expression for all of a persona's avoided phrases (longest first)."""

    def __init__(self, persona: Persona):
        self.persona = persona
        self.replacement: dict[str, tuple[str, str | None]] = {}
        parts, ascii_parts, literals = [], [], []
        for phrase, repl in sorted(persona.avoid, key=lambda pr: (-len(pr[0]), pr[0])):
            if not phrase.strip():
                continue
            self.replacement[self._key(phrase)] = (phrase, repl)
            if phrase.isascii():
                words = r"\s+".join(re.escape(w) for w in phrase.split())
                parts.append(rf"(?<![{_ASCII_WORD}])(?i:{words})(?![{_ASCII_WORD}])")
                ascii_parts.append(parts[-1])
            else:
                parts.append(re.escape(phrase))
                literals.append(phrase)
        self.pattern = re.compile("|".join(parts)) if parts else None
        # for occurs_in: the ASCII phrases alone; the others match exactly as written (substrings)
        self.ascii_pattern = re.compile("|".join(ascii_parts)) if ascii_parts else None
        self.literals = tuple(literals)

    @staticmethod
    def _key(text: str) -> str:
        return " ".join(text.split()).lower()

    def occurs_in(self, text: str) -> bool:
        """Whether ``pattern`` matches anywhere in ``text``: substring tests (much cheaper than the
        regular expression's scan) for the phrases that are not ASCII, the expression for the rest."""
        return (any(phrase in text for phrase in self.literals)
                or (self.ascii_pattern is not None and self.ascii_pattern.search(text) is not None))

    def finditer(self, text: str) -> Iterator[tuple[re.Match, str, str | None]]:
        """(match, avoided phrase, replacement) for each occurrence in ``text``."""
        if self.pattern is None or not text:
            return
        for m in self.pattern.finditer(text):
            phrase, repl = self.replacement.get(self._key(m.group(0)), (m.group(0), None))
            yield m, phrase, repl


# -------------------------------------------------------------------------------- positions


def _nth(pattern: re.Pattern, haystack: str, n: int, start: int = 0) -> int:
    """Index of the n-th (0-based) match at or after ``start``, or -1."""
    for i, m in enumerate(pattern.finditer(haystack, start)):
        if i == n:
            return m.start()
    return -1


class Locator:
    """File positions of offsets in an entry's text blocks.

    A block's line is ``block.line`` plus the line breaks before the offset; the column comes from
    finding that line of the block in the file line (code spans blanked alike). Blocks on one
    line (table cells) are found left to right, each after the one before. Everything per block
    line is computed once, so many hits on one long line stay linear."""

    def __init__(self, entry: Entry):
        self.entry = entry
        self.cursor: dict[int, int] = {}  # file line -> where the next block on it may start
        self.starts: dict[int, list[int]] = {}  # block id -> offsets where its lines start
        self.bases: dict[tuple[int, int], int] = {}  # (block id, line) -> column offset or -1
        self.blanked: dict[int, str] = {}  # file line -> the line with code spans blanked
        self.occurrences: dict[tuple, tuple[list[int], list[int]]] = {}

    def _file_line(self, line_no: int) -> str:
        if line_no not in self.blanked:
            self.blanked[line_no] = blank_code_spans(self.entry.lines[line_no - 1])
        return self.blanked[line_no]

    def _base(self, block: TextBlock, line_no: int, t_line: str) -> int:
        key = (id(block), line_no)
        if key not in self.bases:
            file_line, start = self._file_line(line_no), self.cursor.get(line_no, 0)
            base = file_line.find(t_line, start) if t_line else -1
            if base < 0 and t_line.strip():
                lead = len(t_line) - len(t_line.lstrip())
                base = file_line.find(t_line.strip(), start)
                base = base - lead if base >= lead else -1
            if base >= 0:
                self.cursor[line_no] = base + len(t_line)
            self.bases[key] = base
        return self.bases[key]

    def _same_occurrence(self, block: TextBlock, line_no: int, t_line: str, within: int, needle: str) -> int:
        """The parser rewrote the line (tabs …): the file column of the same occurrence of the needle."""
        key = (id(block), line_no, needle)
        if key not in self.occurrences:
            find = lambda hay: [m.start() for m in re.finditer(re.escape(needle), hay)]  # noqa: E731
            self.occurrences[key] = (find(t_line), find(self._file_line(line_no)))
        in_block, in_file = self.occurrences[key]
        k = bisect.bisect_left(in_block, within)
        return in_file[k] if k < len(in_file) else -1

    def at(self, block: TextBlock, offset: int, needle: str = "") -> Location:
        entry, text = self.entry, block.text
        if id(block) not in self.starts:
            self.starts[id(block)] = [0] + [m.end() for m in re.finditer("\n", text)]
        starts = self.starts[id(block)]
        index = bisect.bisect_right(starts, offset) - 1
        line_start, line_no = starts[index], block.line + index
        if not 0 < line_no <= len(entry.lines):
            return Location(entry.path, max(1, min(line_no, len(entry.lines) or 1)), 1)
        within = offset - line_start
        if (id(block), line_no) in self.bases:
            base = self.bases[(id(block), line_no)]
            t_line = None
        else:
            t_line = text[line_start:starts[index + 1] - 1 if index + 1 < len(starts) else len(text)]
            base = self._base(block, line_no, t_line)
        if base >= 0:
            return Location(entry.path, line_no, base + within + 1)
        if needle:
            if t_line is None:
                t_line = text[line_start:starts[index + 1] - 1 if index + 1 < len(starts) else len(text)]
            at = self._same_occurrence(block, line_no, t_line, within, needle)
            if at >= 0:
                return Location(entry.path, line_no, at + 1)
        return Location(entry.path, line_no, 1)


def field_location(lines: tuple[str, ...], loc: Location, pattern: re.Pattern, nth: int) -> Location:
    """The n-th match of ``pattern`` in a front-matter value that starts at ``loc``."""
    if 0 < loc.line <= len(lines):
        at = _nth(pattern, lines[loc.line - 1], nth, max(0, loc.column - 1))
        if at >= 0:
            return Location(loc.path, loc.line, at + 1)
    return loc


# ------------------------------------------------------------------------------------ VOICE001


def _prose(entry: Entry) -> str:
    """All of an entry's prose blocks in one string, for tests of the whole entry at once."""
    return entry.prose.joined(_BLOCK_GAP)


def avoid_hits(entry: Entry, matcher: AvoidMatcher, prose: str | None = None) -> Iterator[Hit]:
    """Every avoided phrase in the entry's title, front-matter summary and body prose
    (``prose``: the entry's _prose, when the caller has it already)."""
    if matcher.pattern is None:
        return
    for name, value in (("title", entry.title), ("summary", entry.summary)):
        if name not in entry.locs or not isinstance(value, str):
            continue
        for i, (m, phrase, repl) in enumerate(matcher.finditer(value)):
            loc = field_location(entry.lines, entry.locs[name], matcher.pattern, i)
            yield Hit(loc, phrase, m.group(0), repl, name)
    cta = entry.cta  # the entry's own action (the closing ::: cta block is not in text_blocks)
    if cta is not None and cta.text:
        start = cta.text_loc if cta.source == "front" else Location(entry.path, cta.text_loc.line, 1)
        for i, (m, phrase, repl) in enumerate(matcher.finditer(cta.text)):
            yield Hit(field_location(entry.lines, start, matcher.pattern, i), phrase, m.group(0), repl, "cta")
    if not matcher.occurs_in(_prose(entry) if prose is None else prose):
        return  # most entries: one look at all prose, no per-block work
    where = Locator(entry)
    for block in entry.text_blocks:
        for m, phrase, repl in matcher.finditer(block.text):
            yield Hit(where.at(block, m.start(), m.group(0)), phrase, m.group(0), repl, "body")


def _voice001(persona: Persona, hit_phrase: str, repl: str | None, loc: Location) -> Diagnostic:
    hint = f"write `{repl}` instead" if repl else "rephrase without it"
    return diag("VOICE001", loc, f"{persona.name} avoids `{hit_phrase}`", hint)


# ------------------------------------------------------------------------------------ VOICE002


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) for each sentence of a prose block, Chinese or English."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        yield start, text[start:m.end()]
        start = m.end()
    if start < len(text):
        yield start, text[start:]


def visible_length(sentence: str) -> int:
    """Characters a reader sees: no spaces, no link targets or emphasis markers."""
    return len(_MARKUP.sub("", sentence))


@functools.lru_cache(maxsize=None)
def _long_stretch(limit: int) -> tuple[re.Pattern, re.Pattern]:
    """Patterns for a stretch or an end that may make a sentence longer than ``limit``: at the
    start of the text, after a "。"."""
    n = limit - _TAIL + 1
    return re.compile("[^。]{%d}" % n), re.compile(r"。(?:[^。]{%d}|[。！？!?…”」』’\"')）]{%d})" % (n, _TAIL))


def _may_run_long(text: str, limit: int) -> bool:
    """False when no sentence of ``text`` (or of any block of a _prose) is longer than ``limit``."""
    if limit <= _TAIL:
        return True
    at_start, after = _long_stretch(limit)
    return at_start.match(text) is not None or after.search(text) is not None


def long_sentences(entry: Entry, persona: Persona, prose: str | None = None) -> Iterator[Diagnostic]:
    """VOICE002 for each sentence longer than the persona allows (``prose``: the entry's _prose,
    when the caller has it already)."""
    limit = persona.max_sentence_chars
    if not limit or not _may_run_long(_prose(entry) if prose is None else prose, limit):
        return  # most entries have no sentence that could be too long
    where = Locator(entry)
    for block in entry.text_blocks:
        # cheap filters: _may_run_long, then: a sentence is at most its raw piece plus the longest ending
        text = block.text
        if len(text) <= limit or not _may_run_long(text, limit) or (
                max(map(len, _SENTENCE_END.split(text)))
                + max(map(len, _SENTENCE_END.findall(text)), default=0)) <= limit:
            continue
        for offset, sentence in sentences(block.text):
            n = visible_length(sentence)
            if n <= limit:
                continue
            lead = len(sentence) - len(sentence.lstrip())
            start = offset + lead
            loc = where.at(block, start, text[start:start + 4])
            yield diag("VOICE002", loc,
                       f"this sentence has {n} characters; {persona.name} keeps sentences to {limit}",
                       f"split it into shorter sentences (max_sentence_chars in {persona.path})")


# --------------------------------------------------------------------------------------- check


def entry_persona(entry: Entry, ctx) -> Persona | None:
    pid = entry.persona or ctx.config.default_persona
    return ctx.site.personas.get(pid) if pid else None


def check(ctx) -> Iterable[Diagnostic]:
    site = ctx.site
    matchers: dict[str, AvoidMatcher] = {}

    def matcher(p: Persona) -> AvoidMatcher:
        if p.id not in matchers:
            matchers[p.id] = AvoidMatcher(p)
        return matchers[p.id]

    def of_entry(entry: Entry, persona: Persona) -> Iterator[Diagnostic]:
        prose = _prose(entry)  # for both
        for hit in avoid_hits(entry, matcher(persona), prose):
            yield _voice001(persona, hit.phrase, hit.replacement, hit.loc)
        yield from long_sentences(entry, persona, prose)

    voices: dict[str, str] = {}  # persona id -> what of it the results depend on
    for entry in ctx.schedule.published + ctx.schedule.pages:
        persona = entry_persona(entry, ctx)
        if persona is None:
            continue  # an unknown persona is REF001's
        if persona.id not in voices:
            voices[persona.id] = repr((persona.id, persona.path, persona.name, persona.avoid, persona.max_sentence_chars))
        yield from ctx.per_entry("voice", entry, voices[persona.id],
                                 lambda entry=entry, persona=persona: of_entry(entry, persona))
    for campaign in site.campaigns.values():
        pid = campaign.persona or ctx.config.default_persona
        persona = site.personas.get(pid) if pid else None
        if persona is None or matcher(persona).pattern is None:
            continue
        lines: tuple[str, ...] | None = None
        for name, value in (("title", campaign.title), ("summary", campaign.summary)):
            if name not in campaign.locs:
                continue
            for i, (m, phrase, repl) in enumerate(matcher(persona).finditer(value)):
                if lines is None:
                    lines = _file_lines(site.root, campaign.path)
                loc = field_location(lines, campaign.locs[name], matcher(persona).pattern, i)
                yield _voice001(persona, phrase, repl, loc)


def _file_lines(root: str, rel: str) -> tuple[str, ...]:
    from ..load.files import read_text

    src, _ = read_text(root, rel)
    return tuple(src.text.split("\n")) if src else ()
