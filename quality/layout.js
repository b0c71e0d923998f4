// The mobile-layout probe of quality/gate.py, evaluated in the page by Playwright.
// It only measures (CSS pixels, from getBoundingClientRect and getComputedStyle); gate.py judges.
// Called as probe({phase: "top" | "end", width, minChars}); width: the viewport width asked for
// (a phone zooms out to fit a page wider than that, so innerWidth alone would hide the overflow).
({phase, width, minChars}) => {
  const se = document.scrollingElement || document.documentElement;
  const box = (el) => {
    const b = el.getBoundingClientRect();
    return {w: b.width, h: b.height, top: b.top, bottom: b.bottom, left: b.left, right: b.right};
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    for (const c of el.classList) s += "." + c;
    return s;
  };
  const label = (el) => (el.getAttribute("aria-label") || el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 24);
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const s = getComputedStyle(el);
    return s.visibility !== "hidden" && s.display !== "none";
  };
  // the tab bar: the theme's .tabbar, else a fixed or sticky <nav>
  const bar = document.querySelector(".tabbar")
    || [...document.querySelectorAll("nav")].find((n) => ["fixed", "sticky"].includes(getComputedStyle(n).position));
  // the page's call to action: SPEC §5's one element carrying data-cta (the last one, the article's end)
  const ctas = document.querySelectorAll("[data-cta]");
  const cta = ctas.length ? ctas[ctas.length - 1] : null;
  const out = {innerWidth, innerHeight, tabbar: bar ? box(bar) : null, cta: cta ? {label: label(cta), ...box(cta)} : null};

  if (phase === "end") {
    // after scrolling to the end: is the CTA on screen, above the tab bar, and the topmost thing at its centre?
    if (cta) {
      const b = cta.getBoundingClientRect();
      const x = Math.min(Math.max(b.left + b.width / 2, 0), innerWidth - 1);
      const y = Math.min(Math.max(b.top + b.height / 2, 0), innerHeight - 1);
      const hit = document.elementFromPoint(x, y);
      out.ctaHit = !!hit && (hit === cta || cta.contains(hit));
      out.ctaCovering = hit && !out.ctaHit ? name(hit) : null;
    }
    out.scrollY = scrollY;
    out.scrollMax = se.scrollHeight - innerHeight;
    return out;
  }

  out.scrollWidth = se.scrollWidth;
  out.clientWidth = se.clientWidth;
  // what sticks out to the right, for the failure message: the element reaching furthest right
  out.overflowing = null;
  if (se.scrollWidth > width) {
    let best = null;
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect().right + scrollX;
      if (r > width + 0.5 && (!best || r > best.right + 0.5)) best = {element: name(el), right: r};
    }
    out.overflowing = best;
  }
  // tap targets of the tab bar: its visible links/summaries/buttons, and each sheet's items opened
  out.tabs = [];
  if (bar) {
    const seen = new Set();
    for (const el of bar.querySelectorAll("a[href], summary, button")) {
      if (visible(el)) {
        seen.add(el);
        out.tabs.push({label: label(el), ...box(el)});
      }
    }
    for (const d of bar.querySelectorAll("details")) {
      const was = d.open;
      d.open = true;
      for (const el of d.querySelectorAll("a[href], button")) {
        if (visible(el) && !seen.has(el)) out.tabs.push({label: label(el), sheet: true, ...box(el)});
      }
      d.open = was;
    }
  }
  // running text: every text node in <main> of at least minChars characters, at least half of them
  // letters (words, not a date or a figure), outside code; measured by its element's font size.
  // Short labels (badges, bylines, tags) and date lines are exempt.
  out.bodyFont = parseFloat(getComputedStyle(document.body).fontSize);
  out.text = {min: null, count: 0, small: []};
  const root = document.querySelector("main") || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const s = node.data.trim().replace(/\s+/g, " ");
    const el = node.parentElement;
    const chars = [...s].length;
    if (chars < minChars || (s.match(/\p{L}/gu) || []).length * 2 < chars || !el || !visible(el)) continue;
    if (el.closest("pre, code, kbd, samp, [aria-hidden='true']")) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    out.text.count += 1;
    out.text.min = out.text.min === null ? size : Math.min(out.text.min, size);
    if (size < 16 && out.text.small.length < 5) out.text.small.push({element: name(el), size, text: s.slice(0, 20)});
  }
  return out;
}
