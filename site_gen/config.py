"""site.yaml → SiteConfig (SPEC §2), with the location of every value."""

from __future__ import annotations

import os
from types import MappingProxyType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .diagnostics import Diagnostic, Location, diag
from .load.files import read_text
from .load.schema import Converter, Rec
from .load.schemas import MENU_TARGETS, SITE
from .load.yamlsrc import compose
from .model import Channel, MenuEntry, Segment, SiteConfig

CONFIG_FILE = "site.yaml"
DEFAULT_CTA_VERBS = (
    "报名", "预约", "购买", "领取", "下单", "咨询", "扫码", "回复", "抢购", "预定", "预订", "订购", "申请",
    "参加", "参与", "加入", "注册", "订阅", "查看", "查询", "获取", "下载", "联系", "致电", "拨打", "点击",
    "收藏", "试吃", "到店", "抢", "买", "订", "约", "领",
    "sign up", "register", "book", "buy", "order", "shop", "get", "claim", "join", "reserve",
    "download", "contact", "call", "reply", "scan", "subscribe", "apply", "start", "try", "visit",
)


class UsageError(Exception):
    """The command cannot run (exit 2)."""


def load_config(root: str, base_url: str | None = None) -> tuple[SiteConfig | None, list[Diagnostic]]:
    if not os.path.isfile(os.path.join(root, CONFIG_FILE)):
        raise UsageError(f"no {CONFIG_FILE} in {os.path.abspath(root)}: this is not a site-gen site "
                         "(run `site-gen init DIR` to make one, or pass -C DIR)")
    src, diagnostics = read_text(root, CONFIG_FILE)
    if src is None:
        return None, diagnostics
    node, diagnostics = compose(src.text, CONFIG_FILE)
    if node is None:
        return None, diagnostics
    conv = Converter(CONFIG_FILE, lines=tuple(src.text.split("\n")))
    rec = conv.record(node, SITE, "site.yaml", whole_file=Location(CONFIG_FILE, 1, 1))
    diagnostics += conv.diagnostics
    if rec is None:
        return None, diagnostics

    def where(key: str) -> Location:
        return rec.where(key)

    # base_url
    raw_base = base_url or rec.get("base_url", "https://example.com/")
    parts = urlsplit(raw_base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        diagnostics.append(diag("META002", where("base_url") if not base_url else Location(CONFIG_FILE, 1, 1),
                                f"base_url must be an absolute http(s) URL, not `{raw_base}`",
                                "write it like base_url: https://hub.example.com/"))
        parts = urlsplit("https://example.com/")
    base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
    base = f"{parts.scheme}://{parts.netloc}{base_path}"

    tz_name = rec.get("timezone", "Asia/Shanghai")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        diagnostics.append(diag("META002", where("timezone"), f"unknown timezone `{tz_name}`",
                                "use an IANA name such as Asia/Shanghai"))
        tz = ZoneInfo("Asia/Shanghai")

    menus = tuple(_menu(m, diagnostics) for m in rec.get("menus", ()))
    segments = {}
    for sid, seg in rec.get("segments", Rec(Location(CONFIG_FILE))).items():
        seg_menus = tuple(_menu(m, diagnostics) for m in seg["menus"]) if "menus" in seg else None
        segments[sid] = Segment(sid, seg.get("name", sid), seg.get("wechat_tag_id"), seg_menus,
                                rec["segments"].key_loc[sid])
    channels = {
        cid: Channel(cid, ch.get("name", cid), rec["channels"].key_loc[cid])
        for cid, ch in rec.get("channels", Rec(Location(CONFIG_FILE))).items()
    }
    checks = rec.get("checks", {})
    severity = dict(checks.get("severity", {}))
    from .rules import RULES

    for code in list(severity):
        if code not in RULES:
            import difflib

            close = difflib.get_close_matches(code, list(RULES), n=1)
            diagnostics.append(diag("META003", checks["severity"].key_loc[code],
                                    f"unknown rule code `{code}` in checks.severity",
                                    f"did you mean `{close[0]}`?" if close else "see docs/rules.md for the codes"))
            del severity[code]
    cta = checks.get("cta", {})
    verbs = DEFAULT_CTA_VERBS + tuple(v for v in cta.get("verbs", ()) if v not in DEFAULT_CTA_VERBS)
    threshold = checks.get("originality", {}).get("threshold", 0.8)

    config = SiteConfig(
        path=CONFIG_FILE,
        title=rec.get("title", ""),
        base_url=base,
        base_path=base_path,
        description=rec.get("description", ""),
        language=rec.get("language", "zh-CN"),
        timezone=tz,
        theme=rec.get("theme", "default"),
        output=rec.get("output", "public"),
        feed_limit=rec.get("feed_limit", 50),
        default_persona=rec.get("default_persona"),
        markdown_html=rec.get("markdown", {}).get("html", False),
        menus=menus,
        segments=MappingProxyType(segments),
        channels=MappingProxyType(channels),
        severity=MappingProxyType(severity),
        cta_verbs=verbs,
        cta_pages=cta.get("pages", False),
        originality_threshold=threshold,
        locs=MappingProxyType(dict(rec.val_loc)),
        extra=rec.get("extra"),
    )
    return config, diagnostics


def _menu(m: Rec, diagnostics: list[Diagnostic], top: bool = True) -> MenuEntry:
    targets = [k for k in MENU_TARGETS if k in m]
    kind = targets[0] if targets else None
    name = m.get("name", "")
    if len(targets) > 1:
        diagnostics.append(diag("META002", m.key_loc[targets[1]],
                                f"the menu entry `{name}` has more than one target ({', '.join(targets)})",
                                f"keep one of {', '.join(targets)}"))
    elif top and kind and "items" in m:
        diagnostics.append(diag("META002", m.key_loc["items"],
                                f"the menu entry `{name}` has both `{kind}` and `items`",
                                "a top-level entry opens either a page or a list of items: remove one"))
    elif not kind and not (top and m.get("items")):
        diagnostics.append(diag("META002", m.loc, f"the menu entry `{name}` has no target",
                                "add one of: " + ", ".join(MENU_TARGETS) + (" or items" if top else "")))
    return MenuEntry(
        name=m.get("name", ""),
        target_kind=kind,
        target=m.get(kind) if kind else None,
        service=bool(m.get("service", False)),
        items=tuple(_menu(i, diagnostics, top=False) for i in m.get("items", ())),
        loc=m.loc,
        name_loc=m.where("name"),
        target_loc=m.where(kind) if kind else m.loc,
    )
