"""Reads: what pages, the API, feeds, digests and the CLI show. Writes live in `services`."""
