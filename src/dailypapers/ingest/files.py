"""Streaming line readers for (optionally gzipped) files, reporting how far through the file they are."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast


class LineSource:
    """Iterate (line number, text) over a .jsonl or .jsonl.gz without loading it; `done`/`total` in bytes."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no such file: {self.path}")
        self.total = self.path.stat().st_size
        self._raw: IO[bytes] | None = None

    @property
    def done(self) -> int:
        return self._raw.tell() if self._raw and not self._raw.closed else self.total

    def first_char(self) -> str:
        """First non-blank character, to tell a JSON array from JSON lines."""
        with self._open() as text:
            while True:
                chunk = text.read(4096)
                if not chunk:
                    return ""
                stripped = chunk.lstrip()
                if stripped:
                    return stripped[0]

    def read_all(self) -> str:
        with self._open() as text:
            return text.read()

    def __iter__(self) -> Iterator[tuple[int, str]]:
        with self._open() as text:
            for number, line in enumerate(text, start=1):
                if line.strip():
                    yield number, line

    @contextmanager
    def _open(self) -> Iterator[io.TextIOWrapper]:
        with open(self.path, "rb") as raw:
            self._raw = raw
            gz = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            binary = cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if gz else raw
            # Undecodable bytes become U+FFFD so one bad line is rejected by the parser, not the whole file.
            yield io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="\n")
