"""Bad files (issue 7 §3): symlinks out of the site or in loops, files that cannot be read or
vanish, editor droppings, names that differ only by case or Unicode normalisation, and an output
disk that is read-only or full."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from badinput import A, P, art, break_and_build, diagnostics_of, make_prebuilt
from conftest import NOW, REPO, run_cli, tree_bytes
from site_gen.load.files import read_text, walk

SECRET = "TOPSECRET-7f3a"
CTA_FRONT = "cta: {text: 立即报名, url: /contact/, kind: signup}\n"


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return make_prebuilt(tmp_path_factory)


@pytest.fixture
def outside(tmp_path):
    """A folder beside the site with secrets a symlink could point at."""
    d = tmp_path / "outside"
    (d / "articles").mkdir(parents=True)
    (d / "leak.md").write_text(art(f"title: {SECRET}\n" + CTA_FRONT, f"{SECRET} body\n"), encoding="utf-8")
    (d / "articles/2026-11-22-more.md").write_text(art(f"title: {SECRET}\n" + CTA_FRONT), encoding="utf-8")
    (d / "secret.txt").write_text(SECRET, encoding="utf-8")
    (d / "persona.yaml").write_text(f"name: {SECRET}\n", encoding="utf-8")
    return d


def copy_of(good: Path, tmp_path: Path) -> tuple[Path, dict]:
    import shutil

    root = tmp_path / "site"
    shutil.copytree(good, root, symlinks=True)
    (root / "static").mkdir(exist_ok=True)
    return root, tree_bytes(root / "public")


def build_json(root: Path, *extra: str, timeout: int = 60):
    r = run_cli("build", "-C", str(root), "--now", NOW, "--format", "json", *extra, timeout=timeout)
    return r.code, diagnostics_of(r), r


def all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink())


def test_symlinks_out_of_the_site_are_never_read(good, tmp_path, outside):
    root, _ = copy_of(good, tmp_path)
    links = {
        "content/articles/2026-11-22-leak.md": outside / "leak.md",
        "content/articles/more": outside / "articles",  # a linked folder
        "content/pages/leak.md": outside / "leak.md",
        "content/personas/leak.yaml": outside / "persona.yaml",
        "static/secret.txt": outside / "secret.txt",
        "static/docs": outside,
        "themes/default/static/leak.css": outside / "secret.txt",
    }
    for rel, target in links.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / rel)
    code, found, _ = build_json(root)
    assert (code, found) == (0, [])
    assert SECRET.encode() not in all_bytes(root / "public")
    assert SECRET.encode() not in all_bytes(root / ".site-gen-cache")
    assert not (root / "public/secret.txt").exists() and not (root / "public/articles/leak").exists()


def test_symlinks_inside_the_site_are_followed(good, tmp_path):
    root, _ = copy_of(good, tmp_path)
    (root / "static/real.txt").write_text("inside", encoding="utf-8")
    os.symlink("real.txt", root / "static/alias.txt")
    code, found, _ = build_json(root)
    assert (code, found) == (0, [])
    assert (root / "public/alias.txt").read_text(encoding="utf-8") == "inside"


def test_symlink_loops_end(good, tmp_path):
    root, before = copy_of(good, tmp_path)
    os.symlink("loop.md", root / "content/articles/loop.md")
    os.symlink("b.md", root / "content/articles/a.md")
    os.symlink("a.md", root / "content/articles/b.md")
    os.symlink(".", root / "content/articles/again")  # a folder inside itself
    os.symlink("..", root / "static/up")
    os.symlink("loop.yaml", root / "content/personas/loop.yaml")
    code, found, _ = build_json(root)
    assert (code, found) == (0, [])
    assert tree_bytes(root / "public") == before


def test_named_pipes_never_block_the_build(good, tmp_path):
    root, before = copy_of(good, tmp_path)
    for rel in ("content/articles/2026-11-22-pipe.md", "content/personas/pipe.yaml", "content/campaigns/pipe.yaml",
                "static/pipe.txt", "themes/default/static/pipe.css"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / rel)
    code, found, _ = build_json(root, timeout=60)  # reading one would wait forever
    assert (code, found) == (0, [])
    assert tree_bytes(root / "public") == before


def test_a_folder_named_like_an_article_is_a_folder(good, tmp_path):
    root, before = copy_of(good, tmp_path)
    (root / "content/articles/2026-11-22-x.md").mkdir()
    (root / "content/personas/folder.yaml").mkdir()
    (root / "static/folder.png").mkdir()
    code, found, _ = build_json(root)
    assert (code, found) == (0, [])
    assert tree_bytes(root / "public") == before


def test_reading_a_special_file_is_a_diagnostic_not_a_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    (tmp_path / "dir.md").mkdir()
    src, found = read_text(str(tmp_path), "pipe.md")
    assert src is None and [(d.code, d.location.line, d.location.column, d.message) for d in found] == [
        ("META001", 1, 1, "the file cannot be read: it is a named pipe (FIFO), not a regular file")]
    src, found = read_text(str(tmp_path), "dir.md")
    assert src is None and [d.message for d in found] == ["the file cannot be read: it is a folder, not a regular file"]
    import socket

    with socket.socket(socket.AF_UNIX) as sock:  # (a socket cannot even be opened)
        sock.bind(str(tmp_path / "sock.md"))
        src, found = read_text(str(tmp_path), "sock.md")
    assert src is None and [d.message for d in found] == ["the file cannot be read: it is a socket, not a regular file"]


def test_a_file_that_vanished_is_simply_gone(good, tmp_path):
    root, before = copy_of(good, tmp_path)
    os.symlink("2026-11-30-deleted.md", root / "content/articles/2026-11-22-gone.md")  # dangling
    os.symlink("nowhere.png", root / "static/gone.png")
    os.symlink("nowhere.yaml", root / "content/personas/gone.yaml")
    code, found, _ = build_json(root)
    assert (code, found) == (0, [])
    assert tree_bytes(root / "public") == before
    # between listing and reading: no diagnostic, no crash
    listed = walk(str(root), "content/articles", (".md",))
    (root / listed[0]).unlink()
    assert read_text(str(root), listed[0]) == (None, [])


TEMP_NAMES = [".#2026-11-22-x.md", "2026-11-22-x.md~", "2026-11-22-x.md.swp", ".2026-11-22-x.md.swp", "4913",
              "2026-11-22-x.md___jb_tmp___", "2026-11-22-x.md___jb_old___", "#2026-11-22-x.md#",
              "2026-11-22-x.md.tmp", ".DS_Store"]


def test_editor_temp_files_are_ignored(good, tmp_path):
    root, before = copy_of(good, tmp_path)
    garbage = "---\ntitle: [broken\n---\n\x00"
    for name in TEMP_NAMES:
        for folder in ("content/articles", "content/pages", "content/personas", "content/campaigns", "static"):
            (root / folder).mkdir(parents=True, exist_ok=True)
            (root / folder / name).write_text(garbage, encoding="utf-8")
            (root / folder / name.replace(".md", ".yaml")).write_text(garbage, encoding="utf-8")
    code, found, _ = build_json(root)
    assert (code, found) == (0, [])
    assert tree_bytes(root / "public") == before


@pytest.mark.parametrize("first, second", [
    ("content/articles/2026-11-21-Hello.md", "content/articles/2026-11-20-hello.md"),
    ("content/articles/2026-11-21-caf\u00e9.md", "content/articles/2026-11-21-cafe\u0301.md"),  # NFC, NFD
    ("content/pages/Contact.md", "content/pages/contact.md"),
    ("content/pages/\u00e9t\u00e9.md", "content/pages/e\u0301te\u0301.md"),
])
def test_names_differing_by_case_or_normalisation_are_one_url(good, tmp_path, first, second):
    text = art(CTA_FRONT) if "articles" in first else "---\ntitle: 页面\n---\n\n正文\n"
    files = {rel: text for rel in (first, second) if not rel.endswith("contact.md")}
    code, found, r = break_and_build(good, tmp_path, files)
    assert code == 1, found
    [(code_, file, line, col, message)] = found
    assert (code_, line, col) == ("URL001", 1, 1)
    assert {file} <= {first, second} and first in message and second in message
    assert message.endswith("both produce " + message.rsplit("both produce ", 1)[1])


# --------------------------------------------------------------------------------- output disk

def test_read_only_output_location_is_exit_1_naming_the_path(good, tmp_path):
    root, before = copy_of(good, tmp_path)
    code, found, r = build_json(root, "--out", "/sys/site-gen-public")  # sysfs: refused even to root
    assert code == 1
    assert found == [("OUT001", "/sys/site-gen-public", 1, 1,
                      f"cannot write the site: {found[0][4].split(': ', 1)[1].split(' (')[0]} (/sys/site-gen-public)")]
    assert found[0][4].split(": ", 1)[1].split(" (")[0] in ("Operation not permitted", "Permission denied",
                                                              "Read-only file system")
    assert tree_bytes(root / "public") == before


def test_output_under_a_file_is_exit_1_naming_the_path(good, tmp_path):
    root, before = copy_of(good, tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, found, _ = build_json(root, "--out", str(blocker / "public"))
    assert code == 1
    assert found == [("OUT001", str(blocker / "public"), 1, 1, f"cannot write the site: Not a directory ({blocker})")]
    assert blocker.read_text() == "x"


def test_a_full_disk_is_exit_1_and_keeps_the_previous_output(good, tmp_path):
    root, before = copy_of(good, tmp_path)
    (root / "static/big.bin").write_bytes(b"\0" * 200_000)

    def small_disk():  # writes past 100 kB fail with EFBIG, as on a full disk (CPython ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    p = subprocess.run([sys.executable, "-m", "site_gen", "build", "-C", str(root), "--now", NOW, "--format", "json"],
                       cwd=REPO, capture_output=True, text=True, preexec_fn=small_disk, timeout=120,
                       env={**os.environ, "PYTHONUTF8": "1"})
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 1
    assert diagnostics_of(p := type("R", (), {"out": p.stdout})) == [
        ("OUT001", str(root / "public"), 1, 1, f"cannot write the site: File too large ({root / 'public/big.bin'})")]
    assert tree_bytes(root / "public") == before
    assert sorted(x.name for x in root.iterdir()) == [".site-gen-cache", "content", "public", "site.yaml", "static"]
