"""Command line: parse arguments, call a command, print, map the outcome to exit 0/1/2."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

from . import __version__

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 2 with a hint, like argparse, but say how to get help
        self.print_usage(sys.stderr)
        sys.stderr.write(f"site-gen: error: {message}\n  hint: run `{self.prog} --help` for the options\n")
        raise SystemExit(EXIT_USAGE)


def _common(p: argparse.ArgumentParser, fmt: bool = True) -> None:
    p.add_argument("-C", dest="root", default=".", metavar="DIR", help="the site root (default: .)")
    p.add_argument("--now", metavar="ISO", help="build as of this date/time (default: now in the site's timezone)")
    if fmt:
        p.add_argument("--strict", action="store_true", help="warnings fail the run (exit 1)")
        p.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="how diagnostics are printed")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="site-gen", description="Build persona-driven content hubs.")
    parser.add_argument("--version", action="version", version=f"site-gen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    b = sub.add_parser("build", help="build the site into the output directory")
    _common(b)
    b.add_argument("--out", metavar="DIR", help="output directory (relative to the current directory)")
    b.add_argument("--base-url", metavar="URL", help="override base_url from site.yaml")
    b.add_argument("--drafts", action="store_true", help="also publish drafts and future articles")
    b.add_argument("--jobs", type=int, metavar="N", default=0, help="processes to build with, this one included (default: one per core)")
    b.add_argument("--quiet", action="store_true", help="only diagnostics and the summary line")

    c = sub.add_parser("check", help="run every check without writing anything")
    _common(c)
    c.add_argument("--against", metavar="DIR", help="also compare articles with the texts in DIR (ORIG001)")
    c.add_argument("--fix", action="store_true", help="apply the personas' avoid → replacement substitutions")

    s = sub.add_parser("serve", help="live preview with reload")
    _common(s, fmt=False)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--no-drafts", action="store_true", help="hide drafts and future articles")
    s.add_argument("--open", action="store_true", help="open the browser")
    s.add_argument("--poll", action="store_true", help="poll for changes instead of OS file events")

    n = sub.add_parser("new", help="create an article, page, campaign or persona")
    n.add_argument("kind", choices=("article", "page", "campaign", "persona"))
    n.add_argument("name")
    n.add_argument("-C", dest="root", default=".", metavar="DIR")
    n.add_argument("--persona", metavar="ID")
    n.add_argument("--campaign", metavar="ID")

    i = sub.add_parser("init", help="scaffold a new hub in DIR")
    i.add_argument("dir", metavar="DIR")

    m = sub.add_parser("menu", help="print the WeChat menu JSON")
    m.add_argument("-C", dest="root", default=".", metavar="DIR")
    m.add_argument("--segment", metavar="ID")
    parser.set_defaults(_subparsers=sub.choices)
    return parser


def entry() -> None:
    """The `site-gen` command: :func:`main`, then a quick exit. A one-shot command's site (every
    entry, view and diagnostic) is still alive when it ends; freeing it object by object and
    Python's final collection took 0.3–1 s of a warm build. Output is flushed first; nothing else
    is left to do then (pools are closed, files written)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


_kept: list = []  # a command's result, alive until the quick exit (see entry)


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        (args._subparsers.get(args.command) or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    from .config import UsageError

    if args.command != "serve":
        gc.disable()  # one-shot: only rendering needs the cycle collector, and build.run turns it on
    try:
        return COMMANDS[args.command](args)
    except UsageError as e:
        sys.stderr.write(f"site-gen: error: {e}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("site-gen: interrupted\n")
        return 130
    except BrokenPipeError:  # `site-gen check | head`: the reader left; stop quietly, like other tools
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERRORS
    except Exception as e:  # a bug in site-gen, not the user's doing: short message, no traceback
        if os.environ.get("SITE_GEN_DEBUG"):
            raise
        sys.stderr.write(f"site-gen: internal error ({type(e).__name__}: {e}); this is a bug in site-gen — "
                         "please report it (set SITE_GEN_DEBUG=1 to see the traceback)\n")
        return EXIT_ERRORS


# ------------------------------------------------------------------------------------ commands


def _now_arg(args, tz):
    from .config import UsageError
    from .schedule import parse_now

    try:
        return parse_now(args.now, tz)
    except ValueError:
        raise UsageError(f"--now `{args.now}` is not an ISO date or datetime (e.g. 2026-12-01 or "
                         "2026-12-01T09:00:00+08:00)") from None


def report(diagnostics, fmt: str, summary_extra: str = "", out=None) -> None:
    from .diagnostics import Summary, format_github, format_json, format_text, summary_line

    out = out or sys.stdout
    s = Summary.of(diagnostics)
    if fmt == "json":
        out.write(format_json(diagnostics, {"errors": s.errors, "warnings": s.warnings, "by_code": s.by_code})
                  + "\n")
        return
    for d in diagnostics:
        out.write((format_github(d) if fmt == "github" else format_text(d)) + "\n")
    tail = summary_line(s)
    if s.by_code:
        tail += " (" + ", ".join(f"{code} ×{n}" for code, n in s.by_code.items()) + ")"
    out.write((summary_extra + ": " if summary_extra else "") + tail + "\n")


def prepare(args):
    """Resolve the root, "now" and the config's timezone without loading content twice."""
    from .config import UsageError

    root = args.root
    if not os.path.isdir(root):
        raise UsageError(f"-C {root}: no such folder")
    now = None
    if args.now:
        from .config import load_config

        config, _ = load_config(root)
        from zoneinfo import ZoneInfo

        now = _now_arg(args, config.timezone if config else ZoneInfo("Asia/Shanghai"))
    return root, now


def cmd_build(args) -> int:
    from . import build
    from .write import check_output_dir, discard_staging, make_staging, write_site

    started = time.perf_counter()
    root, now = prepare(args)
    progress = sys.stderr.isatty() and not args.quiet and args.format == "text"
    if progress:
        sys.stderr.write("building…\r")
    if args.jobs < 0:
        from .config import UsageError

        raise UsageError(f"--jobs {args.jobs}: give a number of processes ≥ 1 (0: one per core)")
    from .config import load_config

    config, _ = load_config(root)  # the output folder is refused before anything is read or written
    out_abs = check_output_dir(args.out if args.out else os.path.join(root, config.output if config else "public"),
                               root)
    staging = make_staging(out_abs)
    try:
        result = build.run(root, now=now, drafts=args.drafts, base_url=args.base_url, strict=args.strict,
                           jobs=args.jobs, previous_output=out_abs, stage=staging)
        if result.site is not None and not result.failed(args.strict):
            written = write_site(result.files, out_abs, staging, result.previous)
            result.diagnostics += written
            if not written:
                from .render.reuse import save_keys

                save_keys(root, out_abs, result.render_keys)
    finally:
        discard_staging(staging)  # a failed build leaves no trace; after the swap it is gone already
    elapsed = time.perf_counter() - started
    ok = not result.failed(args.strict)
    pages = sum(1 for f in result.files if f.path.endswith(".html") and not f.path.startswith("wechat/")) if ok else 0
    head = f"built {pages} pages in {elapsed:.2f} s" if ok else "build failed, nothing written"
    report(result.diagnostics, args.format, head)
    _kept.append(result)
    return EXIT_OK if ok else EXIT_ERRORS


def cmd_check(args) -> int:
    from . import build
    from .config import UsageError

    root, now = prepare(args)
    if args.against and not os.path.isdir(args.against):
        raise UsageError(f"--against {args.against}: no such folder")
    if args.fix:
        from .fix import apply_fixes

        fixes = sys.stdout if args.format == "text" else sys.stderr  # keep json/github output parseable
        for line in apply_fixes(root):
            fixes.write(line + "\n")
    result = build.run(root, now=now, drafts=True, against=args.against, render=False, jobs=0)
    report(result.diagnostics, args.format, "checked" if result.site else "")
    _kept.append(result)
    return EXIT_ERRORS if result.failed(args.strict) else EXIT_OK


def cmd_menu(args) -> int:
    from . import build
    from .config import UsageError

    result = build.run(args.root, render=True)
    segments = result.site.config.segments if result.site else {}
    if result.site is not None and args.segment and args.segment not in segments:
        raise UsageError(f"--segment {args.segment}: no such segment in site.yaml (known: "
                         f"{', '.join(segments) or 'none'})")
    if result.failed(False) or result.site is None:
        report(result.diagnostics, "text", "menu not exported")
        return EXIT_ERRORS
    name = "wechat/menu.json" if not args.segment else f"wechat/menu-{args.segment}.json"
    data = next((f.data for f in result.files if f.path == name), None)
    if data is None:
        if args.segment and segments[args.segment].wechat_tag_id is None:
            raise UsageError(f"the segment `{args.segment}` has no wechat_tag_id, so it has no conditional menu")
        if not (segments[args.segment].menus if args.segment and segments[args.segment].menus is not None
                else result.site.config.menus):
            raise UsageError("there is no menu to export: add `menus:` to site.yaml")
        sys.stderr.write("site-gen: the menu exceeds WeChat's limits and was not exported; turn MENU001, MENU002 "
                         "and MENU007 back on in checks.severity to see where\n")
        return EXIT_ERRORS
    sys.stdout.write(data.decode("utf-8"))
    return EXIT_OK


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(args)


def cmd_new(args) -> int:
    from .scaffold import new

    return new(args)


def cmd_init(args) -> int:
    from .scaffold import init

    return init(args)


COMMANDS = {"build": cmd_build, "check": cmd_check, "serve": cmd_serve, "new": cmd_new, "init": cmd_init,
            "menu": cmd_menu}
