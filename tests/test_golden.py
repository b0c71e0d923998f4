"""The golden sample site: its build must equal tests/golden/expected byte for byte.
After an intended change, regenerate with `python tests/golden/update.py` and review the diff."""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

from conftest import run_cli, tree_bytes

HERE = Path(__file__).resolve().parent / "golden"
spec = importlib.util.spec_from_file_location("golden_update", HERE / "update.py")
update = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update)


def test_golden_site_matches_expected_tree(tmp_path):
    out = tmp_path / "out"
    r = run_cli("build", "-C", str(HERE / "site"), "--now", update.NOW, "--out", str(out), "--strict")
    assert r.code == 0, r.text
    got, want = tree_bytes(out), tree_bytes(HERE / "expected")
    assert sorted(got) == sorted(want), "file lists differ: run python tests/golden/update.py and review"
    for name in sorted(want):
        if got[name] != want[name]:
            diff = "\n".join(difflib.unified_diff(want[name].decode(errors="replace").splitlines(),
                                                  got[name].decode(errors="replace").splitlines(),
                                                  f"expected/{name}", f"got/{name}", lineterm="", n=2))
            raise AssertionError(f"{name} differs (python tests/golden/update.py regenerates):\n{diff[:3000]}")
