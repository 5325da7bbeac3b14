"""A local Spark Connect server for tests, started from the pyspark installation.

Input: a run directory. Output: a running `SparkConnectServer` (spark-submit with the Connect
server class, which Spark 4 ships in pyspark's jars) bound to 127.0.0.1 on a free port, with Delta
configured on the server side, its own warehouse and Derby metastore under the run directory, and
its log in `server.log` there. `stop_server` ends its whole process group.

    server = start_server(RunDirs(tmp / "connect"))
    try:
        ... python job.py --remote server.url ...
    finally:
        stop_server(server)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sparkforge_runtime.session import DELTA_CONF, ENGINE_CONF

from tests.support.jobs import BIN, SMALL_CONF, RunDirs, jars, submit_env

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
STARTUP_LIMIT = 600.0  # a loaded two-core machine starts a JVM slowly


@dataclass(frozen=True, slots=True)
class ConnectServer:
    process: subprocess.Popen[bytes]
    port: int
    dirs: RunDirs

    @property
    def url(self) -> str:
        return f"sc://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.dirs.root / "server.log"

    def log_tail(self, size: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(port: int, dirs: RunDirs) -> list[str]:
    """The spark-submit line of the server, as docs/jobs.md gives it, plus test-local settings."""
    conf = {
        **DELTA_CONF, **ENGINE_CONF, **SMALL_CONF, **dirs.conf(),
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
    }  # fmt: skip
    command = [str(BIN / "spark-submit"), "--class", SERVER_CLASS, "--jars", jars()]
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    return [*command, "--master", "local[2]", "spark-internal"]


def start_server(dirs: RunDirs) -> ConnectServer:
    """Start the server in a new process group and wait until it accepts connections."""
    dirs.root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with (dirs.root / "server.log").open("wb") as out:
        process = subprocess.Popen(
            server_command(port, dirs), cwd=dirs.root, env=submit_env(), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = ConnectServer(process, port, dirs)
    try:
        _wait_for_port(server)
    except BaseException:
        stop_server(server)
        raise
    return server


def _wait_for_port(server: ConnectServer) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the Spark Connect server exited\n{server.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"no Spark Connect server on port {server.port} after {STARTUP_LIMIT:.0f}s")


def stop_server(server: ConnectServer) -> None:
    """TERM the server's process group, then KILL it if it lingers."""
    if server.process.poll() is not None:
        return
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
    except ProcessLookupError:
        return
