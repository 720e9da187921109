"""Helpers only the tests use: site clients and sign-up, feed and digest data, ingest replay set-up.

What benchmarks share with tests (stores, loopback SMTP and HTTP replay, arXiv replies) is `dailypapers.testing`.
"""
