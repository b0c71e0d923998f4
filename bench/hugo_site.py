"""Turn a generated site-gen hub into a Hugo site that produces the same pages.

    python bench/hugo_site.py HUB_DIR HUGO_DIR [--pages-only]

Same Markdown files (Hugo reads the YAML front matter; site-gen's own fields become params), and a
minimal theme with the same page kinds: the home page (latest 20), one page per article, one page
per tag and per persona listing its articles, section lists, the Atom-like RSS feed, the JSON feed
and the sitemap; and, as site-gen writes `wechat/articles/<slug>.html` for each article, a second
output format per article: its WeChat export (the body with the persona's styles written into each
tag, absolute image URLs, links listed as numbered notes, the signature). The layouts are as small as
site-gen's default theme is, so both tools do comparable work per page.

--pages-only leaves out the WeChat exports, the persona pages and the JSON feed: the Hugo site the
benchmark used until the tenth session, half the files site-gen writes.
"""

from __future__ import annotations

import os
import shutil
import sys

CONFIG = """\
baseURL: "https://hub.example.com/"
languageCode: zh-CN
title: Bench hub
disableKinds: []
taxonomies:
  tag: tags
  author: persona
markup:
  goldmark:
    renderer:
      unsafe: false
    extensions:
      table: true
      strikethrough: true
      footnote: true
outputs:
  home: [HTML, RSS, JSON]
  section: [HTML]
  taxonomy: [HTML]
  term: [HTML]
  page: [HTML]
outputFormats:
  wechat:
    mediaType: text/html
    baseName: wechat
    isHTML: true
    permalinkable: false
cascade:
  - _target: {path: "/articles/**"}
    outputs: [HTML, wechat]
"""

BASEOF = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title><link rel="stylesheet" href="/style.css"></head>
<body><header><a href="/">{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main>
<nav><a href="/">最新</a> <a href="/tags/">标签</a></nav></body></html>
"""

SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006年1月2日" }}</time> · {{ .ReadingTime }} 分钟</p>
{{ .Content }}
<ul>{{ range .Params.tags }}<li><a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a></li>{{ end }}</ul>
</article>{{ end }}
"""

LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary | plainify | truncate 120 }}</p>
<p>{{ .Date.Format "2006年1月2日" }}</p></article>{{ end }}{{ end }}
"""

HOME = """{{ define "main" }}<h1>{{ .Site.Title }}</h1>
{{ range first 20 (where .Site.RegularPages "Section" "articles") }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary | plainify | truncate 120 }}</p></article>{{ end }}{{ end }}
"""


# site-gen's WeChat export (wechat/articles/<slug>.html), the same work as a Hugo output format: the
# article's HTML with the persona-coloured stylesheet's rules written into each tag's style
# attribute, image URLs made absolute, links turned into a numbered list of notes, and the signature.
# (site-gen inlines with css_inline, Hugo here with string replacements: Hugo has no CSS inliner. The
# marks left in the text are "[*]", not each note's number: a Go template has no per-match callback.)
WECHAT = """{{- $pal := index site.Params.palettes (.Params.persona | default "xiaobei") -}}
{{- $c := string .Content -}}
{{- $c = replaceRE `<h([1-6]) id="[^"]*">` `<h$1>` $c -}}
{{- $c = replace $c "<p>" `<p style="margin: 0 0 16px 0;">` -}}
{{- $c = replace $c "<h2>" (printf `<h2 style="margin: 28px 0 12px 0;color: %s;font-weight: bold;line-height: 1.4;font-size: 19px;padding-left: 10px;border-left: 4px solid %s;">` $pal.primary $pal.accent) -}}
{{- $c = replace $c "<h3>" (printf `<h3 style="margin: 28px 0 12px 0;color: %s;font-weight: bold;line-height: 1.4;font-size: 17px;">` $pal.primary) -}}
{{- $c = replace $c "<ul>" `<ul style="margin: 0 0 16px 0;padding-left: 24px;">` -}}
{{- $c = replace $c "<ol>" `<ol style="margin: 0 0 16px 0;padding-left: 24px;">` -}}
{{- $c = replace $c "<li>" `<li style="margin: 4px 0;">` -}}
{{- $c = replace $c "<table>" `<table style="width: 100%;margin: 0 0 16px 0;border-collapse: collapse;font-size: 14px;">` -}}
{{- $c = replace $c "<th>" (printf `<th style="padding: 6px 8px;border: 1px solid #e5ded6;background-color: %s;color: #1f1b16;font-weight: bold;">` $pal.accent) -}}
{{- $c = replace $c "<td>" `<td style="padding: 6px 8px;border: 1px solid #e5ded6;">` -}}
{{- $c = replace $c "<blockquote>" (printf `<blockquote style="margin: 16px 0;padding: 10px 14px;border-left: 3px solid %s;background-color: #ffffff;color: #5c5349;">` $pal.accent) -}}
{{- $c = replace $c "<pre>" `<pre style="margin: 0 0 16px 0;padding: 12px;border-radius: 6px;background-color: rgba(0,0,0,0.05);white-space: pre-wrap;overflow-x: auto;font-size: 14px;line-height: 1.6;">` -}}
{{- $c = replaceRE `<code( class="[^"]*")?>` `<code style="padding: 1px 4px;border-radius: 3px;background-color: rgba(0,0,0,0.05);font-family: Menlo,Consolas,monospace;font-size: 14px;">` $c -}}
{{- $c = replace $c "<strong>" (printf `<strong style="color: %s;font-weight: bold;">` $pal.primary) -}}
{{- $c = replace $c "<hr>" `<hr style="margin: 24px 0;border: 0;border-top: 1px solid #e5ded6;">` -}}
{{- $c = replaceRE `<img src="/([^"]*)"` (printf `<img style="display: block;max-width: 100%%;height: auto;margin: 16px auto;border-radius: 6px;" src="%s$1"` site.BaseURL) $c -}}
{{- $links := findRE `<a href="[^"]*"` $c -}}
{{- $c = replaceRE `<a href="[^"]*">([^<]*)</a>` (printf `$1<sup style="font-size: 12px;line-height: 1;color: %s;vertical-align: super;">[*]</sup>` $pal.primary) $c -}}
<section style="margin: 0;padding: 16px 14px;background-color: {{ $pal.background }};color: #2b2520;font-size: 16px;line-height: 1.75;letter-spacing: 0.5px;word-wrap: break-word;overflow-wrap: break-word;text-align: left;">
<section style="margin: 0;padding: 0;">
{{ $c | safeHTML }}
</section>
<p style="margin: 24px 0 0 0;text-align: right;color: #8a8178;">{{ $pal.signature }}</p>
{{- with $links }}
<section style="margin: 24px 0 0 0;padding-top: 12px;border-top: 1px dashed #d8cfc4;font-size: 13px;line-height: 1.6;color: #8a8178;"><p style="margin: 0 0 6px 0;word-break: break-all;margin-bottom: 8px;color: #2b2520;font-weight: bold;">文中链接</p>
{{- range $i, $l := . }}<p style="margin: 0 0 6px 0;word-break: break-all;">[{{ add $i 1 }}] {{ strings.TrimSuffix `"` (strings.TrimPrefix `<a href="` $l) | absURL }}</p>{{ end }}</section>
{{- end }}
</section>
"""


# feed.json (JSON Feed 1.1), as site-gen's: the newest 50 articles
JSON_FEED = """{{- $items := slice -}}
{{- range first 50 (where .Site.RegularPages "Section" "articles") -}}
{{- $items = $items | append (dict "id" .Permalink "url" .Permalink "title" .Title "content_html" (string .Content) "date_published" (.Date.Format "2006-01-02T15:04:05Z07:00") "tags" .Params.tags) -}}
{{- end -}}
{{- dict "version" "https://jsonfeed.org/version/1.1" "title" .Site.Title "home_page_url" .Site.BaseURL "items" $items | jsonify -}}
"""


def palettes(hub: str) -> str:
    """The personas' palettes and signatures as Hugo site params (YAML)."""
    import yaml

    out = {}
    folder = os.path.join(hub, "content", "personas")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".yaml"):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                p = yaml.safe_load(fh)
            out[name[:-5]] = {**p.get("palette", {}), "signature": p.get("signature", "")}
    return yaml.safe_dump({"params": {"palettes": out}}, allow_unicode=True)


def convert(hub: str, out: str, pages_only: bool = False) -> None:
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "layouts", "_default"))
    with open(os.path.join(out, "config.yaml"), "w", encoding="utf-8") as fh:
        if pages_only:
            fh.write(CONFIG.split("outputFormats:")[0].replace("  author: persona\n", "").replace("[HTML, RSS, JSON]",
                                                                                                  "[HTML, RSS]"))
        else:
            fh.write(CONFIG + palettes(hub))
    layouts = [("baseof.html", BASEOF), ("single.html", SINGLE), ("list.html", LIST), ("home.html", HOME)]
    if not pages_only:
        layouts += [("single.wechat.html", WECHAT), ("index.json", JSON_FEED)]
    for name, text in layouts:
        with open(os.path.join(out, "layouts", "_default", name), "w", encoding="utf-8") as fh:
            fh.write(text)
    shutil.copytree(os.path.join(hub, "content", "articles"), os.path.join(out, "content", "articles"))
    shutil.copytree(os.path.join(hub, "content", "pages"), os.path.join(out, "content", "pages"))
    if os.path.isdir(os.path.join(hub, "static")):
        shutil.copytree(os.path.join(hub, "static"), os.path.join(out, "static"))
    with open(os.path.join(out, "static", "style.css"), "w") as fh:
        fh.write("body{font:16px/1.7 sans-serif;max-width:680px;margin:auto}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--pages-only"]
    if len(args) != 2:
        sys.exit(__doc__)
    convert(args[0], args[1], pages_only="--pages-only" in sys.argv[1:])
