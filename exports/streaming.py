"""Writing big files without holding them: the stored file's hash and size computed as the bytes
go by, the progress of a run reported without slowing it, and PostgreSQL's COPY … TO STDOUT
poured into a file."""

import contextlib
import hashlib
import queue
import threading
from collections.abc import Callable
from typing import BinaryIO

from django.db import connection

# (rows done, rows in all)
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """For the callers that do not follow a run."""


class HashingWriter:
    """A binary file whose SHA-256 and size are known once written."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()

    @property
    def sha256(self) -> str:
        return self.hash.hexdigest()


class Throttled:
    """Passes progress on when it moved by at least one percent (at most about 100 calls)."""

    def __init__(self, report: Callable[[int], None]) -> None:
        self.report = report
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, done * 100 // total) if total else 0
        if percent > self.last:
            self.last = percent
            self.report(percent)


class InBackground:
    """Progress reported from a thread of its own, with its own database connection: while a
    COPY streams, its connection can run no other query. Only the latest value is sent."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.latest: queue.Queue = queue.Queue(maxsize=1)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "InBackground":
        self.thread.start()
        return self

    def __call__(self, done: int, total: int) -> None:
        with contextlib.suppress(queue.Full):  # the thread is busy: the next value will do
            self.latest.put_nowait((done, total))

    def _run(self) -> None:
        try:
            while (item := self.latest.get()) is not None:
                self.progress(*item)
        finally:
            connection.close()  # this thread's own connection

    def __exit__(self, *exc) -> None:
        self.latest.put(None)  # waits for the thread to take the last value
        self.thread.join()


class CopySink:
    """Where COPY … TO STDOUT writes: libpq gives one row per call; rows are gathered into
    blocks, transformed (`transform(block)`, e.g. line ends), then written; progress is reported
    every `every` rows."""

    BLOCK = 1 << 17

    def __init__(
        self,
        out: BinaryIO,
        total: int,
        progress: Progress,
        transform: Callable[[bytes], bytes] | None = None,
        every: int = 5000,
    ) -> None:
        self.out, self.total, self.progress = out, total, progress
        self.transform = transform or (lambda block: block)
        self.every = every
        self.rows = 0
        self.parts: list[bytes] = []
        self.pending = 0

    def write(self, row: bytes) -> int:
        self.parts.append(row)
        self.pending += len(row)
        self.rows += 1
        if self.pending >= self.BLOCK:
            self.flush()
        if not self.rows % self.every:
            self.progress(self.rows, self.total)
        return len(row)

    def flush(self) -> None:
        if self.parts:
            self.out.write(self.transform(b"".join(self.parts)))
            self.parts, self.pending = [], 0


def copy_to(sql: str, params: list, sink: CopySink) -> int:
    """Run `COPY (sql) TO STDOUT …` (sql holds the COPY statement, with %s placeholders) into
    the sink; returns the rows written."""
    with connection.cursor() as cursor:
        statement = cursor.cursor.mogrify(sql, params).decode()
        with InBackground(sink.progress) as progress:
            sink.progress = progress
            cursor.cursor.copy_expert(statement, sink)
            sink.flush()
    return sink.rows


class CrlfLines:
    """COPY ends CSV lines with LF; the file wants CRLF. A line break inside a quoted value is
    data and stays as it is: a break is outside quotes when an even number of quote characters
    came before it (doubled quotes inside a value count twice)."""

    def __init__(self) -> None:
        self.inside = False

    def __call__(self, block: bytes) -> bytes:
        pieces = block.split(b'"')
        for index in range(len(pieces)):
            if not self.inside:
                pieces[index] = pieces[index].replace(b"\n", b"\r\n")
            if index < len(pieces) - 1:
                self.inside = not self.inside
        return b'"'.join(pieces)
