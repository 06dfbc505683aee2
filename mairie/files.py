"""Every kept file (exports, REU extractions, HubEE requests) goes through here, into Django's
default storage (STORAGES["default"]: the local folder MEDIA_ROOT, or an S3-compatible object
store shared by several machines). A file is first written whole as a partial file, its size and
SHA-256 computed on the way, then renamed (a local folder) or saved (any other storage) under
its final name: a reader never sees half a file there."""

import base64
import contextlib
import hashlib
import mimetypes
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage


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


@dataclass(frozen=True)
class Kept:
    name: str  # the storage's name of the file, as the models record it
    size: int
    sha256: str


def _local(storage: Storage, name: str) -> Path | None:
    """The file's path when the storage is a local folder, else None (even where the storage
    has a path() for its names, as InMemoryStorage has: no file lies there)."""
    if isinstance(storage, FileSystemStorage):
        return Path(storage.path(name))
    return None


class Writing:
    """A file being written (`out`), kept under its final name by `keep`."""

    def __init__(self, storage: Storage, partial: Path, local: bool) -> None:
        self.storage, self.partial, self.local = storage, partial, local
        self.file = partial.open("wb")
        self.out = HashingWriter(self.file)

    def keep(self, name: str) -> Kept:
        """Put the file under `name`, replacing the file there if any."""
        self.file.close()
        if self.local:
            target = Path(self.storage.path(name))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.partial, target)
        else:
            # An object store saves a file whole or not at all; save() would pick another name.
            self.storage.delete(name)
            with self.partial.open("rb") as written:
                name = self.storage.save(name, File(written, name=name))
        return Kept(name, self.out.size, self.out.sha256)


@contextlib.contextmanager
def writing(partial: str) -> Iterator[Writing]:
    """Write a file to keep: `partial` is the storage's name of the file while it is written (in
    a local folder; elsewhere, a local temporary file stands for it); removed unless kept."""
    storage = default_storage
    path = _local(storage, partial)
    local = path is not None
    if local:
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        handle, temporary = tempfile.mkstemp(suffix=".part")
        os.close(handle)
        path = Path(temporary)
    writer = Writing(storage, path, local)
    try:
        yield writer
    finally:
        writer.file.close()
        path.unlink(missing_ok=True)


def keep(name: str, chunks: Iterable[bytes], partial: str = "") -> Kept:
    """Keep `chunks` as the file `name`, through a partial file (default: beside it)."""
    folder, base = os.path.split(name)
    with writing(partial or os.path.join(folder, f".{base}.part")) as written:
        for chunk in chunks:
            written.out.write(chunk)
        return written.keep(name)


def open_kept(name: str) -> File:
    """A kept file, open for reading (a download, a copy)."""
    return default_storage.open(name, "rb")


def exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def delete(*names: str) -> None:
    """Remove kept files; one already gone is no error."""
    for name in names:
        if name:
            default_storage.delete(name)


def drop_partials(folder: str, prefix: str) -> None:
    """Remove what a run that died left half-written in `folder` (partial files named
    `prefix…part`); only a local folder holds any."""
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    delete(*(f"{folder}/{n}" for n in names if n.startswith(prefix) and n.endswith(".part")))


def as_uri(name: str) -> str:
    """A kept image as WeasyPrint reads it: its file:// address in a local folder, else the
    image itself, inline (a data: URI)."""
    path = _local(default_storage, name)
    if path is not None:
        return path.as_uri()
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    with open_kept(name) as image:
        return f"data:{kind};base64,{base64.b64encode(image.read()).decode('ascii')}"


@contextlib.contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """A kept file as a local path, for the readers that go through a file more than once (the
    REU import): the file itself in a local folder, else a temporary copy, removed after."""
    path = _local(default_storage, name)
    if path is not None:
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy:
        with open_kept(name) as source:
            shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)
