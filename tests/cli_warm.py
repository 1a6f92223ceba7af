"""A warm start for the ``zhaoshang`` command in tests: the same entry point in a process of its own, forked from an
interpreter that has already imported what every command imports.

The suite runs the command about 1,400 times. Each real start spends most of a second of CPU on Python's start
and on importing the command-line framework and DuckDB before the command does anything; on two cores that is
minutes of the suite. Here one server process per test worker imports ``zhaoshang.interfaces.cli`` once and forks a
child for each run. The child is what the console script is after its imports: it gets the run's argument list,
environment, working directory, umask and standard streams (files the caller reads afterwards), calls the same
``main()``, and leaves through Python's own shutdown steps (threads joined, ``atexit`` handlers, streams flushed; see
``_exit``), so its exit code, output and threads joined are the console script's. ``cli_util.run`` uses it unless
a test asks for the console script itself (``fresh=True``), which the tests of process start, interpreter options and import costs do.

Protocol (one request at a time over a Unix socket pair; the caller serialises): the caller sends a JSON request
with three descriptors (stdin, stdout, stderr); the server answers ``{"pid": n}`` once the child is forked and
``{"status": s}`` (``os.waitstatus_to_exitcode``) when it has exited.

A request with ``"detach": true`` is a server for a test (``zhaoshang serve``, web_util.serving): the server answers
``{"pid": n}`` and takes the next request at once; when that child exits (the test stops it with SIGTERM) it is
reaped and ``{"exited": n, "status": s}`` is sent, whenever that is — between two answers of a foreground run too.
The web application and uvicorn are preloaded for these: a server forked here answers its first request after about
0.6 s of CPU instead of 1.4 s (docs/benchmarks.md, "Test servers forked warm").
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys


# What nearly every command imports before its own work: the command-line framework and its argument coercion
# (pydantic), DuckDB, the app and its global options, table output (rich) and the labels of the UI; and what most of
# the commands that work on data import: numpy, pyarrow and the import pipeline (a tiny import spent a third of its
# time loading them). None of them reads the environment when it loads (the environment of a run is its own) or
# starts a Python thread; the native threads numpy and pyarrow start (a BLAS worker, the allocator's background
# thread) are not copied by a fork, and both libraries start them again in the child when it needs them, through
# their own fork handlers. jieba's dictionary (the shared tokenizer of ``zhaoshang.core.text``, the same whatever the
# environment) is loaded too: search, matching, news linking and classify each spent most of a second loading it.
# bm25s (and scipy.sparse, which it imports) is what every match command and match page loads before its index: about
# 0.3 s of CPU a run (it reads DISABLE_TQDM as it loads, which changes nothing: its progress bars are always off here).
# Libraries only some commands use (igraph, scikit-learn …) load in the child, as in the console script.
PRELOADED = ("zhaoshang.interfaces.cli", "zhaoshang.interfaces.cli.app", "typer._adapters", "typer._coercion",
             "rich.console", "rich.table", "zhaoshang.interfaces.labels", "numpy", "pyarrow",
             "zhaoshang.core.importers.pipeline", "zhaoshang.interfaces.web.app", "uvicorn", "uvicorn.server",
             "uvicorn.protocols.http.h11_impl", "uvicorn.lifespan.on", "bm25s")


def _child(request: dict, fds: list[int], sock: socket.socket) -> None:
    """In the forked child: become the console script's process for this request, run it and exit."""
    sock.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the server's reaper is not the command's: its own children wait
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    sys.argv = [request["argv0"], *request["args"]]
    from zhaoshang.interfaces.cli import main

    try:
        code = main()
    except SystemExit as exc:
        code = exc.code
    _exit(code)


def _exit(code) -> None:
    """Leave as the console script does after its command — the exit code ``sys.exit`` gives ``code``, non-daemon
    threads joined, the ``atexit`` handlers run, the standard streams flushed — without the last step of Python's
    shutdown, which frees every object of every module: in a forked child that writes to each page of the server's
    heap and so copies it (about 0.05 s of CPU a run, 9,000 page faults, and a thousand runs in the suite). What the
    command opened it closes itself (stores and files in ``with`` blocks); the operating system closes the rest."""
    import atexit
    import threading

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed to stderr, status 1
        print(code, file=sys.stderr)
        status = 1
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status & 0xFF)


def serve(fd: int, script_dir: str) -> None:
    """The server's loop on the inherited socket ``fd``; ends when the caller closes its side. ``script_dir`` (the
    console script's folder) takes this file's place at the head of ``sys.path``, as in the console script."""
    sys.path[0] = script_dir
    import importlib
    import threading

    from zhaoshang.interfaces.cli import _leave_out_pandas

    _leave_out_pandas()  # as the console script does before anything: the region table's first build reads cpca
    for name in PRELOADED:
        importlib.import_module(name)
    from zhaoshang.core.geo.lookup import macro_regions, suggest
    from zhaoshang.core.geo.parser import RegionParser
    from zhaoshang.core.text import tokenize

    tokenize("人工智能")  # jieba's dictionary with the domain words: search, matching, news and classify read it
    # the region parser over the package's table and the macro-regions (built once per process, the same whatever
    # the environment): every import and every command that reads a region built them, about 0.1–0.2 s a run
    RegionParser.default().legal_name_places()  # (the place names a legal name may state, read by every import)
    macro_regions()
    # the regions' names and their pinyin a name not found is matched by (您是不是要找 / Did you mean), with pypinyin and
    # rapidfuzz: about 0.55 s of CPU in every run or test server that refuses a misspelt region
    suggest("杭洲")
    # what an import or a report reads before its own work, each kept by the file it read (path, size, modification
    # time) or loaded once: the presets and the chain taxonomy's YAML, the numpy and Arrow pieces the credit-code
    # check loads on its first call, WeasyPrint and openpyxl (half a second of a PDF report's start). A one-row
    # import through the warm server: 0.69 → 0.53 s of CPU (docs/benchmarks.md, "The warm test server's preloads")
    import pyarrow as pa

    from zhaoshang.core.importers.presets import list_presets
    from zhaoshang.core.parse.uscc import uscc_valid_arrow
    from zhaoshang.services.chain.taxonomy import DEFAULT_TAXONOMY, default_weights, load_taxonomy

    list_presets()
    uscc_valid_arrow(pa.array(["91110000100000000X"]))
    load_taxonomy(DEFAULT_TAXONOMY)  # the package's file, whatever the environment names
    default_weights()
    importlib.import_module("weasyprint")
    importlib.import_module("openpyxl")
    if threading.active_count() != 1:  # a fork copies one thread only: a second one's locks would stay held
        raise SystemExit(f"cli_warm: a preloaded module started a thread: {threading.enumerate()}")
    import gc

    gc.freeze()  # what the preloads made stays out of the children's collections: their pages are not copied
    sock = socket.socket(fileno=fd)
    detached: set[int] = set()

    def reap(*_):
        """Reap the detached children that have exited and say so (never a foreground child: waitpid by pid)."""
        for pid in list(detached):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                detached.discard(pid)
                sock.sendall(json.dumps({"exited": pid, "status": os.waitstatus_to_exitcode(status)}).encode() + b"\n")

    signal.signal(signal.SIGCHLD, reap)
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
        except OSError:
            return
        if not data:
            return
        request = json.loads(data)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request, fds, sock)
        for fd_ in fds:
            os.close(fd_)
        sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        if request.get("detach"):
            detached.add(pid)
            reap()  # it may have exited already (a server that could not start)
            continue
        _, status = os.waitpid(pid, 0)
        sock.sendall(json.dumps({"status": os.waitstatus_to_exitcode(status)}).encode() + b"\n")


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2])
