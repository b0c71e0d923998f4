"""Where a build's wall time goes: runs `site-gen build` in this process and prints each stage.

    python bench/phases.py build -C /tmp/site-gen-bench-4000 --now 2026-11-23 --out /tmp/out --quiet

Any `site-gen` command line works; the stages are timed by wrapping the pipeline's functions
(nothing in site-gen is changed). With `--jobs` above 1 and 300+ articles, worker processes render
the pages while this process makes the feeds, QR codes and menus (`extra_outputs`) and runs the
checks (`run_checks`, inside `render_site`); "wait for workers" is what is left of their work after
that. Delete `<site>/.site-gen-cache/` and the output folder first for a cold build.
"""

from __future__ import annotations

import functools
import sys
import time

import site_gen.build as build
import site_gen.cli as cli
import site_gen.render as render
import site_gen.render.outputs as outputs
import site_gen.write as write


def timed(owner, name: str, label: str | None = None) -> None:
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            print(f"  {label or name:<16} {time.perf_counter() - started:7.2f} s", file=sys.stderr)

    setattr(owner, name, wrapper)


def main(argv: list[str]) -> int:
    for name in ("load_site", "plan", "run_checks", "render_site"):
        timed(build, name)
    timed(render.Renderer, "_join_workers", "wait for workers")
    timed(outputs, "extra_outputs")
    timed(outputs, "final_outputs")
    timed(write, "write_site")
    started = time.perf_counter()
    code = cli.main(argv)
    print(f"  {'total':<16} {time.perf_counter() - started:7.2f} s", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
