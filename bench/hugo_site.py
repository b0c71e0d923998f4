"""Turn a generated site-gen hub into a Hugo site that produces the same pages.

    python bench/hugo_site.py HUB_DIR HUGO_DIR

Same Markdown files (Hugo reads the YAML front matter; site-gen's own fields become params), and a
minimal theme with the same page kinds: the home page (latest 20), one page per article, one page
per tag listing its articles, section lists, the Atom-like RSS feed and the sitemap. The layouts
are as small as site-gen's default theme is, so both tools do comparable work per page.
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
markup:
  goldmark:
    renderer:
      unsafe: false
    extensions:
      table: true
      strikethrough: true
      footnote: true
outputs:
  home: [HTML, RSS]
  section: [HTML]
  taxonomy: [HTML]
  term: [HTML]
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


def convert(hub: str, out: str) -> None:
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "layouts", "_default"))
    with open(os.path.join(out, "config.yaml"), "w", encoding="utf-8") as fh:
        fh.write(CONFIG)
    for name, text in (("baseof.html", BASEOF), ("single.html", SINGLE), ("list.html", LIST), ("home.html", HOME)):
        with open(os.path.join(out, "layouts", "_default", name), "w", encoding="utf-8") as fh:
            fh.write(text)
    shutil.copytree(os.path.join(hub, "content", "articles"), os.path.join(out, "content", "articles"))
    shutil.copytree(os.path.join(hub, "content", "pages"), os.path.join(out, "content", "pages"))
    if os.path.isdir(os.path.join(hub, "static")):
        shutil.copytree(os.path.join(hub, "static"), os.path.join(out, "static"))
    with open(os.path.join(out, "static", "style.css"), "w") as fh:
        fh.write("body{font:16px/1.7 sans-serif;max-width:680px;margin:auto}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    convert(sys.argv[1], sys.argv[2])
