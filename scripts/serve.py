"""Serve ITA Tracker for `make run`: the web server and, beside it, the reminder scheduler.

    python scripts/serve.py --host 127.0.0.1 --port 5000

Ctrl+C (SIGINT) or SIGTERM stops both: each gets SIGTERM, and the launcher waits for them to leave.
If either stops on its own, the other is stopped too and the launcher exits with its status.
The two run in their own sessions, so a Ctrl+C in the terminal reaches only the launcher, which
stops them in order rather than racing their own Ctrl+C handling."""
import argparse
import signal
import subprocess
import sys
import threading
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GRACE_SECONDS = 10


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=PROJECT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve(host: str, port: int) -> int:
    asked_to_stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: asked_to_stop.set())
    processes = [start(flask("tracker", "scheduler")),
                 start(flask("run", "--host", host, "--port", str(port)))]
    while not asked_to_stop.wait(0.2):
        if any(process.poll() is not None for process in processes):
            break
    stopped_alone = [process.returncode for process in processes if process.returncode is not None]
    for process in processes:
        stop(process)
    if asked_to_stop.is_set():
        print("ITA Tracker stopped.", flush=True)
        return 0
    return next((code for code in stopped_alone if code), 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    return serve(args.host, args.port)


if __name__ == "__main__":
    sys.exit(main())
