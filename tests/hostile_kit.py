"""Tools of the hostile corpus (tests/test_hostile_*.py): run a command as CI does, in a fresh
process, and measure it; plant a secret outside the package; listen for connections.

Nothing here is committed as a hostile file: links, FIFOs and large inputs are made in
``tmp_path`` by each test.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from libyadata.csvio import read_rows, to_csv_bytes
from libyadata.schema import descriptor, dump_json

#: The network refusal and the peak-memory report, shared by both ways of running a command.
_GUARD = """
import resource, socket, sys
def _refuse(self, *args, **kwargs):
    sys.stderr.write("NETWORK-ATTEMPT %r\\n" % (args,))
    raise OSError("network refused by the test")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = lambda *a, **k: _refuse(None, *a)
def _peak_kb():
    # VmHWM is this program's own high-water mark: ru_maxrss survives fork and exec, so it starts at
    # the (large) pytest parent's size and hides the child's real peak.
    try:
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

#: A fresh interpreter: the guard, then the command, the peak printed at exit.
_PRELUDE = _GUARD + """
import atexit
atexit.register(lambda: sys.stderr.write("PEAK-RSS-KB %d\\n" % _peak_kb()))
from libyadata.cli import main
sys.exit(main(sys.argv[1:]))
"""

#: The fork server: one interpreter per test process that has imported what the commands import,
#: then forks a child per command.
#: The child is a process of its own (exit status, stdout, stderr, memory, a kill on timeout) that
#: skips only the imports. Measured on test_hostile_{bounds,redteam,paths}.py (-n 0): 32 s of CPU
#: against 46 s with a fresh interpreter per command (36 s wall against 47 s).
#: LIBYADATA_TEST_FRESH=1 starts a fresh interpreter per command instead. It forks only while it is
#: one thread (nothing has run in it yet).
_SERVER = """
import json, os, sys, traceback
# pyarrow's jemalloc starts a background thread at import (its pool is not the default one) and
# NumPy's OpenBLAS a thread per core: without them the server is one thread and forks safely.
os.environ.setdefault("JE_ARROW_MALLOC_CONF", "background_thread:false")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import libyadata.cli, libyadata.diff, libyadata.snapshots, libyadata.validate.run
from libyadata.validate import (assertions, columns, descriptor, keys, reading, rules, sources, spans,
                                structure)
import pyarrow.csv, pyarrow.parquet
from libyadata.cli import main
ctl = os.fdopen(os.dup(1), "w")
print(json.dumps({"threads": len(os.listdir("/proc/self/task"))}), file=ctl, flush=True)
for line in sys.stdin:
    req = json.loads(line)
    sys.stdout.flush(); sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, req["out"], os.O_WRONLY | os.O_TRUNC),
                                    (2, req["err"], os.O_WRONLY | os.O_TRUNC)):
                os.dup2(os.open(path, flags), fd)
            os.environ.clear(); os.environ.update(req["env"]); os.chdir(req["cwd"])
            sys.argv = ["libyadata", *req["argv"]]
            try:
                code = main(req["argv"])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            sys.stdout.flush(); sys.stderr.flush()
            sys.stderr.write("PEAK-RSS-KB %d\\n" % _peak_kb()); sys.stderr.flush()
        except BaseException:
            traceback.print_exc(); sys.stderr.flush()
        os._exit(code)
    print(json.dumps({"pid": pid}), file=ctl, flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"status": os.waitstatus_to_exitcode(status)}), file=ctl, flush=True)
"""


class _ForkServer:
    """The client of ``_SERVER``: one per test process, started on first use."""

    def __init__(self) -> None:
        # The guard runs in the server: every child it forks has the network refused already.
        self.proc = subprocess.Popen([sys.executable, "-c", _GUARD + _SERVER],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.buffer = b""
        hello = self._reply(120)
        self.usable = hello.get("threads") == 1

    def _reply(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError("the fork server ended")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def run(self, argv: list[str], cwd: Path | None, timeout: float) -> subprocess.CompletedProcess:
        with tempfile.TemporaryDirectory() as tmp:
            out, err = Path(tmp, "out"), Path(tmp, "err")
            out.touch(0o600)
            err.touch(0o600)
            req = {"argv": argv, "cwd": str(cwd or os.getcwd()), "env": dict(os.environ), "out": str(out),
                   "err": str(err)}
            self.proc.stdin.write((json.dumps(req) + "\n").encode())
            self.proc.stdin.flush()
            pid = self._reply(30)["pid"]
            try:
                status = self._reply(timeout)["status"]
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                self._reply(30)
                raise subprocess.TimeoutExpired(argv, timeout) from None
            read = lambda p: p.read_bytes().decode("utf-8", "replace")  # noqa: E731
            return subprocess.CompletedProcess(argv, status, read(out), read(err))

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)


_server: _ForkServer | None = None


def _forked(argv: list[str], cwd: Path | None, timeout: float) -> subprocess.CompletedProcess | None:
    global _server
    if os.environ.get("LIBYADATA_TEST_FRESH") == "1" or not hasattr(os, "fork") or sys.platform != "linux":
        return None
    if _server is None:
        _server = _ForkServer()
        atexit.register(_server.close)
    return _server.run(argv, cwd, timeout) if _server.usable else None


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float

    @property
    def text(self) -> str:
        return self.out + self.err

    def report(self) -> dict:
        return json.loads(self.out)

    def types(self) -> set[str]:
        doc = self.report()
        return {e["type"] for e in doc["errors"]} | {e["type"] for t in doc["tasks"] for e in t["errors"]}

    def messages(self) -> str:
        doc = self.report()
        return "\n".join([e["message"] for e in doc["errors"]]
                         + [e["message"] for t in doc["tasks"] for e in t["errors"]])


def cli(*args: str, timeout: float = 120, cwd: Path | None = None, fresh: bool = False) -> Run:
    """``libyadata ARGS`` in a process of its own with the network refused; time and peak memory measured.

    The process is forked from the fork server (``_SERVER``), or with ``fresh`` (or where
    there is no fork) a new interpreter: then the time includes the imports.
    """
    started = time.monotonic()
    proc = None if fresh else _forked(list(args), cwd, timeout)
    if proc is None:
        proc = subprocess.run([sys.executable, "-c", _PRELUDE, *args], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd, encoding="utf-8", errors="replace")
    seconds = time.monotonic() - started
    peak = 0.0
    err_lines = []
    for line in proc.stderr.splitlines(keepends=True):
        if line.startswith("PEAK-RSS-KB "):
            peak = int(line.split()[1]) / 1024
        else:
            err_lines.append(line)
    err = "".join(err_lines)
    assert "NETWORK-ATTEMPT" not in err, err
    assert "Traceback" not in err, err
    return Run(proc.returncode, proc.stdout, err, seconds, peak)


def validate(pkg: Path, *args: str, timeout: float = 120, fresh: bool = False) -> Run:
    return cli("validate", str(pkg), "--format", "json", "--max-errors", "0", *args, timeout=timeout, fresh=fresh)


def plant_secret(tmp_path: Path) -> tuple[Path, str]:
    """A file outside every package, holding a token that must never appear in any output."""
    token = "SECRET-" + secrets.token_hex(16)
    path = tmp_path / "outside" / "secret.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"actor_id,name\n{token},{token}\n", encoding="utf-8")
    return path, token


def regenerate(pkg: Path) -> None:
    """Write the descriptor the models generate for the package's files (as `libyadata schema` does)."""
    (pkg / "datapackage.json").write_bytes(dump_json(descriptor(pkg)))


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection (for URLs planted in a package)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@dataclass
class Checked:
    """validate_package's report, rendered the three ways, for in-process cases."""

    code: int
    types: set[str]
    text: str
    messages: str
    #: The text and GitHub renderings only (what reaches a terminal or a job log).
    shown: str = ""


def check(pkg: Path, base: Path | None = None) -> Checked:
    """Validate in this process (cheaper than :func:`validate`), rendering every format."""
    from libyadata.validate import validate_package
    from libyadata.validate.report import render

    report = validate_package(pkg, max_errors=None, base=base)
    shown = render(report, "text") + render(report, "github")
    return Checked(report.exit_code, {p.type for p in report.problems}, shown + render(report, "json"),
                   "\n".join(p.message for p in report.problems), shown)


def refuse_network(monkeypatch) -> list:  # noqa: ANN001 - pytest's monkeypatch
    """Make every socket connection in this process fail, and record the attempts."""
    attempts: list = []

    def refuse(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        attempts.append(args)
        raise OSError("network refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


#: Loose safety nets for the bounded-work cases; the real figures are printed ("[bounded]").
SECONDS, MEGABYTES = 60, 500


def bounded(r: Run, what: str) -> None:
    print(f"\n[bounded] {what}: exit {r.code}, {r.seconds:.2f} s, peak {r.peak_mb:.0f} MB")
    assert r.seconds < SECONDS and r.peak_mb < MEGABYTES, (what, r.seconds, r.peak_mb)


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV table as dicts (the project's one CSV reader)."""
    return read_rows(path)[1]


def write_rows(path: Path, table: list[dict[str, str]]) -> None:
    """Write rows back in the project's CSV dialect, header from the first row."""
    path.write_bytes(to_csv_bytes(list(table[0]), table))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):  # noqa: ANN001 - pytest's monkeypatch
    """Imported by a hostile test module: every test in it must attempt no connection."""
    attempts = refuse_network(monkeypatch)
    yield
    assert attempts == []
