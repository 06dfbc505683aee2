"""Writing big files without holding them: the progress of a run reported without slowing it,
and PostgreSQL's COPY … TO STDOUT poured into a file (mairie.files keeps it, its hash and size
computed as the bytes go by)."""

import contextlib
import logging
import os
import queue
import threading
from collections.abc import Callable
from typing import BinaryIO

from django.db import connection

logger = logging.getLogger(__name__)

# (rows done, rows in all)
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """For the callers that do not follow a run."""


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
        except Exception:
            # The progress bar is a courtesy: its failure neither stops nor blocks the export.
            logger.exception("Progression de l'export non enregistrée")
            while self.latest.get() is not None:
                pass
        finally:
            connection.close()  # this thread's own connection

    def __exit__(self, *exc) -> None:
        self.latest.put(None)  # waits for the thread to take the last value
        self.thread.join()


class Lines:
    """COPY's output, chunk by chunk, cut anywhere, turned into the file's lines. Rows end with
    LF; a line break inside a quoted value is data: a break ends a row when an even number of
    `quote` characters came before it since the start (a doubled quote counts twice). Each line
    gets `prefix` (leading columns, the same on every line) and ends with `end`; the quote
    characters are dropped unless `keep_quote`. Counts the rows as they go by."""

    def __init__(
        self, quote: bytes, prefix: bytes = b"", end: bytes = b"\n", keep_quote: bool = True
    ) -> None:
        self.quote, self.prefix, self.keep_quote = quote, prefix, keep_quote
        self.row_end = end + prefix
        self.inside = False
        self.rows = 0
        # Written once more data comes: after the last row, the prefix of a line that never
        # comes, which finish() drops.
        self.held = prefix

    def __call__(self, chunk: bytes) -> bytes:
        pieces = chunk.split(self.quote)
        for index in range(1 if self.inside else 0, len(pieces), 2):  # outside quotes
            self.rows += pieces[index].count(b"\n")
            if self.row_end != b"\n":
                pieces[index] = pieces[index].replace(b"\n", self.row_end)
        if len(pieces) % 2 == 0:  # an odd number of quote characters
            self.inside = not self.inside
        data = self.held + (self.quote if self.keep_quote else b"").join(pieces)
        cut = len(data) - len(self.prefix)
        self.held = data[cut:]
        return data[:cut]


def copy_to(
    sql: str,
    params: list,
    out: BinaryIO,
    lines: Lines,
    progress: Progress,
    count: Callable[[], int],
) -> int:
    """Run `COPY (sql) TO STDOUT …` (sql holds the COPY statement, with %s placeholders) and
    write its lines into `out`, progress reported against `count()`; returns the rows written.

    psycopg2 hands COPY's output over one row per call: to a pipe, whose C write costs next to
    nothing, while a thread reads it by large chunks, shapes the lines and writes them (and the
    database keeps working meanwhile)."""
    read_end, write_end = os.pipe()
    failed: list[BaseException] = []

    def drain(reporter: InBackground) -> None:
        with open(read_end, "rb", buffering=0) as pipe:
            try:
                while chunk := pipe.read(1 << 17):
                    out.write(lines(chunk))
                    reporter(lines.rows)
            except BaseException as error:  # given to the caller; the pipe is emptied
                failed.append(error)
                while pipe.read(1 << 17):
                    pass

    with InBackground(progress, count) as reporter:
        thread = threading.Thread(target=drain, args=(reporter,), daemon=True)
        thread.start()
        try:
            with open(write_end, "wb", buffering=1 << 16) as pipe, connection.cursor() as cursor:
                statement = cursor.cursor.mogrify(sql, params).decode()
                # JIT would compile the row expressions of a big export for half a second and
                # more, more than it saves on them.
                cursor.execute("SET jit = off")
                try:
                    cursor.cursor.copy_expert(statement, pipe)
                finally:
                    cursor.execute("RESET jit")
        finally:
            thread.join()  # the write end is closed: the thread reads to the end
    if failed:
        raise failed[0]
    return lines.rows
