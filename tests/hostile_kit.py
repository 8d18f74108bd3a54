"""Tools of the hostile corpus (tests/test_hostile_*.py): run a command as CI does, in a fresh
process, and measure it; plant a secret outside the package; listen for connections.

Nothing here is committed as a hostile file: links, FIFOs and large inputs are made in
``tmp_path`` by each test.
"""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from libyadata.csvio import read_rows, to_csv_bytes
from libyadata.schema import descriptor, dump_json

#: Run in the child before the command: any attempt to open a network connection is recorded
#: on stderr and refused; the peak memory (ru_maxrss, KiB on Linux) is printed at exit.
_PRELUDE = """
import atexit, resource, socket, sys
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
atexit.register(lambda: sys.stderr.write("PEAK-RSS-KB %d\\n" % _peak_kb()))
from libyadata.cli import main
sys.exit(main(sys.argv[1:]))
"""


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


def cli(*args: str, timeout: float = 120, cwd: Path | None = None) -> Run:
    """``libyadata ARGS`` in a fresh interpreter with the network refused; time and peak memory measured."""
    started = time.monotonic()
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


def validate(pkg: Path, *args: str, timeout: float = 120) -> Run:
    return cli("validate", str(pkg), "--format", "json", "--max-errors", "0", *args, timeout=timeout)


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
