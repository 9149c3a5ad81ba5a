"""The README's "Try it" command, as a newcomer runs it: `lifecycle-bot sandbox --demo` in a process of its own."""

from __future__ import annotations

import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def console_script() -> str:
    """The installed `lifecycle-bot` (beside this Python, as in a venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("lifecycle-bot")
    found = str(beside) if beside.exists() else shutil.which("lifecycle-bot")
    if found is None:
        pytest.fail("the lifecycle-bot console script is not installed: pip install -e '.[test]'", pytrace=False)
    return found


def read_banner(process: subprocess.Popen[str], timeout: float) -> str:
    """The first line the sandbox prints (its address), or a failure with whatever it said instead."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = process.stdout.readline()
            if line:
                return line
        if process.poll() is not None:
            break
    process.kill()
    _, errors = process.communicate(timeout=10)
    pytest.fail(f"the sandbox printed no address (exit {process.returncode}):\n{errors[-3000:]}", pytrace=False)


def test_the_try_it_command_serves_the_page_with_the_demo_and_stops_cleanly(tmp_path: Path) -> None:
    database = tmp_path / "try-it.db"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    environment |= {"DATABASE_URL": f"sqlite:///{database}"}
    port = free_port()
    command = [console_script(), "sandbox", "--demo", "--port", str(port), "--no-browser"]
    process = subprocess.Popen(
        command, cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        banner = read_banner(process, STARTUP_SECONDS)
        assert f"http://127.0.0.1:{port}" in banner
        url = re.search(r"http://127\.0\.0\.1:\d+", banner)
        assert url is not None
        page = requests.get(url.group(0) + "/", timeout=10)
        assert page.status_code == 200 and "lifecycle-bot sandbox" in page.text
        state = requests.get(f"{url.group(0)}/sandbox/state?user=U0SALES&channel=C0SALES", timeout=10).json()
        assert state["user"] == "U0SALES" and "C0SERVICES" in state["counts"]
        config = requests.get(f"{url.group(0)}/sandbox/config", timeout=10).json()
        assert {c["command"] for c in config["commands"]} >= {"/customer", "/touch", "/stage", "/feedback"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    assert database.exists()
    assert not (tmp_path / "lifecycle-sandbox.db").exists()  # DATABASE_URL was honoured


def test_a_port_in_use_is_a_one_line_error_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        environment = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'busy.db'}"}
        finished = subprocess.run(
            [console_script(), "sandbox", "--port", str(port), "--no-browser"],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert finished.returncode == 2
    assert "Traceback" not in finished.stderr
    assert "--port 0" in finished.stderr and len(finished.stderr.strip().splitlines()) == 1
