"""The Jinja environment: site theme over the built-in theme, autoescape on, strict undefined."""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import jinja2
import yaml
from jinja2 import nodes
from jinja2.ext import Extension

from .. import __version__
from ..diagnostics import Diagnostic, Location
from ..load.cache import CACHE_DIR
from ..model import Site

_MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def load_strings(theme_dirs: tuple[str, ...], language: str) -> dict[str, str]:
    strings: dict[str, str] = {}
    for d in reversed(theme_dirs):  # built-in first, the site's theme over it
        path = os.path.join(d, "strings.yaml")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                data = yaml.safe_load(fh) or {}
            strings.update({str(k): str(v) for k, v in (data.get(language) or {}).items()})
    return strings


def fingerprint_assets(theme_dirs: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """name -> (output path under assets/, source file). The site's theme wins over the built-in."""
    found: dict[str, str] = {}
    for d in reversed(theme_dirs):
        static = os.path.join(d, "static")
        inside = os.path.realpath(d) + os.sep
        for dirpath, dirnames, filenames in os.walk(static):
            dirnames.sort()
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                full = os.path.join(dirpath, name)
                # like content: no symbolic link out of the theme, no named pipe (reading blocks)
                if not os.path.isfile(full) or (os.path.islink(full) and not os.path.realpath(full).startswith(inside)):
                    continue
                found[os.path.relpath(full, static).replace(os.sep, "/")] = full
    out = {}
    for name, full in sorted(found.items()):
        with open(full, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()[:10]
        stem, dot, ext = name.rpartition(".")
        hashed = f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
        out[name] = (f"assets/{hashed}", full)
    return out


class _Template(jinja2.Template):
    """Any error a template raises (``{{ 1 / 0 }}``, a macro that calls itself forever) is a
    template error, so it becomes a TPL001 diagnostic at the template's line, never a crash."""

    def render(self, *args, **kwargs) -> str:
        try:
            return super().render(*args, **kwargs)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError):
            raise
        except (ArithmeticError, LookupError, RecursionError, MemoryError) as e:
            message = "the template recurses without end" if isinstance(e, RecursionError) else f"{e}"
            raise jinja2.TemplateRuntimeError(message).with_traceback(e.__traceback__) from None


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds in ``.site-gen-cache/jinja-<version>/`` (Jinja checks
    each against its template's source), so a warm build that renders a page or two does not
    compile the theme again. A damaged file or a folder that cannot be written only means
    compiling, as without it."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - truncated or foreign: compile the template
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


CACHE_KEY_ERROR = "a {% cache %} key can hold only strings, numbers, booleans and None, not "


class FragmentCache(Extension):
    """``{% cache key, … %}…{% endcache %}``: the body is rendered once per build for each key and
    that text is used wherever the same key comes again (docs/theme-guide.md). The body may use
    only the key's values and what is the same on every page of a build (site, t, url, asset …).
    The built-in tab bar is cached by the menu path the page is on (if any), the built-in card by
    its article's URL, three parts of the built-in base.html by nothing or the page's draft flag."""

    tags = {"cache"}

    def __init__(self, environment: jinja2.Environment):
        super().__init__(environment)
        environment.extend(fragments={})

    def parse(self, parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_fragment", [nodes.List(key)]), [], [], body).set_lineno(lineno)

    def _fragment(self, key: list, caller) -> str:
        store = self.environment.fragments
        try:
            text = store.get(tuple(key))
        except TypeError:
            raise jinja2.TemplateRuntimeError(
                CACHE_KEY_ERROR + ", ".join(sorted({type(k).__name__ for k in key
                                                    if not isinstance(k, (str, int, float, bool, type(None)))}))
            ) from None
        if text is None:
            text = store[tuple(key)] = caller()
        return text


_NOT_IN_CSS_COLOR = frozenset(";{}<>\\\"'@")


def css_color(value, fallback: str) -> str:
    """A palette value for a ``<style>`` element: only a plain colour token (no ``;{}<>\\"'@``, at
    most 64 characters), else ``fallback``."""
    if isinstance(value, str) and len(value) <= 64 and value.strip() and _NOT_IN_CSS_COLOR.isdisjoint(value):
        return value.strip()
    return fallback


def reset_fragments(env: jinja2.Environment) -> None:
    """Forget the ``{% cache %}`` fragments of an earlier render (the preview keeps its
    environment between renders, and menus or strings may have changed)."""
    env.fragments = {}


def make_env(site: Site, now: dt.datetime, assets: dict[str, tuple[str, str]], *,
             auto_reload: bool = True) -> jinja2.Environment:
    """The Jinja environment of a render. ``auto_reload=False`` (a build): templates are not checked
    for changes on disk each time one is included (a stat per include: 5 an article page)."""
    cfg = site.config
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(os.path.join(d, "templates")) for d in site.theme_dirs])
    bytecode = _BytecodeCache(os.path.join(site.root, CACHE_DIR, f"jinja-{__version__}"))
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             bytecode_cache=bytecode, extensions=[FragmentCache], auto_reload=auto_reload)
    env.template_class = _Template
    strings = load_strings(site.theme_dirs, cfg.language)
    prefix = cfg.base_path.rstrip("/")

    def t(key: str, **kw) -> str:
        text = strings.get(key, key)
        try:
            return text.format(**kw) if kw else text
        except KeyError as e:
            raise jinja2.TemplateRuntimeError(f"t({key!r}): the text {text!r} uses {{{e.args[0]}}}, "
                                              "which the template does not give") from None
        except (IndexError, ValueError) as e:
            raise jinja2.TemplateRuntimeError(f"t({key!r}): the text {text!r} cannot be filled in ({e})") from None

    def url(path: str) -> str:
        if path.startswith("/") and not path.startswith("//"):
            return prefix + path
        return path

    def asset(name: str) -> str:
        if name not in assets:
            raise jinja2.TemplateRuntimeError(f"asset() names `{name}`, which is not in the theme's static/ folder")
        return prefix + "/" + assets[name][0]

    def fmt_date(d) -> str:
        if isinstance(d, dt.datetime):
            d = d.astimezone(cfg.timezone)
        if cfg.language == "en":
            return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
        return f"{d.year}年{d.month}月{d.day}日"

    env.globals.update(t=t, url=url, asset=asset, fmt_date=fmt_date, now=now, css_color=css_color)
    return env


def template_diagnostic(exc: Exception, site_root: str, rendering: str) -> Diagnostic:
    """A Jinja error as a diagnostic at the template's file and line, naming the page."""
    filename, lineno = None, 1
    if isinstance(exc, jinja2.TemplateSyntaxError):
        filename, lineno = exc.filename, exc.lineno or 1
    else:
        tb = exc.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if code.co_filename.endswith((".html", ".xml", ".txt", ".json")) and os.path.exists(code.co_filename):
                filename, lineno = code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    shown = "(unknown template)"
    if filename:
        rel = os.path.relpath(filename, site_root)
        shown = rel.replace(os.sep, "/") if not rel.startswith("..") else "<built-in theme>/" + "/".join(
            filename.replace(os.sep, "/").split("/themes/", 1)[-1].split("/")[1:])
    message = getattr(exc, "message", None) or str(exc)
    kind = "syntax error" if isinstance(exc, jinja2.TemplateSyntaxError) else "error"
    hint = "fix the template at this line; undefined names are listed in docs/theme-guide.md"
    if message.startswith(CACHE_KEY_ERROR):
        hint = ("key the {% cache %} block by plain values that tell its versions apart, such as page.url "
                "(docs/theme-guide.md, Parts that are the same on many pages)")
    return Diagnostic("TPL001", "error", Location(shown, lineno, 1),
                      f"template {kind} while rendering {rendering}: {message}", hint)
