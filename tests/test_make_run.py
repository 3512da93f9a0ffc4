"""`make run`'s parts as a user meets them: the demo's logins name the address it serves on, and
Ctrl+C stops the web server and the scheduler cleanly (real make, real processes, real database)."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import BASE_DATABASE_URL, ON_POSTGRES, private_postgres_database
from tests.servers import free_port

PROJECT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)  # the virtualenv running the tests stands in for the Makefile's .venv
START_LIMIT = 60  # seconds for the server to answer /healthz
STOP_LIMIT = 30


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict:
    """The environment of a user's shell, with a database of its own that `make migrate` built."""
    url = (private_postgres_database(BASE_DATABASE_URL, "_make_run") if ON_POSTGRES
           else f"sqlite:///{tmp_path_factory.mktemp('make-run') / 'tracker.db'}")
    env = {**os.environ, "TRACKER_ENV": "default", "DATABASE_URL": url}
    for name in ("TRACKER_BASE_URL", "MAKEFLAGS", "MFLAGS"):
        env.pop(name, None)
    migrated = make(env, "migrate")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    return env


def make(environment: dict, *args: str) -> subprocess.CompletedProcess:
    # -o: the virtualenv is taken as installed (it runs these tests), so make installs nothing.
    return subprocess.run(["make", "--no-print-directory", f"VENV={VENV}", "-o", f"{VENV}/installed", *args],
                          cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=120)


def base_url_under_make(environment: dict, *args: str) -> str:
    """TRACKER_BASE_URL as the Makefile's commands see it."""
    show = "show-base-url: ; @echo $$TRACKER_BASE_URL"
    result = make(environment, "--eval", show, "show-base-url", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def start(command: list[str], environment: dict) -> subprocess.Popen:
    """In a session of its own, as a terminal starts a command: a signal to its group reaches
    every process in it, as Ctrl+C does."""
    return subprocess.Popen(command, cwd=PROJECT, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until_serving(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_LIMIT
    while not answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("the server never answered /healthz:\n" + process.communicate()[0])
        time.sleep(0.2)


def stop(process: subprocess.Popen, signum: int, whole_group: bool) -> str:
    if whole_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    try:
        return process.communicate(timeout=STOP_LIMIT)[0]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("still running after the signal:\n" + process.communicate()[0])


def assert_stopped_cleanly(output: str, port: int) -> None:
    assert "Traceback" not in output and "Segmentation fault" not in output, output
    # A scheduler stopped while it was still starting (a loaded machine) never said it started.
    assert "Scheduler stopped." in output or "Scheduler started" not in output, output
    assert "ITA Tracker stopped." in output, output
    assert not answers(port)


def test_make_points_links_at_the_port_it_serves_on(environment):
    assert base_url_under_make(environment) == "http://127.0.0.1:5000"
    assert base_url_under_make(environment, "PORT=5101") == "http://127.0.0.1:5101"


def test_a_public_address_set_in_the_environment_wins_over_the_port(environment):
    public = {**environment, "TRACKER_BASE_URL": "https://ita.pichai.example"}
    assert base_url_under_make(public, "PORT=5101") == "https://ita.pichai.example"


def test_the_demo_logins_name_the_address_links_point_at(app, demo):
    app.config["TRACKER_BASE_URL"] = "http://127.0.0.1:5101"
    result = app.test_cli_runner().invoke(args=["tracker", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo logins at http://127.0.0.1:5101/login" in result.output


def test_ctrl_c_on_make_serve_stops_the_server_and_the_scheduler_cleanly(environment):
    port = free_port()
    process = start(["make", "--no-print-directory", f"VENV={VENV}", "serve", f"PORT={port}"], environment)
    wait_until_serving(process, port)
    output = stop(process, signal.SIGINT, whole_group=True)
    assert f"ITA Tracker: http://127.0.0.1:{port}/" in output
    assert_stopped_cleanly(output, port)


def test_sigterm_to_the_launcher_stops_both_and_exits_with_success(environment):
    port = free_port()
    process = start([sys.executable, "scripts/serve.py", "--port", str(port)], environment)
    wait_until_serving(process, port)
    output = stop(process, signal.SIGTERM, whole_group=False)
    assert process.returncode == 0, output
    assert_stopped_cleanly(output, port)


@contextmanager
def port_taken() -> Iterator[int]:
    """A port someone else listens on, for the block's length."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_the_launcher_stops_the_scheduler_when_the_web_server_cannot_start(environment):
    with port_taken() as port:
        process = start([sys.executable, "scripts/serve.py", "--port", str(port)], environment)
        output = process.communicate(timeout=START_LIMIT)[0]
    assert process.returncode != 0
    assert "Port" in output and "in use" in output, output
    # The launcher stops the scheduler and waits for it. One that had started says it stopped; on a
    # loaded machine the web server can fail before the scheduler has even started (SIGTERM then
    # ends it during its imports, silently).
    assert "Scheduler stopped." in output or "Scheduler started" not in output, output
    assert "Traceback" not in output, output
