"""Fixtures built by code shipped in the package: real stores on SQLite files and on PostgreSQL (pgserver).

Used by the test suite and the benchmarks, so both exercise the same real databases users run.
"""
