"""Commands start fast because heavy modules load only inside the commands that need them.

A structural check, not a timing one: after `--help`, `config` and `stats` run in a fresh interpreter, none of the
heavy modules (model runtimes, vector index, numpy, the web framework, the HTTP client) has been imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("torch", "sentence_transformers", "onnxruntime", "usearch", "numpy", "fastapi", "httpx", "argon2")
PROBE = """
import json, sys
command, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["dailypapers", *command]
try:
    from dailypapers.cli.main import main
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
"""


@pytest.mark.parametrize("command", [["--help"], ["config"], ["stats"], ["db", "status"], ["search", "--help"]])
def test_a_command_that_needs_no_model_or_web_stack_does_not_import_them(command: list[str], tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DAILYPAPERS_", "DATABASE_URL"))}
    env["DAILYPAPERS_HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(command), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == [], f"`dailypapers {' '.join(command)}` imported {loaded}"
