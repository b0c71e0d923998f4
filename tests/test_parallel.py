"""--jobs 1, --jobs 2 and warm builds give byte-identical output (issue: fast at every size)."""

from __future__ import annotations

import shutil

import pytest

from conftest import NOW, REPO, generated_hub, run_cli, tree_bytes

N = 340  # above the thresholds where loading and rendering use worker processes (300)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    return generated_hub(tmp_path_factory, "par", N)


def build(hub, out, *extra):
    r = run_cli("build", "-C", str(hub), "--now", NOW, "--out", str(out), "--quiet", *extra)
    assert r.code == 0, r.text
    return tree_bytes(out)


def test_jobs_and_warm_builds_are_byte_identical(hub, tmp_path):
    shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    cold = build(hub, tmp_path / "one", "--jobs", "1")
    assert len([p for p in cold if p.startswith("articles/")]) >= N - 5
    shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
    assert build(hub, tmp_path / "two", "--jobs", "2") == cold
    inode = (tmp_path / "two").stat().st_ino
    first_article = sorted((tmp_path / "two/articles").iterdir())[0] / "index.html"
    before = first_article.stat().st_ino
    warm = build(hub, tmp_path / "two", "--jobs", "2")
    assert warm == cold
    assert first_article.stat().st_ino == before, "an unchanged article page is carried over, not rewritten"
    assert (tmp_path / "two").stat().st_ino != inode, "the output folder itself is swapped atomically"


def test_warm_build_after_an_edit_equals_a_cold_build(hub, tmp_path):
    build(hub, tmp_path / "warm")
    article = sorted((hub / "content/articles").rglob("*.md"))[3]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n\n", "\n\n编辑过的一段。\n\n", 1), encoding="utf-8")
    try:
        warm = build(hub, tmp_path / "warm")
        shutil.rmtree(hub / ".site-gen-cache")
        cold = build(hub, tmp_path / "cold")
        assert warm == cold
        assert any("编辑过的一段" in v.decode("utf-8", "ignore") for k, v in warm.items() if k.startswith("articles/"))
    finally:
        article.write_text(text, encoding="utf-8")


def test_a_warm_build_after_a_deletion_drops_the_page_and_its_folder(hub, tmp_path):
    """The warm build takes articles/ over from the previous output (write.py): the deleted
    article's page and its folder must not come with it."""
    out = tmp_path / "warm"
    build(hub, out)
    sources = sorted((hub / "content/articles").rglob("*.md"))
    everything = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    slug, article = next((d.name, p) for p in sources for d in (out / "articles").iterdir()
                         if p.stem.endswith(d.name) and everything.count(f"/articles/{d.name}/") == 0)
    text = article.read_text(encoding="utf-8")
    assert (out / "wechat/articles" / f"{slug}.html").is_file()
    article.unlink()
    try:
        build(hub, out)  # no other article links to it
        assert not (out / "articles" / slug).exists()
        assert not (out / "wechat/articles" / f"{slug}.html").exists()
        shutil.rmtree(hub / ".site-gen-cache")
        cold = tmp_path / "cold"
        build(hub, cold)
        assert tree_bytes(out) == tree_bytes(cold)
        assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == sorted(
            p.relative_to(cold).as_posix() for p in cold.rglob("*")), "the same files and folders"
    finally:
        article.write_text(text, encoding="utf-8")


def test_a_failing_swap_puts_the_previous_output_back(hub, tmp_path, monkeypatch):
    """Taking folders over happens after the new site is complete; if a rename then fails (here the
    last one, the staging folder into place), every step is undone and the previous output is
    exactly as it was, links and all."""
    import os

    from site_gen import build as pipeline
    from site_gen import write

    out = tmp_path / "site"
    before = build(hub, out)
    article = sorted((hub / "content/articles").rglob("*.md"))[2]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n\n", "\n\n换了一段。\n\n", 1), encoding="utf-8")
    real_rename = os.rename

    def failing(a, b):
        if os.path.basename(str(a)).startswith(".site.tmp-") and str(b) == str(out):
            raise OSError(28, "No space left on device", str(b))
        return real_rename(a, b)

    try:
        staging = write.make_staging(str(out))
        result = pipeline.run(str(hub), now=NOW, jobs=1, previous_output=str(out), stage=staging)
        assert not result.failed(False)
        assert any(f.link for f in result.files)
        monkeypatch.setattr(write.os, "rename", failing)
        [d] = write.write_site(result.files, str(out), staging)
        monkeypatch.undo()
        write.discard_staging(staging)
        assert d.code == "OUT001" and "No space left on device" in d.message
        assert tree_bytes(out) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "nothing is left beside it"
        assert not list(out.rglob(".replaced-*")) and not list(out.rglob(".stale-*"))
    finally:
        article.write_text(text, encoding="utf-8")


def test_a_failing_check_in_a_parallel_build_writes_nothing(hub, tmp_path):
    """At this size the checks run in their own process while the pages render into the staging
    folder: a failing check still fails the build, the previous output stays as it was, and the
    staging folder is gone — with the same report as a one-process build."""
    out = tmp_path / "site"
    before = build(hub, out)
    article = sorted((hub / "content/articles").rglob("*.md"))[5]
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n\n", "\n\n见[旧页面](/articles/no-such-article/)。\n\n", 1), encoding="utf-8")
    try:
        reports = []
        for jobs in ("2", "1"):
            r = run_cli("build", "-C", str(hub), "--now", NOW, "--out", str(out), "--jobs", jobs, "--quiet")
            assert r.code == 1, r.text
            reports.append(r.text)
        assert reports[0] == reports[1]
        rel = article.relative_to(hub).as_posix()
        assert f"{rel}:" in reports[0] and "LINK001" in reports[0]
        assert "build failed, nothing written" in reports[0]
        assert tree_bytes(out) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no staging folder is left behind"
    finally:
        article.write_text(text, encoding="utf-8")


def test_a_build_turns_the_cycle_collector_back_on(hub):
    """Builds run with Python's cycle collector off (it re-scanned the whole live site again and
    again); the preview keeps running after a build, so it must be on again afterwards — and a
    caller that had it off keeps it off."""
    import gc

    from site_gen import build as pipeline

    result = pipeline.run(str(hub), now=NOW, render=False, jobs=1)
    assert result.site is not None and len(result.site.articles) >= N - 5
    assert gc.isenabled()
    gc.disable()
    try:
        pipeline.run(str(hub), now=NOW, render=False, jobs=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pages_render_with_the_collector_on_and_the_loaded_site_frozen(hub, monkeypatch):
    """Jinja leaves a reference cycle per page (10 KB each, 160 MB at 16,000 articles): pages are
    made with the collector on, but with the loaded site frozen out of its passes; afterwards
    nothing stays frozen and the collector is as the caller had it."""
    import gc

    import jinja2

    from site_gen import build as pipeline
    from site_gen.render import Renderer

    seen = []
    outside = []  # the loaded entries the collector's passes would scan, looked at on the first page
    real = Renderer.page

    def page(self, *args, **kwargs):
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        if not outside:
            scanned = {id(o) for o in gc.get_objects()}  # every object not frozen
            outside.append([e.path for e in self.site.articles if id(e) in scanned or id(e.links) in scanned])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Renderer, "page", page)
    gc.disable()
    try:
        leaked = len([o for o in gc.get_objects() if isinstance(o, jinja2.runtime.Context)])
        result = pipeline.run(str(hub), now=NOW, jobs=1)
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
    assert len(seen) > N and all(on for on, _ in seen)
    assert min(frozen for _, frozen in seen) > 20 * N  # every entry's objects, and more
    assert outside == [[]]
    assert len([o for o in gc.get_objects() if isinstance(o, jinja2.runtime.Context)]) - leaked < 50
    assert result.files


def test_a_template_error_is_reported_alike_with_one_or_two_processes(hub, tmp_path):
    """Worker processes render the listing pages too; the report names the same first page."""
    base = REPO / "site_gen/themes/default/templates/base.html"
    override = hub / "themes/default/templates/base.html"
    override.parent.mkdir(parents=True)
    override.write_text(base.read_text(encoding="utf-8").replace("<body>", "<body>{{ site.nope }}", 1),
                        encoding="utf-8")
    try:
        reports = []
        for jobs in ("2", "1"):
            r = run_cli("build", "-C", str(hub), "--now", NOW, "--out", str(tmp_path / "out"), "--jobs", jobs,
                        "--quiet")
            assert r.code == 1, r.text
            reports.append(r.text)
        assert reports[0] == reports[1]
        assert ("themes/default/templates/base.html:" in reports[0]
                and "template error while rendering index.html: 'dict object' has no attribute 'nope'" in reports[0])
        assert not (tmp_path / "out").exists()
    finally:
        shutil.rmtree(hub / "themes")


def test_a_cache_that_cannot_be_written_is_only_slower(hub, tmp_path):
    """The loading workers store what they parse and send the same bytes back: when the cache
    cannot be written (here a file stands where its folder goes), the build is the same."""
    cache = hub / ".site-gen-cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold = build(hub, tmp_path / "cold", "--jobs", "2")
    shutil.rmtree(cache)
    cache.write_text("not a folder", encoding="utf-8")
    try:
        assert build(hub, tmp_path / "nocache", "--jobs", "2") == cold
        assert cache.read_text(encoding="utf-8") == "not a folder"
    finally:
        cache.unlink()


def test_entries_from_the_cache_do_not_hold_their_bodies(hub):
    """A loaded entry keeps its body HTML, plain text and file lines in its bundle in the cache,
    not in memory, and reads them back on demand — identical to a fresh parse, even when another
    build pruned the bundle meanwhile (then it is parsed again)."""
    import os

    from site_gen.load.site import load_site
    from site_gen.model import Heavy

    fresh, _ = load_site(str(hub), jobs=1, use_cache=False)
    load_site(str(hub), jobs=2)  # fills the cache
    for jobs in (1, 2):
        warm, _ = load_site(str(hub), jobs=jobs)
        assert warm.articles == fresh.articles and warm.pages == fresh.pages
        assert all(e.heavy.data is None for e in warm.articles + warm.pages)
    one, other = warm.articles[0], warm.articles[1]
    expected = {e.path: (e.body_html, e.plain_text, e.lines) for e in fresh.articles}
    # a page asks for the HTML only: read alone, the plain text and lines are not unpickled
    third = warm.articles[2]
    Heavy._last = Heavy._last_html = (None, None)
    assert third.body_html == expected[third.path][0] and Heavy._last == (None, None)
    assert (third.plain_text, third.lines) == expected[third.path][1:] and Heavy._last[0] == third.heavy.where
    for bundle in {one.heavy.where[0], other.heavy.where[0]}:
        os.remove(bundle)
    Heavy._last = Heavy._last_html = (None, None)  # not the one read last
    assert (other.body_html, other.plain_text, other.lines) == expected[other.path]
    assert (one.body_html, one.plain_text, one.lines) == expected[one.path]
    assert "<h2 id=" in one.body_html and len(one.lines) > 20


def test_prose_keeps_the_text_blocks_compactly():
    """Entries keep their text blocks as one string and an array of lines (model.Prose) and give
    them back as TextBlock objects, the same through pickling (the build cache)."""
    import pickle

    from site_gen.model import Prose, TextBlock

    blocks = (TextBlock(3, "第一段。"), TextBlock(5, ""), TextBlock(9, "a `b` c\nd"))
    for prose in (Prose(blocks), Prose(()), Prose([TextBlock(1, "")]), Prose([TextBlock(2, "x\x00y")])):
        again = pickle.loads(pickle.dumps(prose, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == prose and again.blocks() == prose.blocks()
        assert prose.joined("|") == "|".join(b.text for b in prose.blocks())
    assert Prose(blocks).blocks() == blocks and Prose(()).blocks() == () and Prose([TextBlock(1, "")]).blocks() == (
        TextBlock(1, ""),)
    assert Prose(blocks).text == "第一段。\x00\x00a `b` c\nd" and list(Prose(blocks).lines) == [3, 5, 9]
    assert Prose([TextBlock(2, "x\x00y")]).blocks() == (TextBlock(2, "x\x00y"),)
    for bs in (blocks, (), (TextBlock(2, "x\x00y"), TextBlock(4, "z"))):  # Prose.of: the same, made from lists
        assert Prose.of([b.line for b in bs], [b.text for b in bs]) == Prose(bs)
        assert Prose.of([b.line for b in bs], [b.text for b in bs]).blocks() == bs



def test_links_are_kept_compactly_and_given_back_as_link_objects():
    """Entries keep their links as a tuple of URLs and one array of positions (model.Links) and
    give them back as Link objects, in order, the same through pickling (the build cache)."""
    import pickle

    from site_gen.diagnostics import Location
    from site_gen.model import Link, Links

    rel = "content/articles/a.md"
    links = [Link("/stores/", Location(rel, 12, 5), False), Link("https://e.com/p.png", Location(rel, 14, 1), True),
             Link("", Location(rel, 30, 44), False)]
    for kept in (Links(links, rel), Links((), rel)):
        again = pickle.loads(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == kept and list(again) == list(kept) and len(again) == len(kept)
    kept = Links(links, rel)
    assert list(kept) == links and kept[1] == links[1] and kept[-1] == links[2]
    assert kept.urls == ("/stores/", "https://e.com/p.png", "") and list(kept.images()) == [0, 1, 0]
    assert type(kept[0].image) is bool and kept != Links(links[:2], rel)
    with pytest.raises(IndexError):
        kept[3]
    with pytest.raises(ValueError):
        Links([Link("/x/", Location("content/articles/b.md", 1, 1), False)], rel)

def test_a_parallel_cold_build_records_the_keys_a_one_process_build_records(hub, tmp_path):
    """A cold build records each page's render key where the page is rendered (a worker or this
    process): the keys the next build compares are the same with one process or two, and a warm
    build after a parallel cold build carries every page over, listing pages included."""
    import json

    def keys_after(out, jobs):
        shutil.rmtree(hub / ".site-gen-cache", ignore_errors=True)
        build(hub, out, "--jobs", jobs)
        (found,) = (hub / ".site-gen-cache").glob("render-*.json")
        return json.loads(found.read_text(encoding="utf-8"))

    one, two = keys_after(tmp_path / "one", "1"), keys_after(tmp_path / "two", "2")
    assert one == two
    pages = [p for p in one if p.endswith(".html") and not p.startswith("qr/")]
    assert len([p for p in pages if p.startswith("articles/")]) >= N - 5
    assert {"index.html", "404.html", "campaigns/index.html"} <= set(pages)
    assert any(p.startswith("tags/") for p in pages) and any(p.startswith("wechat/articles/") for p in pages)
    before = {p: (tmp_path / "two" / p).stat().st_ino for p in pages}
    build(hub, tmp_path / "two", "--jobs", "2")
    assert {p for p in pages if (tmp_path / "two" / p).stat().st_ino != before[p]} == set()


def _warm_checks(hub, tmp_path, monkeypatch, fork=None, child=None):
    """A copy of ``hub`` with a sentence too long for its persona (VOICE002), built cold and then
    warm with two processes, the warm build in this process: (its diagnostics, the pids that ran the
    checks, the copy). ``fork``/``child``: stand-ins for os.fork and for what the checks do first
    in a forked process."""
    import os

    from site_gen import build as pipeline

    root, out = tmp_path / "hub", tmp_path / "out"
    shutil.copytree(hub, root, ignore=shutil.ignore_patterns(".site-gen-cache"))
    article = next(p for p in sorted((root / "content/articles").rglob("*.md"))
                   if "\npersona: kefu\n" in p.read_text(encoding="utf-8"))  # (kefu: at most 90 a sentence)
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n## ", "\n" + "这是一个很长很长的句子" * 20 + "。\n\n## ", 1), encoding="utf-8")
    build(root, out, "--jobs", "2")
    pids, parent, real = tmp_path / "pids", os.getpid(), pipeline.run_checks

    def spy(ctx, *args, **kwargs):
        with open(pids, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        if child is not None and os.getpid() != parent:
            child()
        return real(ctx, *args, **kwargs)

    monkeypatch.setattr(pipeline, "run_checks", spy)
    if fork is not None:
        monkeypatch.setattr(os, "fork", fork)
    result = pipeline.run(str(root), now=NOW, jobs=2, previous_output=os.path.abspath(out))
    monkeypatch.undo()
    assert not result.failed(False) and result.files
    found = [(d.code, d.location.path) for d in result.diagnostics]
    assert ("VOICE002", article.relative_to(root).as_posix()) in found, found
    cold = pipeline.run(str(root), now=NOW, jobs=1, render=False).diagnostics
    return result.diagnostics, cold, [int(p) for p in pids.read_text(encoding="utf-8").split()]


def test_a_warm_parallel_build_runs_the_checks_in_a_forked_process_meanwhile(hub, tmp_path, monkeypatch):
    """A warm build renders a handful of pages, in its own process: a forked process runs the checks
    meanwhile, and its diagnostics are the ones a one-process build finds."""
    import os

    diagnostics, cold, pids = _warm_checks(hub, tmp_path, monkeypatch)
    assert len(pids) == 1 and pids[0] != os.getpid()
    assert diagnostics == cold


def test_without_a_forked_checker_the_checks_run_in_the_build_process(hub, tmp_path, monkeypatch):
    import os

    def no_fork():
        raise OSError("no more processes")

    diagnostics, cold, pids = _warm_checks(hub, tmp_path, monkeypatch, fork=no_fork)
    assert pids == [os.getpid()] and diagnostics == cold


def test_a_checking_process_that_dies_leaves_the_checks_to_the_build_process(hub, tmp_path, monkeypatch):
    import os

    diagnostics, cold, pids = _warm_checks(hub, tmp_path, monkeypatch, child=lambda: os._exit(3))
    assert len(pids) == 2 and pids[0] != os.getpid() and pids[1] == os.getpid()
    assert diagnostics == cold


def test_an_interrupted_warm_build_leaves_no_checking_process_behind(hub, tmp_path, monkeypatch):
    """Interrupted while it renders (Ctrl-C), a warm build stops its forked checking process and
    waits for it, whatever that process was doing."""
    import os
    import time

    from site_gen import build as pipeline

    root, out = tmp_path / "hub", tmp_path / "out"
    shutil.copytree(hub, root, ignore=shutil.ignore_patterns(".site-gen-cache"))
    build(root, out, "--jobs", "2")
    parent, real_fork, real_checks, forked = os.getpid(), os.fork, pipeline.run_checks, []

    def fork():
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    def slow_checks(ctx, *args, **kwargs):
        if os.getpid() != parent:
            time.sleep(60)  # still checking when the build is interrupted
        return real_checks(ctx, *args, **kwargs)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(pipeline, "run_checks", slow_checks)
    monkeypatch.setattr(pipeline, "render_site", interrupted)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pipeline.run(str(root), now=NOW, jobs=2, previous_output=os.path.abspath(out))
    monkeypatch.undo()
    assert len(forked) == 1 and time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):  # stopped and waited for: nothing left to wait for
        os.waitpid(forked[0], os.WNOHANG)
