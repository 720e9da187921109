"""axe-core (the npm package) for the accessibility tests: installed with npm into the user's cache on first use,
then read from there. `scripts/install-system-deps` provides npm (Debian's), so `make test` on a clean checkout
needs nothing by hand."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

AXE_VERSION = "4.11.0"


def cache_dir() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "dailypapers-tests" / f"axe-core-{AXE_VERSION}"


def axe_source() -> str:
    """The text of axe.min.js, installing axe-core@AXE_VERSION with npm once (a lock keeps parallel workers apart)."""
    folder = cache_dir()
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not script.exists():
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError("npm is missing: run scripts/install-system-deps (it installs Debian's npm)")
            command = [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent"]
            subprocess.run([*command, f"axe-core@{AXE_VERSION}"], check=True, timeout=600)
    return script.read_text(encoding="utf-8")
