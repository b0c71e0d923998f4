"""What makes a warm build with one article changed fast (issue: fast at every size) still gives
what the long way gives."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW, REPO, generated_hub, run_cli, tree_bytes
from site_gen.load.cache import _FORMAT as FORMAT  # the cache folder of entries: entries-<n>
from site_gen.render.outputs import manifest_bytes
from site_gen.slugs import slugify

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)


@SETTINGS
@given(st.lists(st.tuples(st.text(), st.integers(min_value=0, max_value=2**40), st.text(alphabet="0123456789abcdef"))))
def test_the_manifest_is_written_exactly_as_json_dumps_writes_it(rows):
    expected = json.dumps({"files": [{"path": p, "bytes": b, "sha256": s} for p, b, s in rows]}, indent=1) + "\n"
    assert manifest_bytes(rows) == expected.encode()


# ------------------------------------------------------------------ listing pages in warm builds

N = 340  # above the thresholds where loading and rendering use worker processes (300)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return generated_hub(tmp_path_factory, "warm", N)


@pytest.fixture
def hub(pristine, tmp_path):
    root = tmp_path / "hub"
    shutil.copytree(pristine, root)
    return root


def build(hub, out):
    r = run_cli("build", "-C", str(hub), "--now", NOW, "--out", str(out), "--quiet")
    assert r.code == 0, r.text
    return tree_bytes(out)


def cold(hub, out):
    shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    return build(hub, out)


def listing_pages(out: Path) -> list[str]:
    """The pages other than articles' (and the WeChat export index and QR pages, made anew by every
    build)."""
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.html")
                  if p.relative_to(out).parts[0] not in ("articles", "wechat", "qr") and "qr" not in p.parts)


def inodes(out: Path, paths) -> dict[str, int]:
    return {p: (out / p).stat().st_ino for p in paths}


def newest(hub: Path) -> Path:
    return sorted((hub / "content/articles").glob("*.md"))[-1]


def edit_body(article: Path) -> None:
    """Add a sentence to the last section: the summary (the first paragraph) stays as it was."""
    head, sep, tail = article.read_text(encoding="utf-8").rpartition("\n## ")
    assert sep
    article.write_text(f"{head}\n编辑过的一段。\n{sep}{tail}", encoding="utf-8")


def test_a_body_edit_renders_the_article_again_and_carries_every_listing_page_over(hub, tmp_path):
    out = tmp_path / "out"
    cold(hub, out)
    listings = listing_pages(out)
    assert {"index.html", "404.html", "personas/xiaobei/index.html", "campaigns/index.html"} <= set(listings)
    assert any(p.startswith("tags/") for p in listings)
    article = newest(hub)
    page = f"articles/{article.stem[11:]}/index.html"
    before = inodes(out, listings + [page])
    edit_body(article)
    warm = build(hub, out)
    after = inodes(out, listings + [page])
    assert {p for p in listings if after[p] != before[p]} == set()
    assert after[page] != before[page]
    assert "编辑过的一段" in warm[page].decode()
    assert warm == cold(hub, tmp_path / "cold")


def build_importing(hub, out) -> bool:
    """Build through the real entry point (site_gen.cli.main, in a fresh interpreter); whether the
    build imported pypinyin."""
    code = ("import sys; from site_gen.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('pypinyin' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code, "build", "-C", str(hub), "--now", NOW, "--out", str(out),
                        "--quiet"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    return p.stdout.split()[-1] == "True"


def test_the_tags_slugs_are_kept_in_the_cache_and_a_warm_build_needs_no_pinyin(hub, tmp_path):
    """The parallel cold load has each Chinese tag's slug (pinyin) made once, by a helper process
    (slugs.Helper), so the building process never loads pinyin's tables; the cache keeps the slugs,
    so a warm build after an edit that uses known tags never imports pypinyin either. A new tag,
    parsed in the building process, gets its slug there."""
    out = tmp_path / "out"
    shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    assert not build_importing(hub, out)
    assert {p.name for p in (out / "tags").iterdir()} >= {"mian-bao", "men-dian"}  # 面包, 门店
    article = newest(hub)
    text = article.read_text(encoding="utf-8")
    tags = re.search(r"^tags: \[(.*)\]$", text, re.M)
    known = sorted({t.strip() for f in (hub / "content/articles").glob("*.md")
                    for m in [re.search(r"^tags: \[(.*)\]$", f.read_text(encoding="utf-8"), re.M)] if m
                    for t in m.group(1).split(",")} - {t.strip() for t in tags.group(1).split(",")})
    article.write_text(text.replace(tags.group(0), f"tags: [{known[0]}]"), encoding="utf-8")
    assert not build_importing(hub, out)
    assert (out / "tags" / slugify(known[0]) / "index.html").is_file()
    article.write_text(text.replace(tags.group(0), "tags: [春季新品]"), encoding="utf-8")
    assert build_importing(hub, out)
    assert 'href="/tags/chun-ji-xin-pin/"' in (out / f"articles/{article.stem[11:]}/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("trouble", ["the helper fails", "another thread runs"])
def test_without_the_slug_helper_the_building_process_makes_the_slugs(trouble, monkeypatch):
    """When the helper process gives nothing back, or cannot be forked safely (another thread
    running), the building process makes the slugs itself: the same slugs."""
    import threading

    from site_gen import slugs

    texts = ["春季新品", "面包", "Bread & Butter", "门店"]
    expected = {t: slugs._slugify(t) for t in texts}
    monkeypatch.setattr(slugs, "_memo", {})
    if trouble == "the helper fails":
        monkeypatch.setattr(slugs.Helper, "_serve", classmethod(lambda cls, down, up: None))
        helper = slugs.Helper()
        assert helper.pid is not None
    else:
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        try:
            helper = slugs.Helper()
        finally:
            stop.set()
            thread.join()
        assert helper.pid is None
    helper.send(texts)
    helper.collect()
    assert {t: slugs.slugify(t) for t in texts} == expected == {
        "春季新品": "chun-ji-xin-pin", "面包": "mian-bao", "Bread & Butter": "bread-butter", "门店": "men-dian"}


def test_a_load_cut_short_leaves_no_slug_half_made(monkeypatch):
    """Texts sent to the helper of a load that stops before collecting (an error, ^C) are
    forgotten, not left marked as sent: their slugs are made when next asked for, and a later
    load's remembered slugs take their place."""
    from site_gen import slugs

    monkeypatch.setattr(slugs, "_memo", {})
    helper = slugs.Helper()
    assert helper.pid is not None
    helper.send(["面包", "门店"])
    assert slugs._memo == {"面包": None, "门店": None}  # (sent, not back yet)
    helper.stop()
    assert slugs._memo == {} and helper.pid is None
    slugs.remember("门店", "men-dian")
    assert slugs.slugify("面包") == "mian-bao" and slugs.slugify("门店") == "men-dian"


@pytest.mark.parametrize("case", ["cold", "warm", "another language"])
def test_a_cold_load_of_a_chinese_site_forks_the_slug_helper_first_and_primed(case, hub, tmp_path, monkeypatch):
    """For a cold parallel load of a Chinese site the slug helper is forked before the sources are
    read for their cache keys, and primed: it loads pinyin's tables while this process reads them
    (a core is idle then). A warm load parses nothing and forks no helper; a cold load of a site in
    another language forks it unprimed, just before the loading pool, when it is needed."""
    from site_gen import slugs
    from site_gen.load import site as loading
    from site_gen.load.cache import EntryCache

    if case == "warm":
        cold(hub, tmp_path / "out")
    else:
        shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    if case == "another language":
        config = hub / "site.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("language: zh-CN", "language: en"), encoding="utf-8")
    events: list = []
    real_key = EntryCache.key

    class Recording(slugs.Helper):
        def __init__(self, prime: bool = False):
            events.append(("helper", prime))
            super().__init__(prime)

    def key(self, *args):
        if events[-1:] != ["key"]:
            events.append("key")
        return real_key(self, *args)

    monkeypatch.setattr(loading, "Helper", Recording)
    monkeypatch.setattr(EntryCache, "key", key)
    site, _ = loading.load_site(str(hub), jobs=2)
    assert site is not None and len(site.articles) >= 300
    assert events == {"cold": [("helper", True), "key"], "warm": ["key"],
                      "another language": ["key", ("helper", False)]}[case]
    assert {slugify(t) for a in site.articles for t in a.tags} >= {"mian-bao", "men-dian"}


def test_a_primed_helper_answers_as_any_other(monkeypatch):
    from site_gen import slugs

    monkeypatch.setattr(slugs, "_memo", {})
    helper = slugs.Helper(prime=True)
    assert helper.pid is not None
    helper.send(["面包", "Bread", "门店"])
    helper.collect()
    assert helper.pid is None
    assert [slugs.slugify(t) for t in ("面包", "Bread", "门店")] == ["mian-bao", "bread", "men-dian"]


def test_a_title_edit_renders_the_pages_that_list_the_article_again(hub, tmp_path):
    out = tmp_path / "out"
    cold(hub, out)
    listings = listing_pages(out)
    article = newest(hub)
    title = re.search(r"^title: (.*)$", article.read_text(encoding="utf-8"), re.M).group(1)
    showing = {p for p in listings if title in (out / p).read_text(encoding="utf-8")}
    assert "index.html" in showing and any(p.startswith("personas/") for p in showing)
    before = inodes(out, listings)
    article.write_text(article.read_text(encoding="utf-8").replace(f"title: {title}", "title: 改过的标题"),
                       encoding="utf-8")
    warm = build(hub, out)
    after = inodes(out, listings)
    # the campaigns index is made anew too: its campaign views hold their articles, shown or not
    assert {p for p in listings if after[p] != before[p]} == showing | {"campaigns/index.html"}
    assert len(listings) - len(showing) > 20  # the others (other personas, tags, segments …) are carried over
    assert all("改过的标题" in warm[p].decode() for p in showing)
    assert warm == cold(hub, tmp_path / "cold")


def test_a_listing_template_that_shows_bodies_is_rendered_again_after_a_body_edit(hub, tmp_path):
    templates = hub / "themes/default/templates"
    templates.mkdir(parents=True)
    card = (REPO / "site_gen/themes/default/templates/_card.html").read_text(encoding="utf-8")
    (templates / "_card.html").write_text(card + "\n{{ item.body_html }}\n", encoding="utf-8")
    out = tmp_path / "out"
    cold(hub, out)
    article = newest(hub)
    edit_body(article)
    warm = build(hub, out)
    assert "编辑过的一段" in warm["index.html"].decode()
    assert warm == cold(hub, tmp_path / "cold")


def test_a_page_that_a_menu_opens_moving_renders_every_page_again(hub, tmp_path):
    out = tmp_path / "out"
    cold(hub, out)
    about = hub / "content/pages/about.md"
    about.write_text(about.read_text(encoding="utf-8").replace("---\n", "---\nslug: about-us\n", 1), encoding="utf-8")
    warm = build(hub, out)
    first = sorted(p for p in warm if p.startswith("articles/"))[0]
    assert 'href="/about-us/"' in warm[first].decode() and 'href="/about/"' not in warm[first].decode()
    assert warm == cold(hub, tmp_path / "cold")



def test_an_unchanged_entry_s_keys_come_from_the_last_build_s_record(hub, tmp_path):
    """A warm build takes an entry's render keys from the record the last build kept of them
    (render/reuse.py, MEMO) while the entry's source, its preview state and the global key are the
    same, and computes them again when any of them changed. Seen by forging one article's record
    and its page's key: trusted, the page is carried over; not trusted, it is rendered again."""
    from site_gen.render.reuse import MEMO

    out = tmp_path / "out"
    cold(hub, out)
    first, second = sorted((hub / "content/articles").glob("*.md"))[:2]
    pages = {a: f"articles/{a.stem[11:]}/index.html" for a in (first, second)}

    def forge(article: Path) -> None:
        (keys_file,) = (hub / ".site-gen-cache").glob("render-*.json")
        keys = json.loads(keys_file.read_text(encoding="utf-8"))
        rel = f"content/articles/{article.name}"
        source, preview, card, page = keys[MEMO + rel].split(" ")
        assert keys[pages[article]] == page and len(card) == len(page) == 64
        keys[MEMO + rel] = f"{source} {preview} {card} {'f' * 64}"
        keys[pages[article]] = keys[f"wechat/articles/{article.stem[11:]}.html"] = "f" * 64
        keys_file.write_text(json.dumps(keys), encoding="utf-8")

    def rendered_again(change) -> bool:
        forge(first)
        before = (out / pages[first]).stat().st_ino
        change()
        build(hub, out)
        return (out / pages[first]).stat().st_ino != before

    assert not rendered_again(lambda: None)  # the record trusted: the forged key is the page's
    assert rendered_again(lambda: edit_body(first))  # its source changed
    persona = hub / "content/personas/xiaobei.yaml"
    assert rendered_again(lambda: persona.write_text(persona.read_text(encoding="utf-8") + "\n", encoding="utf-8"))
    assert build(hub, out) == cold(hub, tmp_path / "cold")

# ------------------------------------------------------------------ sources known by their stat


def test_a_source_whose_stat_is_unchanged_is_not_read_again_and_any_edit_is_seen(tmp_path, monkeypatch):
    import os

    from site_gen.load import cache as cache_module
    from site_gen.load.cache import EntryCache

    source = tmp_path / "content/articles/a.md"
    source.parent.mkdir(parents=True)
    source.write_text("---\ntitle: 一\n---\n\n正文一。\n", encoding="utf-8")
    old = 1_600_000_000
    os.utime(source, (old, old))
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)  # the change time is now: trust it at once
    first = EntryCache(str(tmp_path), "salt")
    key = first.key(str(tmp_path), "content/articles/a.md", "article")
    first.save_sources()

    def no_reading(*args, **kwargs):
        raise AssertionError("the source was read again")

    second = EntryCache(str(tmp_path), "salt")  # reads the record
    monkeypatch.setattr(cache_module, "open", no_reading, raising=False)
    assert second.key(str(tmp_path), "content/articles/a.md", "article") == key
    monkeypatch.delattr(cache_module, "open")
    # same size, same modification time: only the change time tells
    source.write_text("---\ntitle: 二\n---\n\n正文二。\n", encoding="utf-8")
    os.utime(source, (old, old))
    again = EntryCache(str(tmp_path), "salt").key(str(tmp_path), "content/articles/a.md", "article")
    assert again not in (None, key)
    # another salt (Markdown options, site-gen's version) trusts nothing recorded under the first
    assert EntryCache(str(tmp_path), "other")._trusted == {}


def test_a_source_changed_just_before_its_record_is_read_again(tmp_path):
    from site_gen.load.cache import EntryCache

    source = tmp_path / "content/articles/a.md"
    source.parent.mkdir(parents=True)
    source.write_text("---\ntitle: 一\n---\n\n正文。\n", encoding="utf-8")  # modified now: too close to trust
    first = EntryCache(str(tmp_path), "salt")
    first.key(str(tmp_path), "content/articles/a.md", "article")
    first.save_sources()
    assert EntryCache(str(tmp_path), "salt")._trusted == {}


def test_damaged_compiled_templates_are_compiled_again(hub, tmp_path):
    out = tmp_path / "out"
    first = cold(hub, out)
    compiled = list((hub / ".site-gen-cache").glob("jinja-*/*"))
    assert compiled
    for f in compiled:
        f.write_bytes(f.read_bytes()[:20])
    edit_body(newest(hub))  # an article page to render again, with the damaged templates
    warm = build(hub, out)
    assert warm != first and warm == cold(hub, tmp_path / "cold")


# ------------------------------------------------------------------ the pack of slim entries


def load(root):
    from site_gen.load.site import load_site

    site, diagnostics = load_site(str(root), jobs=1)
    assert site is not None
    return site


def test_a_warm_load_reads_the_pack_and_no_entry_file(hub, monkeypatch):
    from site_gen.load import cache as cache_module

    first = load(hub)
    pack = hub / ".site-gen-cache" / FORMAT / "pack"
    assert pack.is_file()
    opened = []
    real = open

    def watching(path, *args, **kwargs):
        rel = os.path.relpath(path, hub / ".site-gen-cache" / FORMAT)
        if not rel.startswith("..") and "r" in (args[0] if args else kwargs.get("mode", "r")):
            opened.append(rel)  # the cache's files (sources changed just now are read: too recent to trust)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(cache_module, "open", watching, raising=False)
    second = load(hub)
    assert sorted(set(opened)) == ["pack", "sources"]
    # what mostly the checks read stays pickled until asked for (model.Detail)
    assert all(e.detail.value is None and e.detail.blob for e in second.articles)
    assert [(e.path, e.title, e.links, e.prose, e.digest, e.anchors, e.locs, e.sketch, e.body_line) for e in second.articles] == \
        [(e.path, e.title, e.links, e.prose, e.digest, e.anchors, e.locs, e.sketch, e.body_line) for e in first.articles]
    assert all(e.detail.value is not None and e.detail.blob is None for e in second.articles)
    assert second.articles[5].body_html == first.articles[5].body_html  # read back from its own file


def test_the_pack_is_written_again_only_when_many_entries_changed(hub):
    load(hub)
    pack = hub / ".site-gen-cache" / FORMAT / "pack"
    before, size = pack.stat().st_ino, pack.stat().st_size
    edit_body(newest(hub))
    load(hub)
    assert pack.stat().st_ino == before and pack.stat().st_size > size  # one changed entry: appended
    for article in sorted((hub / "content/articles").glob("*.md"))[:20]:
        edit_body(article)
    site = load(hub)
    assert pack.stat().st_ino != before
    assert sum("编辑过的一段" in e.body_html for e in site.articles) == 21


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other salt"])
def test_a_damaged_pack_is_only_slower(hub, tmp_path, damage):
    out = tmp_path / "out"
    first = cold(hub, out)
    pack = hub / ".site-gen-cache" / FORMAT / "pack"
    data = pack.read_bytes()
    if damage == "truncated":
        pack.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        pack.write_bytes(data[:200] + os.urandom(len(data) - 200))
    else:
        pack.write_bytes(data.replace(b"0.1.0", b"9.9.9", 1))  # the version in the salt
    assert build(hub, out) == first
    assert records(pack.read_bytes()).keys() == records(data).keys()  # written again in full (the entries
    # parsed again may pickle their sets in another order)


def records(data: bytes) -> dict[str, bytes]:
    """key -> slim pickle of a whole pack (where each body is may differ after parsing again)."""
    from site_gen.load.cache import _PACK_MAGIC, _read_pack

    size = int.from_bytes(data[len(_PACK_MAGIC):len(_PACK_MAGIC) + 4], "little")
    salt = data[len(_PACK_MAGIC) + 4:len(_PACK_MAGIC) + 4 + size]
    found, whole = _read_pack(data, salt)
    assert whole
    return {k: bytes(v[0]) for k, v in found.items()}


# ------------------------------------------------------------ per-entry check results kept


def check_report(hub: Path) -> str:
    r = run_cli("check", "-C", str(hub), "--now", NOW)
    assert r.code in (0, 1), r.text
    return r.out + r.err


def cold_report(hub: Path) -> str:
    shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    return check_report(hub)


def memo_file(hub: Path) -> Path:
    from site_gen import __version__

    return hub / ".site-gen-cache" / f"checks-{__version__}"


def test_kept_voice_results_are_reused_and_follow_the_persona_and_the_article(hub, tmp_path):
    first = check_report(hub)
    memo = memo_file(hub)
    written = memo.stat().st_mtime_ns, memo.stat().st_ino
    assert check_report(hub) == first
    assert (memo.stat().st_mtime_ns, memo.stat().st_ino) == written  # nothing computed again: not rewritten

    # the persona now avoids a phrase of articles that did not change: every one is reported
    persona = hub / "content/personas/xiaobei.yaml"
    persona.write_text(persona.read_text(encoding="utf-8").replace("avoid: {", "avoid: {主厨: 师傅, "),
                       encoding="utf-8")
    warm = check_report(hub)
    assert "error VOICE001" in warm or "warning VOICE001: 小贝 avoids `主厨`" in warm
    assert warm.count("小贝 avoids `主厨`") > 3
    assert warm == cold_report(hub)

    # an article now has a sentence too long for its persona
    article = newest(hub)
    text = article.read_text(encoding="utf-8")
    head, sep, tail = text.rpartition("\n## ")
    article.write_text(f"{head}\n{'这句话很长' * 30}。\n{sep}{tail}", encoding="utf-8")
    check_report(hub)  # (recorded before the edit by cold_report)
    warm = check_report(hub)
    assert "VOICE002: this sentence has 151 characters; 小贝 keeps sentences to 90" in warm
    assert warm == cold_report(hub)


def test_damaged_kept_check_results_are_computed_again(hub):
    first = check_report(hub)
    memo = memo_file(hub)
    memo.write_bytes(memo.read_bytes()[:100])
    assert check_report(hub) == first
    memo.write_bytes(b"\x80\x05junk")
    assert check_report(hub) == first
    assert len(memo.read_bytes()) > 1000  # written again in full


def test_a_bundle_cut_short_is_parsed_again_and_stored_whole(hub, tmp_path):
    """Bodies are appended to one bundle file per loading process. One cut short, as by a crash or
    a full disk, holds no body past the cut: those entries are parsed again and stored in a new
    bundle, and the next build reads them from there."""
    out = tmp_path / "out"
    cold(hub, out)
    edit_body(newest(hub))  # one changed entry: its body in a bundle of its own, appended to the pack
    first = build(hub, out)
    entries = hub / ".site-gen-cache" / FORMAT
    bundles = sorted(entries.glob("b-*"), key=lambda p: p.stat().st_mtime_ns)
    assert len(bundles) >= 2
    small = bundles[-1]
    small.write_bytes(small.read_bytes()[: small.stat().st_size // 2])
    assert build(hub, out) == first
    after = sorted(p.name for p in entries.glob("b-*"))
    assert small.name not in after and len(after) == len(bundles)  # pruned, and a new one made
    assert build(hub, out) == first
    assert sorted(p.name for p in entries.glob("b-*")) == after  # read this time: nothing stored again
    assert first == cold(hub, tmp_path / "cold")


def test_bundles_mostly_of_old_bodies_are_compacted(hub, monkeypatch):
    """When most of the bundles' bytes are bodies no entry uses any more, a load moves the used
    ones into a bundle of its own, and the old bundles go."""
    from site_gen.load import cache as cache_module

    monkeypatch.setattr(cache_module, "_COMPACT_MIN", 0)
    shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    first = load(hub)
    entries = hub / ".site-gen-cache" / FORMAT
    cold_bundles = {p.name for p in entries.glob("b-*")}
    articles = sorted((hub / "content/articles").glob("*.md"))
    for article in articles[: len(articles) * 2 // 3]:  # two thirds of the bodies change
        edit_body(article)
    second = load(hub)
    names = {p.name for p in entries.glob("b-*")}
    assert not names & cold_bundles  # the cold bundles' used bodies moved; the bundles are gone
    assert [e.body_html for e in second.articles[-3:]] == [e.body_html for e in first.articles[-3:]]
    assert sum("编辑过的一段" in e.body_html for e in second.articles) == len(articles) * 2 // 3
    third = load(hub)
    assert {p.name for p in entries.glob("b-*")} == names  # nothing more to move
    assert [e.body_html for e in third.articles] == [e.body_html for e in second.articles]


def test_entry_folders_of_the_earlier_format_are_removed(hub):
    old = hub / ".site-gen-cache/entries-6/ab"
    old.mkdir(parents=True, exist_ok=True)
    (old / ("ab" + "0" * 62)).write_bytes(b"an entry of the old format")
    load(hub)
    assert not (hub / ".site-gen-cache/entries-6").exists()
    assert (hub / ".site-gen-cache" / FORMAT / "pack").is_file()


@pytest.mark.parametrize("damage", ["not json", "a list", "keys not strings", "records cut", "records of numbers"])
def test_a_damaged_render_keys_file_only_renders_more(hub, tmp_path, damage):
    """The render keys file (and its record of each entry's keys) is the cache's: damaged in any
    way, a warm build renders what it cannot trust and gives the cold build's output."""
    from site_gen.render.reuse import MEMO

    out = tmp_path / "out"
    cold(hub, out)
    (keys_file,) = (hub / ".site-gen-cache").glob("render-*.json")
    keys = json.loads(keys_file.read_text(encoding="utf-8"))
    if damage == "not json":
        keys_file.write_bytes(b"\x00{\"index.html\": ")
    elif damage == "a list":
        keys_file.write_text(json.dumps(sorted(keys)), encoding="utf-8")
    elif damage == "keys not strings":
        keys_file.write_text(json.dumps({k: 5 for k in keys}), encoding="utf-8")
    elif damage == "records cut":
        keys_file.write_text(json.dumps({k: v[:70] if k.startswith(MEMO) and k != MEMO else v
                                         for k, v in keys.items()}), encoding="utf-8")
    else:
        keys_file.write_text(json.dumps({k: 7 if k.startswith(MEMO) and k != MEMO else v
                                         for k, v in keys.items()}), encoding="utf-8")
    edit_body(newest(hub))
    assert build(hub, out) == cold(hub, tmp_path / "cold")
