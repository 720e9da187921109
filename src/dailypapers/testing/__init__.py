"""What the test suite and the benchmarks share, shipped in the package so both run against the same real parts.

`stores` (migrated SQLite files and PostgreSQL via pgserver), `smtp` (a loopback SMTP server, aiosmtpd), `replay`
(a loopback HTTP server replaying recorded arXiv / Hugging Face replies) and `arxiv_replies` (OAI-PMH pages and
announcement feeds built from real records). Test-only packages are imported inside the functions that need them,
so importing this package needs none of them. Helpers only the tests use live in `tests/helpers/`.
"""
