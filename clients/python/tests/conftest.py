"""Starts a real hotline-gateway on a fresh database for the client's tests.

The server is the repository's own (``node dist/src/main.js``; ``npm ci`` builds it) with the demo
loaded: on an embedded PostgreSQL in a new temporary DATA_DIR, or, when HGW_PYTEST_DATABASE_URL is
set, on that (fresh) database. HGW_PYTEST_URL and HGW_PYTEST_KEYS (role=key,role=key) use a server
that is already running instead.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, Iterator, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[3]
READY = re.compile(r"hotline-gateway: GraphQL: (http://\S+)/graphql")
CREDENTIAL = re.compile(r"hotline-gateway: demo (\w+)\s+.*Authorization: Bearer (\S+)")


def _start() -> Iterator[Tuple[str, Dict[str, str]]]:
    data_dir = tempfile.mkdtemp(prefix="hgw-pytest-")
    os.chmod(data_dir, 0o755)  # the embedded PostgreSQL runs as the postgres user when we are root
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DATA_DIR=data_dir,
        PORT="0",
        HOST="127.0.0.1",
        SEED_DEMO="true",
        DEMO_CASES=os.environ.get("HGW_PYTEST_DEMO_CASES", "20000"),
        LOG_LEVEL="warn",
        LOG_FORMAT="json",
    )
    if os.environ.get("HGW_PYTEST_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["HGW_PYTEST_DATABASE_URL"]
    stderr = open(Path(data_dir) / "server.stderr", "w+")
    server = subprocess.Popen(
        ["node", "--max-semi-space-size=64", "dist/src/main.js"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    lines: "queue.Queue[str]" = queue.Queue()

    def pump() -> None:  # keeps the pipe drained for as long as the server runs
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    url, keys = None, {}
    deadline = time.monotonic() + float(os.environ.get("HGW_PYTEST_BOOT_SECONDS", "600"))
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if server.poll() is not None:
                    break
                if url and len(keys) >= 4:
                    break
                continue
            ready = READY.search(line)
            if ready:
                url = ready.group(1)
            credential = CREDENTIAL.search(line)
            if credential:
                keys[credential.group(1)] = credential.group(2)
            if url and len(keys) >= 4:
                break
        if not url or len(keys) < 4:
            stderr.seek(0)
            raise RuntimeError(f"the gateway did not start (exit {server.poll()}):\n{stderr.read()[-3000:]}")
        yield url, keys
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        stderr.close()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def gateway() -> Iterator[Tuple[str, Dict[str, str]]]:
    """(base URL, {role: API key}) of a gateway with the demo loaded."""
    if os.environ.get("HGW_PYTEST_URL"):
        keys = dict(pair.split("=", 1) for pair in os.environ["HGW_PYTEST_KEYS"].split(","))
        yield os.environ["HGW_PYTEST_URL"], keys
        return
    yield from _start()


@pytest.fixture(scope="session")
def url(gateway: Tuple[str, Dict[str, str]]) -> str:
    return gateway[0]


@pytest.fixture(scope="session")
def keys(gateway: Tuple[str, Dict[str, str]]) -> Dict[str, str]:
    return gateway[1]
