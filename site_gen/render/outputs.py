"""Feeds, sitemap, robots.txt, _headers, QR codes and the WeChat menu export."""

from __future__ import annotations

import functools
import hashlib
import json
import re

from .. import __version__
from ..checks.wechat_limits import conditional_menus, exportable
from ..diagnostics import diag
from ..model import MenuEntry
from ..urls import campaign_path, entry_path, menu_link, qr_sheet_path, with_query
from . import wechat_article


def escape(text: str) -> str:
    """XML character data: what xml.sax.saxutils.escape gives (whose import pulls in urllib.request,
    ~13 ms of every build's start)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """An XML attribute value with its quotes: what xml.sax.saxutils.quoteattr gives."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in text:
        return "'%s'" % text if "'" not in text else '"%s"' % text.replace('"', "&quot;")
    return '"%s"' % text


_ROOTED = re.compile(r'\b(href|src)="/(?!/)')


def headers_file(paths: list[str]) -> bytes:
    """Netlify/Cloudflare `_headers`: fingerprinted assets immutable, everything else revalidated.
    Rules never overlap (both hosts would join overlapping Cache-Control values)."""
    tops = sorted({p.split("/", 1)[0] + ("/*" if "/" in p else "") for p in paths} - {"assets/*"})
    lines = ["/assets/*", "  Cache-Control: public, max-age=31536000, immutable", "  X-Content-Type-Options: nosniff"]
    for top in ["", *tops]:
        lines += [f"/{top}", "  Cache-Control: public, max-age=0, must-revalidate",
                  "  X-Content-Type-Options: nosniff", "  Referrer-Policy: strict-origin-when-cross-origin"]
    return ("\n".join(lines) + "\n").encode()


def rfc3339(d) -> str:
    return d.isoformat(timespec="seconds")


def extra_outputs(r) -> None:
    from . import OutputFile

    site, sch, v = r.site, r.schedule, r.views
    cfg = site.config
    feed_items = [v.entries[e.path] for e in sch.published if e.path not in sch.preview][: cfg.feed_limit]
    updated = max((a.updated for a in feed_items), default=None)
    updated_s = rfc3339(updated) if updated else "1970-01-01T00:00:00+00:00"

    # Atom 1.0
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(cfg.language)}>',
             f"  <title>{escape(cfg.title)}</title>",
             f"  <id>{escape(cfg.base_url)}</id>",
             f'  <link rel="alternate" type="text/html" href={quoteattr(cfg.base_url)}/>',
             f'  <link rel="self" type="application/atom+xml" href={quoteattr(cfg.base_url + "feed.xml")}/>',
             f"  <updated>{updated_s}</updated>",
             "  <generator>site-gen</generator>"]
    for a in feed_items:
        author = a.persona.name if a.persona else cfg.title
        lines += ["  <entry>",
                  f"    <title>{escape(a.title)}</title>",
                  f"    <id>{escape(a.abs_url)}</id>",
                  f'    <link rel="alternate" type="text/html" href={quoteattr(a.abs_url)}/>',
                  f"    <published>{rfc3339(a.date)}</published>",
                  f"    <updated>{rfc3339(a.updated)}</updated>",
                  f"    <author><name>{escape(author)}</name></author>",
                  f"    <summary>{escape(a.summary)}</summary>"]
        lines += [f"    <category term={quoteattr(t.name)}/>" for t in a.tags]
        lines += [f'    <content type="html">{escape(absolutize(str(a.body_html), cfg.base_url))}</content>',
                  "  </entry>"]
    lines.append("</feed>")
    r.files.append(OutputFile("feed.xml", ("\n".join(lines) + "\n").encode("utf-8")))

    # JSON Feed 1.1
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": cfg.title,
        "home_page_url": cfg.base_url,
        "feed_url": cfg.base_url + "feed.json",
        "language": cfg.language,
        "items": [{
            "id": a.abs_url, "url": a.abs_url, "title": a.title, "summary": a.summary,
            "content_html": absolutize(str(a.body_html), cfg.base_url),
            "date_published": rfc3339(a.date), "date_modified": rfc3339(a.updated),
            "authors": [{"name": a.persona.name if a.persona else cfg.title}],
            "tags": [t.name for t in a.tags],
            **({"image": v.abs_link(a.cover)} if a.cover else {}),
        } for a in feed_items],
    }
    r.files.append(OutputFile("feed.json", (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")))

    # QR codes (SPEC §7.2) and each campaign's printable sheet
    qr_files: dict[str, str] = {}  # output path -> the URL it encodes
    for c in sorted(site.campaigns.values(), key=lambda c: c.id):
        codes = []
        for ch in c.channels:
            if ch not in cfg.channels:
                continue
            target = with_query(cfg.base_url.rstrip("/") + campaign_path(c.id), utm_source=ch, utm_medium="qr",
                                utm_campaign=c.id)
            qr_files[f"qr/{c.id}/{ch}.svg"] = target
            codes.append({"channel": ch, "name": cfg.channels[ch].name, "svg_url": v.prefix + f"/qr/{c.id}/{ch}.svg",
                          "url": target})
        if c.channels:
            view = v.campaign(c.id)
            r.page(qr_sheet_path(c.id), "qr-sheet.html", title=f"{c.title} · {v.t('qr_sheet')}",
                   palette_of=view.persona, campaign=view, codes=codes)
    for e in sch.published:
        if not e.channels:
            continue
        camp = e.campaign if e.campaign in site.campaigns else None
        for ch in e.channels:
            if ch not in cfg.channels:
                continue
            path = f"qr/{e.slug}/{ch}.svg"
            if path in qr_files:  # an article slug that is also a campaign id: one file, two codes
                other = site.campaigns[e.slug].path
                r.diagnostics.append(diag("URL001", e.locs.get("channels", e.loc),
                                          f"{e.path} and {other} both produce /{path}",
                                          "give the article another slug (`slug:` in its front matter)"))
                continue
            target = with_query(cfg.base_url.rstrip("/") + entry_path(e), utm_source=ch, utm_medium="qr",
                                utm_campaign=camp or e.slug)
            qr_files[path] = target
    for path, target in sorted(qr_files.items()):
        key = r.keys[path] = hashlib.sha256(f"qr\0{__version__}\0{QR_VERSION}\0{target}".encode()).hexdigest()
        if not r._carry(path, key):  # a warm build keeps the codes it made (segno is slow)
            r.files.append(OutputFile(path, qr_svg(target)))

    # WeChat menus (SPEC §7.1): a menu over WeChat's limits is never written (MENU001/002/007 say why)
    if exportable(site, cfg.menus):
        r.files.append(OutputFile("wechat/menu.json", menu_json(site, cfg.menus)))
    for sid, menus in conditional_menus(site).items():
        if exportable(site, menus, conditional=True):
            tag = {"tag_id": str(cfg.segments[sid].wechat_tag_id)}
            r.files.append(OutputFile(f"wechat/menu-{sid}.json", menu_json(site, menus, tag)))


def final_outputs(r) -> None:
    """What needs every page made first (the article pages come from the workers)."""
    from . import OutputFile

    site, sch, v = r.site, r.schedule, r.views
    cfg = site.config
    wechat_article.article_outputs(r)  # paste-ready articles for the official-account editor

    # sitemap, robots, _headers
    sm = ['<?xml version="1.0" encoding="UTF-8"?>',
          '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lastmod = {v.entries[e.path].url: v.entries[e.path].updated for e in sch.published if e.path not in sch.preview}
    for path in sorted(set(r.html_pages)):
        loc = v.abs(path)
        mod = lastmod.get(v.prefix + path)
        sm.append(f"  <url><loc>{escape(loc)}</loc>" + (f"<lastmod>{mod.date().isoformat()}</lastmod>" if mod else "")
                  + "</url>")
    sm.append("</urlset>")
    r.files.append(OutputFile("sitemap.xml", ("\n".join(sm) + "\n").encode("utf-8")))
    r.files.append(OutputFile("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {cfg.base_url}sitemap.xml\n".encode()))


def menu_button(site, m: MenuEntry) -> dict:
    if m.items:
        return {"name": m.name, "sub_button": [menu_button(site, i) for i in m.items]}
    return {"type": "view", "name": m.name, "url": menu_link(site, m) or site.config.base_url}


def menu_json(site, menus: tuple[MenuEntry, ...], matchrule: dict | None = None) -> bytes:
    """The body of WeChat's menu/create (or, with a matchrule, menu/addconditional) call."""
    body: dict = {"button": [menu_button(site, m) for m in menus]}
    if matchrule:
        body["matchrule"] = matchrule
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


QR_VERSION = "segno-m-4-4-white"  # change when qr_svg's output changes: warm builds key codes by it


@functools.lru_cache(maxsize=4096)  # pure; the preview re-makes the same codes after each edit
def qr_svg(data: str) -> bytes:
    """A QR code as SVG: dark modules on a white square (scannable on any background, dark mode too),
    with a viewBox so that it scales to whatever size a sheet or poster gives it."""
    import segno

    from .qrmask import install, svg as write_svg

    install()  # segno's mask choice, computed with numpy (the same code; render/qrmask.py)
    svg = write_svg(segno.make(data, error="m", micro=False))  # segno's bytes, written with numpy
    size = re.match(rb'<svg xmlns="http://www.w3.org/2000/svg" width="(\d+)" height="(\d+)"', svg)
    if size:
        w, h = size.group(1), size.group(2)
        svg = svg.replace(size.group(0), size.group(0) + b' viewBox="0 0 ' + w + b" " + h + b'"', 1)
    return svg


def absolutize(html: str, base_url: str) -> str:
    """Site-relative href/src in feed content become absolute (feed readers have no base)."""
    origin = "/".join(base_url.split("/", 3)[:3])
    return _ROOTED.sub(lambda m: f'{m.group(1)}="{origin}/', html)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_bytes(files: list[tuple[str, int, str]]) -> bytes:
    """``manifest.json`` for (path, bytes, sha256) rows in order: exactly
    ``json.dumps({"files": [{"path": …, "bytes": …, "sha256": …}, …]}, indent=1) + "\\n"``, made
    without the json module's pure-Python indenting encoder (a tenth of a second at 8,000 files)."""
    if not files:
        return b'{\n "files": []\n}\n'
    dumps = json.dumps
    rows = ",\n".join(f'  {{\n   "path": {dumps(path)},\n   "bytes": {size},\n   "sha256": {dumps(digest)}\n  }}'
                      for path, size, digest in files)
    return f'{{\n "files": [\n{rows}\n ]\n}}\n'.encode()
