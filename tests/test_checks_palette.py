"""THEME001: a persona's palette that fails WCAG AA contrast, through the real CLI."""

from __future__ import annotations

import json

import pytest

from conftest import NOW, REPO, MINIMAL_SITE_YAML, run_cli
from site_gen.checks.palette import WHITE, contrast, parse_color

PERSONA = "content/personas/xiaobei.yaml"


def found(root, *args):
    r = run_cli("check", "-C", str(root), "--now", NOW, "--format", "json", *args)
    return [(d["severity"], d["file"], d["line"], d["column"], d["message"], d["hint"])
            for d in json.loads(r.out)["diagnostics"] if d["code"] == "THEME001"]


def persona(palette: str) -> dict:
    return {PERSONA: f"name: 小贝\nbio: 店长助理\n{palette}"}


def test_light_primary_fails_white_button_text_and_a_darker_one_is_suggested(site):
    root = site(persona('palette: {primary: "#ffc914", background: "#fffaf3"}\n'))
    assert found(root) == [(
        "warning", PERSONA, 3, 20,
        "小贝's primary colour `#ffc914` has a contrast of 1.54:1 with the white text of buttons; WCAG AA needs 4.5:1",
        "use a darker primary colour (for example `#91730b`) so the call to action stays readable")]
    assert contrast(WHITE, parse_color("#91730b")) >= 4.5


def test_the_specs_example_orange_is_just_under_aa(site):
    root = site(persona('palette: {primary: "#e4572e", accent: "#ffc914", background: "#fffaf3"}\n'))
    assert [(line, col, msg) for _s, _f, line, col, msg, _h in found(root)] == [(
        3, 20, "小贝's primary colour `#e4572e` has a contrast of 3.68:1 with the white text of buttons; "
               "WCAG AA needs 4.5:1")]


def test_dark_background_under_the_body_text_points_at_the_background(site):
    root = site(persona('palette:\n  primary: "#c2410c"\n  background: "#333333"\n'))
    assert found(root) == [(
        "warning", PERSONA, 5, 15,
        "小贝's background `#333333` has a contrast of 1.35:1 with the body text `#1f1b16`; WCAG AA needs 4.5:1",
        "use a light background (for example `#fffaf3`), or set `text:` in the palette to a colour that reads on it")]


def test_a_palette_text_colour_is_the_body_text(site):
    root = site(persona('palette: {background: "#ffffff", text: "#aaaaaa"}\n'))
    assert found(root) == [(
        "warning", PERSONA, 3, 40,
        "小贝's text colour `#aaaaaa` has a contrast of 2.32:1 on the background `#ffffff`; WCAG AA needs 4.5:1",
        "use a darker text colour (for example `#757575`) or a lighter background")]


def test_primary_that_passes_on_white_can_fail_as_link_colour_on_a_tinted_background(site):
    root = site(persona('palette: {primary: "#767676", background: "#f0f0f0"}\n'))
    assert found(root) == [(
        "warning", PERSONA, 3, 20,
        "小贝's primary colour `#767676` has a contrast of 3.98:1 on the background `#f0f0f0` (links and headings); "
        "WCAG AA needs 4.5:1",
        "use a darker primary colour (for example `#6d6d6d`) or a lighter background")]
    assert contrast(WHITE, parse_color("#767676")) >= 4.5


def test_rgb_and_hsl_notations_are_read_and_alpha_is_drawn_over_white(site):
    root = site(persona('palette: {primary: "rgb(194 65 12 / 50%)", background: "hsl(30, 100%, 97%)"}\n'))
    assert [(line, col, msg) for _s, _f, line, col, msg, _h in found(root)] == [(
        3, 20, "小贝's primary colour `rgb(194 65 12 / 50%)` has a contrast of 2.19:1 with the white text of buttons; "
               "WCAG AA needs 4.5:1")]


@pytest.mark.parametrize("value, rgb", [
    ("#fff", (1.0, 1.0, 1.0)), ("#000000", (0.0, 0.0, 0.0)), ("#ff000000", (1.0, 1.0, 1.0)),
    ("rgb(255, 0, 0)", (1.0, 0.0, 0.0)), ("rgba(0,0,0,0.5)", (0.5, 0.5, 0.5)), ("rgb(100% 0% 0%)", (1.0, 0.0, 0.0)),
    ("hsl(120deg 100% 50%)", (0.0, 1.0, 0.0)), ("HSLA(240, 100%, 50%, 1)", (0.0, 0.0, 1.0)),
    ("tomato", None), ("oklch(0.6 0.2 30)", None), ("#ggg", None), ("rgb(1,2)", None), ("", None),
])
def test_parse_color(value, rgb):
    assert parse_color(value) == rgb


def test_contrast_ratios_match_wcag():
    assert contrast(parse_color("#000"), parse_color("#fff")) == pytest.approx(21.0)
    assert contrast(parse_color("#767676"), WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast(WHITE, WHITE) == 1.0


def test_colours_it_cannot_read_and_personas_without_palette_are_not_judged(site):
    root = site({PERSONA: 'name: 小贝\npalette: {primary: tomato, background: "oklch(0.2 0 0)"}\n',
                 "content/personas/kefu.yaml": "name: 阿糖\n"})
    assert found(root) == []


def test_severity_can_be_raised_to_error(site):
    root = site({**persona('palette: {primary: "#ffc914"}\n'),
                 "site.yaml": MINIMAL_SITE_YAML + "checks:\n  severity: {THEME001: error}\n"})
    r = run_cli("check", "-C", str(root), "--now", NOW)
    assert r.code == 1, r.text
    assert f"{PERSONA}:3:20: error THEME001: 小贝's primary colour `#ffc914`" in r.out


def test_the_example_hubs_palettes_pass():
    r = run_cli("check", "-C", str(REPO), "--now", NOW, "--format", "json")
    assert [d for d in json.loads(r.out)["diagnostics"] if d["code"] == "THEME001"] == []


def test_palette_values_reach_a_pages_style_only_as_plain_colour_tokens(site, tmp_path):
    """A palette value goes into the page's <style> and theme colour only when it is a plain colour
    token (the theme's css_color); anything else falls back to the default colour."""
    from bs4 import BeautifulSoup

    root = site(persona('palette: {primary: "red;}body{display:none", accent: "' + "a" * 65 + '", '
                        'background: "  #abcdef  "}\n'))
    out = tmp_path / "public"
    r = run_cli("build", "-C", str(root), "--now", NOW, "--out", str(out))
    assert r.code == 0, r.text
    pages = [BeautifulSoup(p.read_text(encoding="utf-8"), "html5lib")
             for p in sorted(out.glob("articles/*/index.html"))]
    assert pages
    for page in pages:
        assert page.find("style").string == ":root{--primary:#c2410c;--accent:#f59e0b;--bg:#abcdef}"
        assert page.find("meta", attrs={"name": "theme-color"})["content"] == "#c2410c"
