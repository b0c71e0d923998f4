"""The schemas of site.yaml, front matter, personas and campaigns (SPEC §2–§3)."""

from __future__ import annotations

from .schema import F

CTA_KINDS = ("link", "signup", "buy", "book", "contact", "call", "reply", "scan", "download")
PHASES = ("preheat", "live", "recap")

CTA = {
    "text": F("str", required=True),
    "url": F("str"),
    "kind": F("enum", choices=CTA_KINDS),
    "keyword": F("str"),
}

MENU_ITEM = {
    "name": F("str", required=True),
    "url": F("str"), "page": F("str"), "article": F("str"), "campaign": F("str"),
    "persona": F("str"), "segment": F("str"),
    "service": F("bool"),
}
MENU_TOP = {**MENU_ITEM, "items": F("listof", schema=MENU_ITEM)}
MENU_TARGETS = ("url", "page", "article", "campaign", "persona", "segment")

SITE = {
    "title": F("str", required=True),
    "base_url": F("str", required=True),
    "description": F("str"),
    "language": F("enum", choices=("zh-CN", "en")),
    "timezone": F("str"),
    "theme": F("str"),
    "output": F("str"),
    "feed_limit": F("int", min=1),
    "default_persona": F("str"),
    "markdown": F("map", schema={"html": F("bool")}),
    "menus": F("listof", schema=MENU_TOP),
    "segments": F("mapof", value=F("map", schema={
        "name": F("str", required=True),
        "wechat_tag_id": F("int", min=0),
        "menus": F("listof", schema=MENU_TOP),
    })),
    "channels": F("mapof", value=F("map", schema={"name": F("str", required=True)})),
    "checks": F("map", schema={
        "severity": F("mapof", value=F("enum", choices=("error", "warning", "off"))),
        "cta": F("map", schema={"verbs": F("strlist"), "pages": F("bool")}),
        "originality": F("map", schema={"threshold": F("number")}),
    }),
    "extra": F("any"),
}

_CHECKS = F("map", schema={"ignore": F("strlist")})

ARTICLE = {
    "title": F("str", required=True),
    "date": F("date", required=True),
    "updated": F("date"),
    "persona": F("str"),
    "campaign": F("str"),
    "phase": F("enum", choices=PHASES),
    "segments": F("strlist"),
    "tags": F("strlist"),
    "summary": F("str"),
    "cover": F("str"),
    "slug": F("str"),
    "draft": F("bool"),
    "expires": F("date"),
    "channels": F("strlist"),
    "cta": F("map", schema=CTA),
    "checks": _CHECKS,
    "extra": F("any"),
}

PAGE = {
    "title": F("str", required=True),
    "summary": F("str"),
    "persona": F("str"),
    "slug": F("str"),
    "draft": F("bool"),
    "cta": F("map", schema=CTA),
    "checks": _CHECKS,
    "extra": F("any"),
}

PERSONA = {
    "name": F("str", required=True),
    "avatar": F("str"),
    "bio": F("str"),
    "voice": F("map", schema={
        "address": F("str"),
        "avoid": F("mapof", value=F("str", nullable=True)),
        "max_sentence_chars": F("int", min=1),
    }),
    "palette": F("mapof", value=F("str")),
    "signature": F("str"),
    "extra": F("any"),
}

CAMPAIGN = {
    "title": F("str", required=True),
    "summary": F("str"),
    "persona": F("str"),
    "cover": F("str"),
    "preheat": F("date"),
    "starts": F("date", required=True),
    "ends": F("date", required=True),
    "cta": F("map", schema={p: F("map", schema=CTA) for p in PHASES}),
    "channels": F("strlist"),
    "segments": F("strlist"),
    "extra": F("any"),
}
