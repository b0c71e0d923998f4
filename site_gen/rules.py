"""The rule codes of SPEC §6: default severity and one-line description.

Checks live in ``site_gen/checks/`` (one family per module); loading emits META/URL codes.
This table is the single source of the codes and their defaults.
"""

from __future__ import annotations

RULES: dict[str, tuple[str, str]] = {
    "META001": ("error", "front matter or YAML file does not parse"),
    "META002": ("error", "a required field is missing or has the wrong type"),
    "META003": ("warning", "an unknown field (typo)"),
    "META004": ("error", "a duplicate key in YAML"),
    "REF001": ("error", "an unknown persona / campaign / segment / channel"),
    "URL001": ("error", "two sources produce the same URL"),
    "URL002": ("error", "a slug or id is unsafe"),
    "CTA001": ("error", "an article has no call to action at its end"),
    "CTA002": ("warning", "the call-to-action text has no action verb"),
    "CTA003": ("error", "the call to action has no target or its internal target does not exist"),
    "CTA004": ("warning", "an article's own signup/buy/book action belongs to an ended campaign"),
    "CTA005": ("warning", "a ::: cta block sits in the middle of the body"),
    "VOICE001": ("warning", "the text uses a phrase the persona avoids"),
    "VOICE002": ("warning", "a sentence is longer than the persona's max_sentence_chars"),
    "CAMP001": ("error", "campaign windows out of order"),
    "CAMP002": ("warning", "an article's phase contradicts its date and the campaign windows"),
    "CAMP003": ("warning", "a campaign phase has no call to action"),
    "LINK001": ("error", "an internal link points at no page or file"),
    "LINK002": ("warning", "an internal link's #anchor does not exist on the target page"),
    "MENU001": ("error", "too many menu entries"),
    "MENU002": ("error", "a menu name or URL is longer than WeChat accepts"),
    "MENU003": ("warning", "a menu name will be cut off on phones"),
    "MENU004": ("error", "a menu entry's target does not exist"),
    "MENU005": ("warning", "the menus offer no service entry"),
    "MENU006": ("warning", "a published article cannot be reached from the menus"),
    "MENU007": ("error", "a conditional menu links to more than 3 domains"),
    "ORIG001": ("warning", "two articles are near-duplicates"),
    "THEME001": ("warning", "a persona's palette fails WCAG AA contrast"),
    # not in SPEC §6's table, but a diagnostic like the others: a theme template fails
    "TPL001": ("error", "a template has a syntax error or fails while rendering"),
    "OUT001": ("error", "the output directory cannot be written"),
}


def default_severity(code: str) -> str:
    return RULES[code][0]
