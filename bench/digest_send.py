"""Compose and deliver 10,000 personalised digests to a loopback SMTP server; messages/s and peak memory.

Setup (not timed in the figure): a fresh store with the bundled demo (four weeks of real daily lists), then
10,000 confirmed subscriptions made through the subscribe service, each with its own mix of categories, minimum
upvotes, size and (for 30%) saved searches. The send runs in a child process, so its peak RSS is the send's own;
the SMTP server (aiosmtpd, counting messages) runs in this process. Baseline, same child: raw smtplib pushing one
pre-rendered message 10,000 times over one connection — the cost of SMTP alone. The re-run shows what a second
`digest send` of the same day costs when everything is already delivered.

    python -m bench.digest_send [--subscribers 10000] [--engine sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time

from dailypapers.demo import load_demo
from dailypapers.services.subscriptions import Preferences, subscribe
from dailypapers.storage import open_store
from dailypapers.testing.smtp import RecordingHandler, smtp_server
from dailypapers.testing.stores import PostgresFactory, SQLiteFactory, scratch_dir

SEND_DATE = "2026-06-16"
CATEGORIES = ["cs.CL", "cs.CV", "cs.LG", "cs.AI", "cs.RO", "cs.IR"]
SEARCHES = ["diffusion", "reasoning", "agent", "video generation", "reinforcement learning", "benchmark", "robot"]

_CHILD = """
import json, resource, smtplib, sys, time
from datetime import date
from dailypapers.config import Config
from dailypapers.digest.send import SmtpSettings
from dailypapers.services.digests import send_due_digests
from dailypapers.storage import open_store

config = Config.from_env()
store = open_store(config)
count = int(sys.argv[2])
if sys.argv[1] == "baseline":
    settings = SmtpSettings.from_url(config.text("DAILYPAPERS_SMTP_URL"))
    message = open(sys.argv[3], "rb").read()
    start = time.perf_counter()
    with smtplib.SMTP(settings.host, settings.port) as smtp:
        for i in range(count):
            smtp.sendmail("digest@example.org", [f"baseline{i}@example.org"], message)
    result = {"seconds": time.perf_counter() - start}
else:
    start = time.perf_counter()
    report = send_due_digests(store, config, date.fromisoformat(sys.argv[3]))
    result = {"seconds": time.perf_counter() - start, "report": report.as_dict()}
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("RESULT " + json.dumps(result))
"""


def child(env: dict[str, str], *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", _CHILD, *args], env=env, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    line = next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT ") :]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--engine", default="sqlite", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    work = scratch_dir("bench-digest-")
    factory = SQLiteFactory(work) if args.engine == "sqlite" else PostgresFactory(work / "pg")
    config = factory.config(work / "home", DAILYPAPERS_MAIL_RATE="0", DAILYPAPERS_SECRET_KEY="bench")
    store = open_store(config)
    load_demo(store)
    rng = random.Random(48)
    start = time.perf_counter()
    for i in range(args.subscribers):
        prefs = Preferences(
            top_n=rng.choice([5, 10, 15]),
            categories=rng.sample(CATEGORIES, rng.choice([0, 0, 1, 2])),
            min_upvotes=rng.choice([0, 0, 2, 5, 10]),
            searches=rng.sample(SEARCHES, rng.choice([1, 2])) if rng.random() < 0.3 else [],
        )
        subscribe(store, config, f"reader{i}@lab{i % 97}.example.edu", preferences=prefs, confirmed=True)
    setup = time.perf_counter() - start
    store.dispose()

    handler = RecordingHandler(keep_raw=False)
    with smtp_server(handler) as (_, url):
        env = {**os.environ, **config.values, "DAILYPAPERS_SMTP_URL": url}
        sent = child(env, "send", str(args.subscribers), SEND_DATE)
        accepted = handler.accepted
        rerun = child(env, "send", str(args.subscribers), SEND_DATE)
        sample = work / "sample.eml"
        sample.write_bytes(b"Subject: baseline\r\nFrom: a@example.org\r\n\r\n" + (b"x" * 76 + b"\r\n") * 120)
        baseline = child(env, "baseline", str(args.subscribers), str(sample))
    report = sent["report"]
    assert isinstance(report, dict)
    seconds = float(sent["seconds"])  # type: ignore[arg-type]
    base = float(baseline["seconds"])  # type: ignore[arg-type]
    print(f"engine {args.engine}, subscribers {args.subscribers}, setup (subscribe service) {setup:.1f}s")
    print(
        f"send: {report['sent']} sent, {report['empty']} empty, server accepted {accepted}, "
        f"{seconds:.1f}s, {report['sent'] / seconds:.0f} messages/s, peak RSS {sent['peak_mb']:.0f} MB"
    )
    print(f"re-run of the same day: {rerun['report']['sent']} sent in {float(rerun['seconds']):.1f}s")  # type: ignore[index,arg-type]
    print(f"baseline raw smtplib, same count: {base:.1f}s ({args.subscribers / base:.0f} messages/s)")
    print(f"ratio send/baseline: {seconds / base:.1f}x")


if __name__ == "__main__":
    main()
