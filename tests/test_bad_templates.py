"""Bad templates (issue 7 §4): every template error is TPL001 at the template's file and line,
naming the page being rendered, with the previous output intact; autoescaping is on for every
template name a theme might add."""

from __future__ import annotations

import json

import pytest

from badinput import A, art, break_and_build, make_prebuilt
from site_gen import build
from site_gen.render.env import make_env

T = "themes/default/templates/"
BASE_START = '{% extends "base.html" %}\n{% block main %}\n'


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return make_prebuilt(tmp_path_factory)


CASES = {
    "undefined variable": (
        {T + "page.html": BASE_START + "\n<p>{{ entry.subtitle }}</p>\n{% endblock %}\n"},
        [(T + "page.html", 4, "template error while rendering contact/index.html: "
                              "'site_gen.render.views.EntryView object' has no attribute 'subtitle'")]),
    "undefined name": (
        {T + "tag.html": BASE_START + "{{ nothing_here }}\n{% endblock %}\n"},
        [(T + "tag.html", 3, "template error while rendering tags/hong-bei/index.html: 'nothing_here' is undefined")]),
    "syntax error": (
        {T + "article.html": BASE_START + "<h1>{{ article.title }</h1>\n{% endblock %}\n"},
        [(T + "article.html", 3, "template syntax error while rendering articles/hello/index.html: unexpected '}'")]),
    "unclosed block": (
        {T + "persona.html": BASE_START + "{% if persona %}\n<p>x</p>\n{% endblock %}\n"},
        [(T + "persona.html", 5, "template syntax error while rendering personas/xiaobei/index.html: Encountered "
                                 "unknown tag 'endblock'. You probably made a nesting mistake. Jinja is expecting "
                                 "this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost "
                                 "block that needs to be closed is 'if'.")]),
    "unknown filter": (
        {T + "404.html": BASE_START + "{{ page.title | shout }}\n{% endblock %}\n"},
        [(T + "404.html", 3, "template syntax error while rendering 404.html: No filter named 'shout'.")]),
    "error in the base template": (
        {T + "base.html": "<!doctype html>\n<title>{{ page.title }}</title>\n{{ site.nope }}\n"},
        [(T + "base.html", 3, "template error while rendering index.html: 'dict object' has no attribute 'nope'")]),
    "error in an included partial": (
        {T + "_card.html": "<li>\n{{ card.missing_field }}\n</li>\n"},
        [(T + "_card.html", 2, "template error while rendering index.html: 'card' is undefined")]),
    "missing include": (
        {T + "campaigns.html": BASE_START + '{% include "nowhere.html" %}\n{% endblock %}\n'},
        [(T + "campaigns.html", 3, "template error while rendering campaigns/index.html: nowhere.html")]),
    "division by zero": (
        {T + "segment.html": BASE_START + "\n\n{{ 1 / 0 }}\n{% endblock %}\n"},
        [(T + "segment.html", 5, "template error while rendering segments/hefei/index.html: division by zero")]),
    "endless recursion": (
        {T + "page.html": BASE_START + "{% macro r() %}{{ r() }}{% endmacro %}\n{{ r() }}\n{% endblock %}\n"},
        [(T + "page.html", 3, "template error while rendering contact/index.html: the template recurses without end")]),
    "a cache key that cannot be one": (
        {T + "tag.html": BASE_START + "{% cache 'tag', page %}<p>x</p>{% endcache %}\n{% endblock %}\n"},
        [(T + "tag.html", 3, "template error while rendering tags/hong-bei/index.html: a {% cache %} key can hold "
                             "only strings, numbers, booleans and None, not dict")]),
    "a cache block left open": (
        {T + "tag.html": BASE_START + "{% cache 'tag' %}<p>x</p>\n{% endblock %}\n"},
        [(T + "tag.html", 4, "template syntax error while rendering tags/hong-bei/index.html: Encountered unknown "
                             "tag 'endblock'. You probably made a nesting mistake. Jinja is expecting this tag, but "
                             "currently looking for 'endcache'. The innermost block that needs to be closed is "
                             "'cache'.")]),
    "a bad format string in t()": (
        {T + "tag.html": BASE_START + "{{ t('x {a}', b=1) }}\n{% endblock %}\n"},
        [(T + "tag.html", 3, "template error while rendering tags/hong-bei/index.html: t('x {a}'): the text "
                             "'x {a}' uses {a}, which the template does not give")]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_errors_name_file_line_and_page(good, tmp_path, case):
    files, expected = CASES[case]
    code, found, _ = break_and_build(good, tmp_path, files)
    assert code == 1
    assert [(f, line, msg) for c, f, line, col, msg in found] == expected
    assert {c for c, *_ in found} == {"TPL001"} and {col for *_, col, _ in found} == {1}


def test_a_cache_key_that_cannot_be_one_has_its_own_hint(good, tmp_path):
    files, _ = CASES["a cache key that cannot be one"]
    code, _, r = break_and_build(good, tmp_path, files)
    assert code == 1
    assert [d["hint"] for d in json.loads(r.out)["diagnostics"]] == [
        "key the {% cache %} block by plain values that tell its versions apart, such as page.url "
        "(docs/theme-guide.md, Parts that are the same on many pages)"]


NAMES = ["snippet.txt", "feed.xml", "data.json", "plain", "style.css", "note.md", "x.htm"]


def test_autoescaping_is_on_for_every_template_name(good, tmp_path):
    include = "".join(f'<p>{{% include "{name}" %}}</p>\n' for name in NAMES)
    files = {T + name: "[{{ article.title }}]" for name in NAMES}
    files[T + "article.html"] = BASE_START + include + "{% endblock %}\n"
    files[A] = art("title: '<script>alert(1)</script>\"&'\ncta: {text: 立即报名, url: /contact/, kind: signup}\n")
    code, found, _ = break_and_build(good, tmp_path, files)
    assert (code, found) == (0, [])
    html = (tmp_path / "site/public/articles/hello/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert html.count("[&lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;]") == len(NAMES)


def test_the_environment_escapes_whatever_a_template_is_called(good):
    result = build.run(str(good), now="2026-11-23", render=False)
    env = make_env(result.site, result.schedule.now, {})
    for name in NAMES + ["x.html", "x.svg", ""]:
        assert env.from_string("{{ v }}").render(v="<b>") == "&lt;b&gt;"
        assert env.autoescape is True or env.autoescape(name)


def test_a_cache_block_is_rendered_once_per_key_and_forgotten_by_the_next_render(good):
    result = build.run(str(good), now="2026-11-23", render=False)
    env = make_env(result.site, result.schedule.now, {})
    tpl = env.from_string("{% cache 'n', k %}{{ k }}:{{ v }}{% endcache %}")
    # the first text of each key is used again, whatever else the second render is given
    assert [tpl.render(k=k, v=v) for k, v in (("a", 1), ("b", 2), ("a", 3), (None, 4), (None, 5))] == \
        ["a:1", "b:2", "a:1", "None:4", "None:4"]
    from site_gen.render.env import reset_fragments

    reset_fragments(env)  # (a Renderer does this when it starts: the preview keeps its environment)
    assert tpl.render(k="a", v=6) == "a:6"
    assert env.from_string("{% cache 'x' %}<{{ v }}>{% endcache %}").render(v="<b>") == "<&lt;b&gt;>"
