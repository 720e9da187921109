"""`python -m dailypapers.cli` runs the command line (used by tests that drive a real process)."""

from dailypapers.cli.main import main

main()
