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
    COPY streams, its connection can run no other query. The thread first counts the rows in
    all (`count`, at the same time as the COPY starts), then passes on the latest value."""

    def __init__(self, progress: Progress, count: Callable[[], int]) -> None:
        self.progress, self.count = progress, count
        self.latest: queue.Queue = queue.Queue(maxsize=1)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "InBackground":
        self.thread.start()
        return self

    def __call__(self, done: int, total: int = 0) -> None:
        with contextlib.suppress(queue.Full):  # the thread is busy: the next value will do
            self.latest.put_nowait(done)

    def _run(self) -> None:
        try:
            total = self.count()
            while (done := self.latest.get()) is not None:
                self.progress(done, total)
        finally:
            connection.close()  # this thread's own connection

    def __exit__(self, *exc) -> None:
        self.latest.put(None)  # waits for the thread to take the last value
        self.thread.join()


class CopySink:
    """Where COPY … TO STDOUT writes: libpq gives exactly one row per call, ended by LF. Rows
    are gathered into blocks of whole rows, written through `transform` (e.g. CRLF line ends);
    progress is reported every `every` rows."""

    BLOCK = 1 << 17

    def __init__(
        self,
        out: BinaryIO,
        progress: Progress,
        every: int = 5000,
        transform: Callable[[bytes], bytes] | None = None,
    ) -> None:
        self.out, self.progress = out, progress
        self.every = every
        self.transform = transform
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
            self.progress(self.rows, 0)  # the total is InBackground's
        return len(row)

    def flush(self) -> None:
        if self.parts:
            block = b"".join(self.parts)
            self.out.write(self.transform(block) if self.transform else block)
            self.parts, self.pending = [], 0


class CsvLines:
    """Turns a block of whole CSV rows from COPY (LF-ended) into the file's lines: `prefix`
    (leading columns, the same on every line) + the row + CRLF. A line break inside a quoted
    value is data and stays as it is: within a block of whole rows, a line break ends a row when
    an even number of quote characters came before it (a doubled quote inside a value counts
    twice)."""

    def __init__(self, prefix: bytes = b"") -> None:
        self.prefix = prefix
        self.row_end = b"\r\n" + prefix

    def __call__(self, block: bytes) -> bytes:
        pieces = block.split(b'"')
        for index in range(0, len(pieces), 2):  # the even pieces are outside quotes
            pieces[index] = pieces[index].replace(b"\n", self.row_end)
        lines = b'"'.join(pieces)
        # The block ends with a row: its end brought the next line's prefix, not wanted yet.
        return self.prefix + lines[: len(lines) - len(self.prefix)]


def copy_to(sql: str, params: list, sink: CopySink, count: Callable[[], int]) -> int:
    """Run `COPY (sql) TO STDOUT …` (sql holds the COPY statement, with %s placeholders) into
    the sink, progress reported against `count()`; returns the rows written."""
    with connection.cursor() as cursor:
        statement = cursor.cursor.mogrify(sql, params).decode()
        # JIT would compile the row expressions of a big export for half a second and more,
        # more than it saves on them.
        cursor.execute("SET jit = off")
        try:
            with InBackground(sink.progress, count) as progress:
                sink.progress = progress
                cursor.cursor.copy_expert(statement, sink)
                sink.flush()
        finally:
            cursor.execute("RESET jit")
    return sink.rows
