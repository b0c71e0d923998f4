"""Personas, campaigns, articles and pages from content/ (SPEC §3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from zoneinfo import ZoneInfo

from ..checks.originality import loaded_numpy, text_sketch
from ..diagnostics import Diagnostic, Location, diag
from ..model import Campaign, Cta, Detail, Entry, Heavy, Links, Persona
from ..slugs import slug_from_filename, slugify, suggest, unsafe_reason
from .files import read_text, split_front_matter
from .markdown import Parser, parse_body
from .schema import Converter, Rec
from .schemas import ARTICLE, CAMPAIGN, PAGE, PERSONA
from .yamlsrc import compose

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_CJK_RUN = re.compile(_CJK.pattern + "+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")


def _yaml_file(root: str, rel: str, schema: dict, what: str) -> tuple[Rec | None, list[Diagnostic]]:
    src, diagnostics = read_text(root, rel)
    if src is None:
        return None, diagnostics
    node, diagnostics = compose(src.text, rel)
    if node is None and diagnostics:
        return None, diagnostics
    conv = Converter(rel, lines=tuple(src.text.split("\n")))
    rec = conv.record(node, schema, what, whole_file=Location(rel, 1, 1))
    return rec, diagnostics + conv.diagnostics


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _check_id(kind: str, ident: str, rel: str, diagnostics: list[Diagnostic]) -> None:
    reason = unsafe_reason(ident)
    if reason:
        diagnostics.append(diag("URL002", Location(rel, 1, 1), f"the {kind} id `{ident}` {reason}",
                                f"rename the file to {suggest(ident)}.yaml (ids are a-z, 0-9 and -)"))


def load_persona(root: str, rel: str) -> tuple[Persona | None, list[Diagnostic]]:
    rec, diagnostics = _yaml_file(root, rel, PERSONA, rel.rsplit("/", 1)[-1])
    if rec is None:
        return None, diagnostics
    ident = _stem(rel)
    _check_id("persona", ident, rel, diagnostics)
    voice = rec.get("voice", {})
    avoid = voice.get("avoid", {})
    return Persona(
        id=ident, path=rel, name=rec.get("name", ident), avatar=rec.get("avatar"), bio=rec.get("bio", ""),
        address=voice.get("address"),
        avoid=tuple(avoid.items()),
        max_sentence_chars=voice.get("max_sentence_chars"),
        palette=dict(rec.get("palette", {})),
        signature=rec.get("signature", ""),
        loc=Location(rel, 1, 1),
        locs={**rec.val_loc, **{f"avoid:{k}": v for k, v in getattr(avoid, "key_loc", {}).items()}},
    ), diagnostics


def _cta(rec: Rec, key_loc: Location, source: str) -> Cta:
    return Cta(text=rec.get("text", ""), url=rec.get("url"), kind=rec.get("kind", "link"),
               keyword=rec.get("keyword") or (rec.get("text") if rec.get("kind") == "reply" else None),
               source=source, loc=key_loc, text_loc=rec.where("text"), url_loc=rec.where("url"))


def load_campaign(root: str, rel: str) -> tuple[Campaign | None, list[Diagnostic]]:
    rec, diagnostics = _yaml_file(root, rel, CAMPAIGN, rel.rsplit("/", 1)[-1])
    if rec is None or "starts" not in rec or "ends" not in rec:
        return None, diagnostics
    ident = _stem(rel)
    _check_id("campaign", ident, rel, diagnostics)
    as_date = lambda v: v.date() if isinstance(v, dt.datetime) else v  # noqa: E731
    ctas = rec.get("cta", Rec(rec.loc))
    return Campaign(
        id=ident, path=rel, title=rec.get("title", ident), summary=rec.get("summary", ""),
        persona=rec.get("persona"), cover=rec.get("cover"),
        preheat=as_date(rec.get("preheat", rec["starts"])), starts=as_date(rec["starts"]), ends=as_date(rec["ends"]),
        ctas={p: _cta(c, ctas.key_loc[p], "campaign") for p, c in ctas.items()},
        channels=tuple(rec.get("channels", ())), segments=tuple(rec.get("segments", ())),
        loc=Location(rel, 1, 1), locs=dict(rec.val_loc),
    ), diagnostics


def aware(value, tz: ZoneInfo, end_of_day: bool = False) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    t = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0)
    return dt.datetime.combine(value, t, tzinfo=tz)


def load_entry(root: str, rel: str, kind: str, md: Parser, tz: ZoneInfo) -> tuple[Entry | None, list[Diagnostic]]:
    src, diagnostics = read_text(root, rel)
    if src is None:
        return None, diagnostics
    split, more = split_front_matter(src)
    diagnostics += more
    if split is None:
        return None, diagnostics
    what = "the front matter"
    if split.front is None:
        diagnostics.append(diag("META002", Location(rel, 1, 1), f"the {kind} has no front matter",
                                "start the file with a `---` line, `title: …`" + (", `date: …`" if kind == "article" else "")
                                + " and another `---` line"))
        return None, diagnostics
    node, more = compose(split.front, rel, line_offset=split.front_line - 1)
    diagnostics += more
    if node is None and more:
        return None, diagnostics
    lines = tuple(src.text.split("\n"))
    conv = Converter(rel, line_offset=split.front_line - 1, lines=lines)
    rec = conv.record(node, ARTICLE if kind == "article" else PAGE, what, whole_file=Location(rel, 1, 1))
    diagnostics += conv.diagnostics
    if rec is None or "title" not in rec or (kind == "article" and "date" not in rec):
        return None, diagnostics

    body = parse_body(md, split.body, rel, split.body_line, lines)
    diagnostics += body.diagnostics

    if kind == "article":
        ident = _stem(rel)
        derived = slug_from_filename(ident)
    else:
        ident = rel[len("content/pages/"):-3]
        derived = "/".join(slugify(part) for part in ident.split("/"))
    slug = rec.get("slug")
    if slug is not None:
        reason = unsafe_reason(slug)
        if reason:
            diagnostics.append(diag("URL002", rec.where("slug"), f"the slug `{slug}` {reason}",
                                    f"use only a-z, 0-9 and -, e.g. slug: {suggest(slug)}"))
            slug = suggest(slug)
    else:
        slug = derived
        if not slug or any(not part for part in slug.split("/")):
            diagnostics.append(diag("URL002", Location(rel, 1, 1), f"the file name `{ident}` gives no usable slug",
                                    "rename the file, or add `slug: my-article` to the front matter"))
            slug = "untitled"

    date = aware(rec["date"], tz) if "date" in rec else None
    cta = body.cta or (_cta(rec["cta"], rec.key_loc["cta"], "front") if "cta" in rec else None)
    last_line = split.body_line + len(split.body.rstrip().split("\n")) - 1 if split.body.strip() else max(1, split.body_line - 1)
    summary = rec.get("summary") or _trim(body.first_paragraph, 120)
    expires = rec.get("expires")
    tags = tuple(dict.fromkeys(rec.get("tags", ())))
    return Entry(
        kind=kind, path=rel, id=ident, slug=slug, title=rec["title"],
        date=date, updated=aware(rec["updated"], tz) if "updated" in rec else date,
        persona=rec.get("persona"), campaign=rec.get("campaign"), phase=rec.get("phase"),
        segments=tuple(rec.get("segments", ())), tags=tags,
        summary=summary, cover=rec.get("cover"), draft=bool(rec.get("draft", False)),
        expires=expires.date() if isinstance(expires, dt.datetime) else expires,
        channels=tuple(rec.get("channels", ())), cta=cta, heavy=Heavy((body.html, body.plain_text, lines)),
        digest=hashlib.sha256(body.html.encode()).hexdigest(), sketch=text_sketch(body.plain_text),
        reading_minutes=reading_minutes(body.plain_text), links=Links(body.links, rel),
        body_line=split.body_line, last_line=last_line, middle_ctas=tuple(body.middle_ctas),
        anchors=frozenset(body.anchors), detail=Detail((body.prose, dict(rec.val_loc))),
        ignore=frozenset(rec.get("checks", {}).get("ignore", ())), loc=Location(rel, 1, 1), extra=rec.get("extra"),
    ), diagnostics


def reading_minutes(text: str) -> int:
    """Chinese is read by the character (~400/min), Latin text by the word (~220/min)."""
    cjk, words = _np_counts(text) if loaded_numpy() is not None else _counts(text)
    return max(1, round(cjk / 400 + words / 220))


def _counts(text: str) -> tuple[int, int]:
    """(CJK characters, words) of ``text``: the characters _CJK matches, the matches of _WORD."""
    rest, runs = _CJK_RUN.subn(" ", text)  # each run of CJK characters becomes one space
    return len(text) - len(rest) + runs, len(_WORD.findall(rest))


def _np_counts(text: str) -> tuple[int, int]:
    """_counts(text) on the text's code points with numpy (a loading worker has it for the
    originality sketch), through a table of the Basic Multilingual Plane: a word is a run of ASCII
    letters and digits, and one ' ’ or - between two runs joins them into one."""
    np = loaded_numpy()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(cp) and int(cp.max()) > 0xFFFF:
        return _counts(text)
    kind = _kinds()[cp]
    alnum = kind == 2
    runs = int(np.count_nonzero(alnum[1:] > alnum[:-1])) + int(alnum[:1].sum())
    joins = np.count_nonzero(alnum[:-2] & alnum[2:] & (kind[1:-1] == 3))
    return int(np.count_nonzero(kind == 1)), runs - int(joins)


_KINDS: list = []


def _kinds():
    """Each BMP code point's kind for _np_counts: 1 CJK (_CJK), 2 a word's letter or digit, 3 a joiner."""
    if not _KINDS:
        np = loaded_numpy()
        table = np.zeros(0x10000, dtype=np.uint8)
        for lo, hi in ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x3040, 0x30FF), (0xAC00, 0xD7AF)):
            table[lo:hi + 1] = 1
        for lo, hi in (("a", "z"), ("A", "Z"), ("0", "9")):
            table[ord(lo):ord(hi) + 1] = 2
        table[[ord("'"), ord("’"), ord("-")]] = 3
        _KINDS.append(table)
    return _KINDS[0]


def _trim(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
