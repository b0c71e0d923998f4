"""Regenerate the golden output: python tests/golden/update.py (then review `git diff tests/golden`)."""

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = "2026-11-23T10:00:00+00:00"

if __name__ == "__main__":
    expected = HERE / "expected"
    if expected.exists():
        shutil.rmtree(expected)
    subprocess.run([sys.executable, "-m", "site_gen", "build", "-C", str(HERE / "site"), "--now", NOW,
                    "--out", str(expected), "--strict"], check=True)
    print(f"updated {expected}")
