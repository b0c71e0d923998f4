"""THEME001: a persona's palette fails WCAG AA contrast (4.5:1 for normal text).

The default theme draws a persona's pages with its palette: buttons (the call to action) are
white text on ``primary``; body text (``palette.text``, else the theme's ink ``#1f1b16``) sits on
``background``; links and headings are ``primary`` on ``background`` (the theme darkens them in
browsers that support relative colours, the WeChat export uses the colour as written). Each pair
below 4.5:1 is one warning, pointing at the colour to change.

Colours written as hex (``#rgb``, ``#rrggbb``, with or without alpha), ``rgb()``/``rgba()`` or
``hsl()``/``hsla()`` are checked; other notations (names, ``oklch()`` …) are not judged. A colour
with transparency is taken as drawn over white.
"""

from __future__ import annotations

import colorsys
import re
from typing import Iterable

import yaml

from ..diagnostics import Diagnostic, Location, diag
from ..load.files import read_text
from ..load.yamlsrc import compose, node_loc

AA = 4.5
WHITE = (1.0, 1.0, 1.0)
INK = "#1f1b16"  # the default theme's body text (style.css --ink)
DEFAULTS = {"primary": "#c2410c", "background": "#fffaf3"}  # the theme's colours for a missing key

_HEX = re.compile(r"#([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_FUNC = re.compile(r"(rgba?|hsla?)\(\s*([^()]*)\)", re.I)
_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)"


def _part(token: str, scale: float) -> float:
    """A number or percentage as a fraction of ``scale``."""
    return float(token[:-1]) / 100 if token.endswith("%") else float(token) / scale


def parse_color(value: str) -> tuple[float, float, float] | None:
    """sRGB channels 0..1 of a CSS colour (composited over white), or None if not hex/rgb()/hsl()."""
    text = str(value).strip()
    m = _HEX.fullmatch(text)
    if m:
        h = m.group(1)
        if len(h) <= 4:
            h = "".join(c * 2 for c in h)
        rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return _over_white(rgb, alpha)
    m = _FUNC.fullmatch(text)
    if not m:
        return None
    parts = [p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p]
    if len(parts) not in (3, 4) or not all(re.fullmatch(_NUM + r"(?:%|deg)?", p) for p in parts):
        return None
    alpha = min(max(_part(parts[3], 1), 0.0), 1.0) if len(parts) == 4 else 1.0
    if m.group(1).lower().startswith("rgb"):
        rgb = [min(max(_part(p, 255), 0.0), 1.0) for p in parts[:3]]
    else:
        hue = float(parts[0].removesuffix("deg")) / 360 % 1
        sat, light = (min(max(_part(p, 100), 0.0), 1.0) for p in parts[1:3])
        rgb = list(colorsys.hls_to_rgb(hue, light, sat))
    return _over_white(rgb, alpha)


def _over_white(rgb, alpha: float) -> tuple[float, float, float]:
    return tuple(c * alpha + (1 - alpha) for c in rgb)


def luminance(rgb) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1..21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _hex(rgb) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def darker_passing(rgb, against) -> str | None:
    """The colour darkened (towards black, same hue) just enough to reach AA against ``against``."""
    for step in range(100, -1, -1):
        candidate = tuple(c * step / 100 for c in rgb)
        if contrast(candidate, against) >= AA:
            return _hex(candidate)
    return None


def _ratio(x: float) -> str:
    return f"{int(x * 100) / 100:.2f}".rstrip("0").rstrip(".") + ":1"  # truncated: 4.49 never shows as 4.5


def _palette_locations(root: str, persona) -> dict[str, Location]:
    """Where each palette colour's value stands in the persona's file (read again: the model keeps
    the position of the palette mapping only)."""
    src, _ = read_text(root, persona.path)
    node = compose(src.text, persona.path)[0] if src else None
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key, value in node.value:
        if getattr(key, "value", None) == "palette" and isinstance(value, yaml.MappingNode):
            return {str(k.value): node_loc(persona.path, v) for k, v in value.value if isinstance(k, yaml.ScalarNode)}
    return {}


def check(ctx) -> Iterable[Diagnostic]:
    for pid in sorted(ctx.site.personas):
        persona = ctx.site.personas[pid]
        palette = persona.palette
        if not palette or not any(k in palette for k in ("primary", "background", "text")):
            continue
        where = None

        def loc(key: str) -> Location:
            nonlocal where
            if where is None:
                where = _palette_locations(ctx.site.root, persona)
            return where.get(key) or persona.locs.get("palette") or persona.loc

        colors = {k: palette.get(k, DEFAULTS.get(k)) for k in ("primary", "background")}
        colors["text"] = palette.get("text", INK)
        primary, background, text = (parse_color(colors[k]) if colors[k] is not None else None
                                     for k in ("primary", "background", "text"))
        name = persona.name or pid
        # 1. buttons: white text on the primary colour
        if primary and "primary" in palette and contrast(WHITE, primary) < AA:
            fix = darker_passing(primary, WHITE)
            yield diag("THEME001", loc("primary"),
                       f"{name}'s primary colour `{palette['primary']}` has a contrast of "
                       f"{_ratio(contrast(WHITE, primary))} with the white text of buttons; WCAG AA needs 4.5:1",
                       f"use a darker primary colour (for example `{fix}`) so the call to action stays readable")
        # 2. body text on the background
        if background and text and ("background" in palette or "text" in palette) and contrast(text, background) < AA:
            ratio = _ratio(contrast(text, background))
            if "text" in palette:
                yield diag("THEME001", loc("text"),
                           f"{name}'s text colour `{colors['text']}` has a contrast of {ratio} on the background "
                           f"`{colors['background']}`; WCAG AA needs 4.5:1",
                           f"use a darker text colour (for example `{darker_passing(text, background)}`)"
                           " or a lighter background")
            else:
                yield diag("THEME001", loc("background"),
                           f"{name}'s background `{colors['background']}` has a contrast of {ratio} with the "
                           f"body text `{colors['text']}`; WCAG AA needs 4.5:1",
                           "use a light background (for example `#fffaf3`), or set `text:` in the palette to a "
                           "colour that reads on it")
        # 3. links and headings: the primary colour as text on the background
        elif primary and background and contrast(WHITE, primary) >= AA and contrast(primary, background) < AA:
            fix = darker_passing(primary, background)
            yield diag("THEME001", loc("primary"),
                       f"{name}'s primary colour `{colors['primary']}` has a contrast of "
                       f"{_ratio(contrast(primary, background))} on the background `{colors['background']}` "
                       "(links and headings); WCAG AA needs 4.5:1",
                       f"use a darker primary colour (for example `{fix}`) or a lighter background")
