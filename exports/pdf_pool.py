"""Long PDFs rendered by WeasyPrint in child processes, one document per part, joined with pypdf.

WeasyPrint lays out one core's worth of rows per second and holds every box of a document in
memory, so a long table costs minutes and gigabytes in one process. Each part (a tableau's
récapitulatif, one bureau's section) is a document of its own, with its own "page N / M",
rendered in parallel by a pool whose processes are forked from a clean server process: they
receive HTML strings only, never touch the database nor Django, and give their memory back to
the system when the pool closes (the long-lived task worker does not keep it).

This module imports neither Django nor the project's apps, only mairie.pdf, which imports neither:
the pool's server imports it alone.
"""

import io
import multiprocessing
import os
import resource
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pypdf

from mairie.pdf import write_pdf

# Under this many table rows in all, starting processes costs more than it saves.
PARALLEL_ROWS = 400


@dataclass(frozen=True)
class Part:
    """One document of the joined PDF: its HTML, its number of rows (to schedule the longest
    first) and its entry in the PDF's outline."""

    html: str
    rows: int
    title: str


@dataclass
class Joined:
    data: bytes
    pages: list[int]  # pages of each part, in order
    # Peak resident memory (kB) of each process that rendered, the caller's included.
    peak_kb: dict[int, int] = field(default_factory=dict)
    cpu: float = 0.0  # CPU seconds of the renderings, in whichever process

    @property
    def peak_mb(self) -> float:
        return sum(self.peak_kb.values()) / 1024


def peak_kb() -> int:
    """Peak resident memory of this process's own image, in kB. Not ru_maxrss: across exec,
    Linux carries the parent's peak into it (a benchmark's child started from a process that
    once held a million voters would report that process's gigabyte)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # elsewhere: the best there is


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def render_html(html: str, base_url: str) -> tuple[bytes, int, int, float]:
    """One document: (PDF, process id, peak memory of the process in kB, CPU seconds)."""
    started = cpu_seconds()
    data = write_pdf(html, base_url)
    return data, os.getpid(), peak_kb(), cpu_seconds() - started


def _context() -> multiprocessing.context.BaseContext:
    # A fresh server process forks the workers: no database connection, lock or thread of the
    # caller (web server, task worker, test runner) is copied into them.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def render_parts(
    parts: Sequence[Part],
    base_url: str,
    workers: int | None = None,
    parallel_rows: int = PARALLEL_ROWS,
) -> Joined:
    """Render every part and join them in order, each part's pages numbered on their own.

    Small documents are rendered here; larger ones by a pool of `workers` processes (one per
    core by default), the longest parts first so that no core waits at the end."""
    if not parts:
        raise ValueError("Aucun document à imprimer.")
    rendered: dict[int, bytes] = {}
    peaks: dict[int, int] = {}
    cpu = 0.0
    if sum(part.rows for part in parts) < parallel_rows:
        for index, part in enumerate(parts):
            rendered[index], pid, peak, seconds = render_html(part.html, base_url)
            peaks[pid], cpu = peak, cpu + seconds
    else:
        order = sorted(range(len(parts)), key=lambda index: -parts[index].rows)
        count = max(1, min(workers or os.cpu_count() or 1, len(parts)))
        with ProcessPoolExecutor(max_workers=count, mp_context=_context()) as pool:
            futures = {
                index: pool.submit(render_html, parts[index].html, base_url) for index in order
            }
            for index, future in futures.items():
                rendered[index], pid, peak, seconds = future.result()
                peaks[pid], cpu = max(peak, peaks.get(pid, 0)), cpu + seconds
    writer = pypdf.PdfWriter()
    pages = []
    for index, part in enumerate(parts):
        reader = pypdf.PdfReader(io.BytesIO(rendered.pop(index)))
        if index == 0 and reader.metadata:
            # The first part's title and author stand for the whole document.
            writer.add_metadata(dict(reader.metadata))
        pages.append(len(reader.pages))
        writer.append(reader, outline_item=part.title, import_outline=False)
    output = io.BytesIO()
    writer.write(output)
    peaks[os.getpid()] = max(peaks.get(os.getpid(), 0), peak_kb())
    return Joined(output.getvalue(), pages, peaks, cpu)
