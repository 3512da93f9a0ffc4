"""ITA Tracker's task page beside Kanboard's, on the same machine in one run (issue 15, point 4).

Kanboard (PHP, SQLite) is the tracker a small office might pick instead. Both are served with three
workers and loaded by wrk in turn, three rounds each (the medians are compared): Kanboard by PHP's
built-in server (PHP_CLI_SERVER_WORKERS=3, OPcache on), ITA Tracker by gunicorn as deploy/ runs it
(3 workers, --preload). Each task page is of
a comparable task: ours is the demo's busiest task of กองคลัง (its measure, steps, reports, evidence
and audit trail); Kanboard's is a task made through its JSON-RPC API with the same title, the steps
as its description and subtasks, and the reports as comments. Prints each side's requests per
second and the largest worker's memory (PSS, RSS), and exits 1 when ours is slower.

Needs: php8.2-cli with its sqlite3, mbstring, gd, xml and opcache modules
(`scripts/install-system-deps.sh kanboard`), wrk (`... bench`), and a Kanboard source tree:
--kanboard DIR, or it downloads KANBOARD_VERSION from GitHub into instance/.
Run: make bench-kanboard   (or .venv/bin/python scripts/kanboard_compare.py [--kanboard DIR])
"""
import argparse
import base64
import http.cookiejar
import io
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import current_app  # noqa: E402
from sqlalchemy import select  # noqa: E402

from scripts import page_bench  # noqa: E402
from tests.servers import free_port  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Division, Task  # noqa: E402
from tracker.services import demo, tasks  # noqa: E402
from tracker.transactions import transaction  # noqa: E402

KANBOARD_VERSION = "1.2.53"
KANBOARD_URL = f"https://github.com/kanboard/kanboard/archive/refs/tags/v{KANBOARD_VERSION}.tar.gz"
WORKERS = page_bench.GUNICORN_WORKERS
HEAD = "finance@pichai.example"


# --- Kanboard ----------------------------------------------------------------------------------------

def kanboard_source(given: str | None) -> Path:
    if given:
        return Path(given)
    folder = ROOT / "instance" / f"kanboard-{KANBOARD_VERSION}"
    if not folder.is_dir():
        print(f"Downloading Kanboard {KANBOARD_VERSION} from GitHub …")
        with urllib.request.urlopen(KANBOARD_URL, timeout=60) as answer:  # nosec B310
            archive = tarfile.open(fileobj=io.BytesIO(answer.read()))
        archive.extractall(folder.parent, members=_plain_members(archive))  # nosec B202
        if not folder.is_dir():
            sys.exit(f"the archive held no kanboard-{KANBOARD_VERSION}/")
    return folder


def _plain_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """The archive's files and folders, refused whole if one would land outside the folder or is a
    link (Debian 12's Python 3.11.2 has no extraction filters yet)."""
    members = archive.getmembers()
    for member in members:
        if member.name.startswith("/") or ".." in Path(member.name).parts or not (member.isfile() or member.isdir()):
            sys.exit(f"the Kanboard archive holds {member.name!r}: not extracted")
    return members


class Kanboard:
    """A copy of the Kanboard tree in a temporary folder, served by PHP's built-in server."""

    def __init__(self, source: Path, folder: Path):
        self.root = folder / "kanboard"
        shutil.copytree(source, self.root, ignore=shutil.ignore_patterns(".git", "tests"))
        (self.root / "data").mkdir(exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            ["php", "-d", "opcache.enable_cli=1", "-d", "opcache.validate_timestamps=0", "-S",
             f"127.0.0.1:{self.port}", "-t", str(self.root)],
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": str(WORKERS)}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)  # its own group: stop() ends the workers too
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/?controller=AuthController&action=login", timeout=2).close()  # nosec B310
                return
            except OSError:
                time.sleep(0.2)
        sys.exit("Kanboard did not answer within 30 s (is php installed? scripts/install-system-deps.sh kanboard)")

    def api(self, method: str, **params):
        """Kanboard's JSON-RPC API as its default admin."""
        body = json.dumps({"jsonrpc": "2.0", "method": method, "id": 1, "params": params}).encode()
        request = urllib.request.Request(self.url + "/jsonrpc.php", data=body, headers={
            "Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()})
        with urllib.request.urlopen(request, timeout=10) as answer:  # nosec B310
            reply = json.load(answer)
        if "error" in reply or not reply.get("result"):
            sys.exit(f"Kanboard's {method} failed: {reply}")
        return reply["result"]

    def add_task_like(self, title: str, steps: list[str], reports: list[str]) -> tuple[int, int]:
        project = self.api("createProject", name="มาตรการ ITA")
        task = self.api("createTask", project_id=project, title=title, description="\n".join(
            f"{number}. {step}" for number, step in enumerate(steps, start=1)))
        for step in steps:
            self.api("createSubtask", task_id=task, title=step[:250])
        for text in reports:
            self.api("createComment", task_id=task, user_id=1, content=text)
        return project, task

    def session_cookie(self) -> str:
        """Log in through the form (with its CSRF token) as admin; the session cookie."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(self.url + "/?controller=AuthController&action=login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        opener.open(self.url + "/?controller=AuthController&action=check", data=urllib.parse.urlencode(
            {"csrf_token": token, "username": "admin", "password": "admin"}).encode(), timeout=10).close()
        cookie = next((c for c in jar if c.name == "KB_SID"), None) or sys.exit("could not log in to Kanboard")
        return f"{cookie.name}={cookie.value}"

    def workers(self) -> list[page_bench.Memory]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [page_bench.memory_of(int(child)) for child in children] or [page_bench.memory_of(pid)]

    def stop(self) -> None:
        """The server and its workers: terminating the server alone leaves its workers serving."""
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(10)


# --- ITA Tracker ---------------------------------------------------------------------------------------

def tracker_site(folder: Path):
    """The demo on SQLite, and the head of กองคลัง's busiest task with what its page shows. The
    served app's forms carry their CSRF tokens, as in production and as Kanboard's do; the client that
    logs in does without (the login form's token is not what is measured)."""
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'tracker.db'}", "TRACKER_UPLOAD_DIR": str(folder / "up"),
              "TRACKER_TODAY": "2025-03-31", "SECRET_KEY": "compare", "WTF_CSRF_ENABLED": True}
    app = create_app({**config, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        with transaction():
            demo.load_demo(current_app.config)
        task = db.session.scalar(select(Task).join(Task.division).where(Division.name == "กองคลัง")
                                 .order_by(Task.version.desc(), Task.id).limit(1))
        shown = (task.id, task.measure.title, [step.text for step in task.measure.steps],
                 [update.done_text for update in tasks.task_history(task) if update.done_text])
        db.session.remove()
    site = page_bench.Site(app, {"head": (HEAD, demo.DEMO_PASSWORD)}, shown[0], 0)
    return site, config, shown


ROUNDS = 3  # each side timed this often, in turn: this VM's speed drifts by a fifth within a minute


def compare(kanboard_dir: str | None) -> int:
    if not page_bench.wrk_available():
        sys.exit("wrk is not installed: scripts/install-system-deps.sh bench")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        site, config, (task_id, title, steps, reports) = tracker_site(folder)
        kanboard = Kanboard(kanboard_source(kanboard_dir), folder)
        try:
            project, kanboard_task = kanboard.add_task_like(title, steps, reports)
            their_url = (kanboard.url + f"/?controller=TaskViewController&action=show&task_id={kanboard_task}"
                         f"&project_id={project}")
            their_cookie = page_bench.check_page(their_url, kanboard.session_cookie(), title)
            with page_bench.Gunicorn("scripts.bench_wsgi:tracker()", {"BENCH_APP_CONFIG": json.dumps(config)}) as ours:
                our_url = f"http://127.0.0.1:{ours.port}/tasks/{task_id}"
                our_cookie = page_bench.check_page(our_url, site.cookie("head"), title)
                rounds = [(page_bench.requests_per_second(their_url, their_cookie, closes_unannounced=True),
                           page_bench.requests_per_second(our_url, our_cookie)) for _ in range(ROUNDS)]
                our_memory = max(ours.worker_memory(), key=lambda worker: worker.pss_mb)
            their_memory = max(kanboard.workers(), key=lambda worker: worker.pss_mb)
        finally:
            kanboard.stop()
    theirs, mine = (statistics.median(side) for side in zip(*rounds))
    print(f"\nThe task page, {WORKERS} workers each, wrk {page_bench.WRK_SECONDS} s × {page_bench.WRK_CONNECTIONS} "
          f"connections, each side {ROUNDS} times in turn (median), on this machine:")
    print(f"  Kanboard (PHP built-in server, OPcache)   {theirs:8.0f} req/s   worker PSS {their_memory.pss_mb:5.1f} MB, "
          f"RSS {their_memory.rss_mb:5.1f} MB")
    print(f"  ITA Tracker (gunicorn --preload)          {mine:8.0f} req/s   worker PSS {our_memory.pss_mb:5.1f} MB, "
          f"RSS {our_memory.rss_mb:5.1f} MB")
    print("  rounds (Kanboard, ITA Tracker): " + ", ".join(f"{a:.0f}/{b:.0f}" for a, b in rounds))
    print(f"  ITA Tracker / Kanboard: {mine / theirs:.2f}× (target ≥ 1.00×)")
    return 0 if mine >= theirs else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kanboard", help="a Kanboard source tree (default: download it)")
    sys.exit(compare(parser.parse_args().kanboard))
