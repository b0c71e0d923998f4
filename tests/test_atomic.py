"""Atomic output: a failing build leaves the previous output byte-identical with nothing beside it;
bad input is a located diagnostic, never a traceback; BOM and CRLF give the same output as LF."""

from __future__ import annotations

from conftest import NOW, run_cli, tree_bytes

A = "content/articles/2026-11-20-hello.md"
GOOD = "---\ntitle: 你好\ndate: 2026-11-20\n---\n\n第一段文字。\n\n::: cta signup\n[立即报名](/contact/)\n:::\n"


def build(root, *extra):
    return run_cli("build", "-C", str(root), "--now", NOW, *extra)


def siblings(root):
    return sorted(p.name for p in root.iterdir())


def test_missing_action_keeps_previous_output(site):
    root = site()
    assert build(root).code == 0
    before, names = tree_bytes(root / "public"), siblings(root)
    (root / A).write_text("---\ntitle: 你好\ndate: 2026-11-20\n---\n\n没有行动。\n", encoding="utf-8")
    r = build(root)
    assert r.code == 1 and "CTA001" in r.out
    assert tree_bytes(root / "public") == before
    assert siblings(root) == names  # no temp directory left beside it


def test_template_syntax_error_is_located_and_keeps_previous_output(site):
    root = site()
    assert build(root).code == 0
    before = tree_bytes(root / "public")
    tpl = root / "themes/default/templates/article.html"
    tpl.parent.mkdir(parents=True)
    tpl.write_text('{% extends "base.html" %}\n{% block main %}\n<h1>{{ article.title }</h1>\n{% endblock %}\n',
                   encoding="utf-8")
    r = build(root)
    assert r.code == 1
    assert r.out.startswith("themes/default/templates/article.html:3:1: error TPL001: template syntax error "
                            "while rendering articles/hello/index.html: ")
    assert tree_bytes(root / "public") == before
    assert siblings(root) == [".site-gen-cache", "content", "public", "site.yaml", "themes"]


def test_undefined_template_variable_names_template_line_and_page(site):
    root = site()
    tpl = root / "themes/default/templates/page.html"
    tpl.parent.mkdir(parents=True)
    tpl.write_text('{% extends "base.html" %}\n{% block main %}\n\n<p>{{ entry.subtitle }}</p>\n{% endblock %}\n',
                   encoding="utf-8")
    r = build(root)
    assert r.code == 1
    assert r.out.splitlines()[0] == ("themes/default/templates/page.html:4:1: error TPL001: template error while "
                                     "rendering contact/index.html: 'site_gen.render.views.EntryView object' "
                                     "has no attribute 'subtitle'")
    assert not (root / "public").exists()


def test_a_site_theme_overrides_one_template_and_inherits_the_rest(site):
    root = site()
    tpl = root / "themes/default/templates/404.html"
    tpl.parent.mkdir(parents=True)
    tpl.write_text('{% extends "base.html" %}\n{% block main %}<p>迷路了</p>{% endblock %}\n', encoding="utf-8")
    assert build(root).code == 0
    assert "迷路了" in (root / "public/404.html").read_text(encoding="utf-8")
    assert "data-cta" in (root / "public/articles/hello/index.html").read_text(encoding="utf-8")


def test_unwritable_output_is_exit_1_naming_the_path(site, tmp_path):
    root = site()
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    r = build(root, "--out", str(blocker / "public"))
    assert r.code == 1
    assert "error OUT001: cannot write the site:" in r.out
    assert str(blocker) in r.out
    assert blocker.read_text() == "x"


def test_bom_and_crlf_give_the_same_output_as_lf(site):
    lf = site({A: GOOD})
    crlf = site({A: "\ufeff" + GOOD.replace("\n", "\r\n")})
    assert build(lf).code == 0
    r = build(crlf)
    assert r.code == 0, r.text
    assert tree_bytes(lf / "public") == tree_bytes(crlf / "public")


def test_crlf_positions_are_the_same_lines(site):
    root = site({A: "\ufeff---\r\ntitle: NO\r\ndate: 2026-11-20\r\n---\r\n"})
    r = build(root)
    assert r.out.startswith(f"{A}:2:8: error META002:")


def test_non_utf8_is_located(site):
    root = site({A: "---\ntitle: 你好\ndate: 2026-11-20\n---\n\n你好".encode() + b"\xff\xfe\n"})
    r = build(root)
    assert r.code == 1
    assert r.out.splitlines()[:2] == [
        f"{A}:6:3: error META001: the file is not UTF-8 (byte 0xff at offset 46)",
        "  hint: save the file as UTF-8 (in most editors: Save with Encoding → UTF-8)",
    ]


def test_unterminated_front_matter(site):
    root = site({A: "---\ntitle: 你好\ndate: 2026-11-20\n\n正文\n"})
    r = build(root)
    assert r.out.splitlines()[:2] == [
        f"{A}:1:1: error META001: the front matter starting on line 1 is never closed",
        "  hint: add a line with just `---` after the front matter",
    ]


def test_one_bad_file_does_not_hide_the_others(site):
    root = site({
        A: "---\ntitle: [broken\n---\n",
        "content/articles/2026-11-21-two.md": "---\ntitle: 二\ndate: 2026-11-21\npersona: nobody\n---\n\n正文\n",
    })
    r = run_cli("check", "-C", str(root), "--now", NOW)
    codes = [line.split()[2].rstrip(":") for line in r.out.splitlines() if ": error " in line]
    assert codes == ["META001", "REF001", "CTA001"]


def test_raw_html_and_javascript_links_never_render_live(site):
    body = ('<script>alert(1)</script>\n\n[点我](javascript:alert(1)) [再点](JaVaScRiPt%3Aalert(1)) '
            '![x](data:image/png;base64,AAAA)\n\n{{ site.title }} {% raw %}\n\n'
            "::: cta signup\n[立即报名](/contact/)\n:::\n")
    root = site({A: "---\ntitle: 你好\ndate: 2026-11-20\n---\n\n" + body})
    assert build(root).code == 0
    html = (root / "public/articles/hello/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html.lower() and "src=\"data:" not in html
    assert "{{ site.title }} {% raw %}" in html
