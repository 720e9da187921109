"""First start: a fresh data dir, `dailypapers demo && dailypapers index && dailypapers serve`, timed to the first
page and to the first hybrid search answer (what `make run` does once the packages are installed).

    python -m bench.first_start [--src DIR] [--query "..."] [--workers 0]

`--src` points at another checkout's `src` (e.g. /work/main/src) to measure it on the same machine: the baseline.
Each step runs as its own process, as `make run` runs them, with DAILYPAPERS_HOME a new empty directory (so no
exported model is cached either). The first hybrid answer is checked to be hybrid: it must equal what
`dailypapers search --json` (hybrid) answers afterwards, and differ from `--mode text`. Lines the steps print on
stderr are counted and the first few shown (the onnxruntime warning of the issue would be there).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = "teaching robots to grasp objects from videos"


def _env(src: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAILYPAPERS_", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(src), DAILYPAPERS_HOME=str(home), DAILYPAPERS_LOG_LEVEL="WARNING")
    return env


def _cli(env: dict[str, str], *args: str) -> tuple[float, str, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "dailypapers.cli", *args], env=env, capture_output=True, text=True, check=True
    )
    return time.perf_counter() - started, done.stdout, done.stderr


def _children_cpu() -> float:
    """CPU seconds of this bench's finished child processes (the steps), steadier than wall time under load."""
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _tree_cpu(pid: int) -> float:
    """CPU seconds so far of a live process and all its descendants (the server, its workers, a model export)."""
    ticks, parents = 0, {pid}
    stats = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stats[int(proc.name)] = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    grew = True
    while grew:
        grew = False
        for child, fields in stats.items():
            if int(fields[1]) in parents and child not in parents:
                parents.add(child)
                grew = True
    for member in parents:
        if member in stats:
            ticks += sum(int(x) for x in stats[member][11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 120) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return bytes(reply.read())
    except OSError:
        return None


def _ids(answer: bytes | str) -> list[str]:
    """Paper ids of an API answer (a list of {"paper": {...}}) or of `dailypapers search --json` ({"results"})."""
    data = json.loads(answer)
    rows = data["results"] if isinstance(data, dict) else [row.get("paper", row) for row in data]
    return [row["id"] for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--query", default=QUERY)
    parser.add_argument("--workers", type=int, default=0, help="`serve --workers` (0: one per core, as make run)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="first-start-") as tmp:
        home = Path(tmp)
        env = _env(args.src.resolve(), home)
        print(f"src {args.src}, load average {os.getloadavg()[0]:.2f} at start")
        steps: dict[str, float] = {}
        errors: list[str] = []
        begun = time.perf_counter()
        for name in ("demo", "index"):
            cpu = _children_cpu()
            seconds, out, err = _cli(env, name)
            steps[name] = seconds
            errors += [line for line in err.splitlines() if line.strip()]
            last = out.strip().splitlines()[-1] if out.strip() else ""
            print(f"{name:>6}: {seconds:6.1f} s (CPU {_children_cpu() - cpu:5.1f} s)  {last}")
        port = _free_port()
        log = home / "serve.log"
        with log.open("w") as sink:
            server = subprocess.Popen(
                [sys.executable, "-m", "dailypapers.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            serve_start = time.perf_counter()
            while _get(base + "/", timeout=5) is None:
                if server.poll() is not None:
                    raise SystemExit(f"serve exited: {log.read_text()[-2000:]}")
                time.sleep(0.1)
            first_page = time.perf_counter()
            page_cpu = _tree_cpu(server.pid)
            search_url = f"{base}/api/papers/search?" + urllib.parse.urlencode({"q": args.query, "limit": 10})
            answer = _get(search_url, timeout=900)
            first_search = time.perf_counter()
            search_cpu = _tree_cpu(server.pid)
            again = time.perf_counter()
            _get(search_url)
            second = time.perf_counter() - again
        finally:
            server.terminate()
            server.wait(timeout=30)
        errors += [line for line in log.read_text().splitlines() if line.strip() and "serving http" not in line]
        if answer is None:
            raise SystemExit("the search did not answer:\n" + log.read_text()[-3000:])
        print(f" serve: first page {first_page - serve_start:.1f} s after start (server CPU {page_cpu:.1f} s)")
        print(
            f"search: first answer {first_search - first_page:.1f} s after the first page (server CPU by then "
            f"{search_cpu:.1f} s, with any model export), second {second:.2f} s"
        )
        print(f" total: first page {first_page - begun:.1f} s, first hybrid answer {first_search - begun:.1f} s")
        _, hybrid, _ = _cli(env, "search", args.query, "--json")
        _, text_only, _ = _cli(env, "search", args.query, "--json", "--mode", "text")
        semantic = bool(json.loads(hybrid)["semantic"])
        is_hybrid = semantic and _ids(answer) == _ids(hybrid) and _ids(hybrid) != _ids(text_only)
        print(f"hybrid: {'yes' if is_hybrid else 'NO'} (API answer = CLI hybrid with semantic on, unlike text-only)")
        print(f"stderr: {len(errors)} lines" + "".join(f"\n  {line[:160]}" for line in errors[:6]))
        print(f"load average {os.getloadavg()[0]:.2f} at end")


if __name__ == "__main__":
    main()
