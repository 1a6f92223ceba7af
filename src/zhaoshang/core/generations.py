"""Updating a database while it is being served: data generations.

A server (``zhaoshang serve``) holds the DuckDB file open read-only, which keeps any other process from
opening it for writing. An update (import, classify) then writes a *new generation*: a copy of the file,
changed and checkpointed, that replaces the file by an atomic rename once the update has succeeded. Readers
that follow the file (``interfaces.web.served``) switch to it at their next request; requests already running
finish on the generation they started with. A failed or killed update never touches the published file.

With nobody holding the file the update runs in place, in its own transaction, as before. Updates of one
file are serialised by an advisory lock beside it (``<db>.update.lock``); the copy being written is
``<db>.next`` (a leftover from a killed update is overwritten by the next one).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from . import search_index
from .errors import UserError
from .store import Store, file_identity, lock_conflict, open_refusal  # noqa: F401 - file_identity is read here by the web layer

LOCK_SUFFIX = ".update.lock"
NEXT_SUFFIX = ".next"


def _held_by_reader(exc: Exception) -> bool:
    cause = exc.__cause__ if isinstance(exc, UserError) else exc
    return lock_conflict(cause) or _held_here(cause)


def _held_here(exc: BaseException | None) -> bool:
    """This very process serves the file (an update requested through the web app it runs)."""
    return isinstance(exc, duckdb.Error) and "file handle conflict" in str(exc).lower()


@contextmanager
def _update_lock(path: str) -> Iterator[None]:
    try:
        fd = os.open(path + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # a folder that cannot be written: said as the database's own open would say it
        raise open_refusal(path, exc, read_only=False) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # one update of this file at a time; the next one waits its turn
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def wait_for_update(path: str | os.PathLike, on_wait=None) -> bool:
    """Wait until no update of the database at ``path`` is running (``<db>.update.lock`` free); True when one was.
    An update with nobody reading the file runs in place and holds it open for writing, so a server started meanwhile
    could not open it (DuckDB's "Conflicting lock is held"); it waits instead, ``on_wait`` called once first (to say
    so), then opens the updated file, and later updates go to new generations."""
    lock = str(path) + LOCK_SUFFIX
    if not os.path.exists(lock):
        return False
    fd = os.open(lock, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_SH)  # the update's end releases it
            return True
    finally:
        os.close(fd)  # closing the descriptor releases the shared lock


def _remove(*paths: str) -> None:
    for p in paths:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def updating(path: str | os.PathLike, in_place: bool = True, text: bool = True) -> Iterator[Store]:
    """A writable ``Store`` for one update of the database at ``path``; published only if the block succeeds.

    In place when no other process has the file open (and ``in_place``); on a new generation when a server
    (or any reader) holds it — and always from inside the server (``in_place=False``: file locks do not keep a
    process from itself). Either way a failure or a kill leaves what readers see exactly as it was.
    The search index follows the update (``core.search_index.refresh``) unless the caller says the update
    leaves the enterprises' names, aliases and text alone (``text=False``, e.g. a placement correction).
    """
    path = str(path)
    if path == ":memory:" or not Path(path).exists():
        try:
            with Store(path) as store:
                yield store
                if text:
                    search_index.refresh(store)
        except BaseException:  # a refused first update leaves no empty database behind, as if never asked
            if path != ":memory:":
                _remove(path, path + ".wal")
            raise
        return
    with _update_lock(path):
        try:
            store = Store(path)
        except (UserError, duckdb.Error) as exc:
            if not _held_by_reader(exc):
                raise
        else:
            with store:
                yield store
                if text:
                    search_index.refresh(store)  # only the enterprises whose text changed are re-indexed
            return
        nxt = path + NEXT_SUFFIX
        _remove(nxt, nxt + ".wal")
        try:
            reader = duckdb.connect(path, read_only=True)  # a shared lock: no writer can start while we copy
        except duckdb.IOException as exc:
            raise open_refusal(path, exc, read_only=True) from exc
        except duckdb.Error as exc:
            if not _held_here(exc):
                raise
            reader = None  # this process already holds the file read-only: no writer can start
        try:
            shutil.copyfile(path, nxt)
            if os.path.exists(path + ".wal"):
                shutil.copyfile(path + ".wal", nxt + ".wal")
        finally:
            if reader is not None:
                reader.close()
        published = False
        try:
            store = Store(nxt)
            try:
                yield store
                if text:
                    search_index.refresh(store)
                store.con.execute("CHECKPOINT")
            finally:
                store.close()
            _fsync(nxt)
            os.replace(nxt, path)  # atomic: readers see the old generation or the new one, never a mix
            published = True
            _remove(path + ".wal")  # a log of the old generation must never be replayed onto the new one
            _fsync(os.path.dirname(os.path.abspath(path)))
        finally:
            if not published:
                _remove(nxt, nxt + ".wal")
