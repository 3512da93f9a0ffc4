"""The pages people wait on, measured two ways (issue 12, point 4), for bench.py at demo size and
bench_national.py at national size:
- in-process: the p95 server time of each page over REQUESTS requests through Flask's test client,
  and the SQL statements one request sends;
- over gunicorn: each page's requests per second, as a share of a hello-world Flask app's on the
  same gunicorn settings, both measured by wrk (Debian's `wrk`) in the same run.
A Site is the app on some database with clients logged in as its coordinator and one head, and that
head's busiest task (the task page and the update posted to it)."""
import contextvars
import gc
import http.client
import urllib.error
import urllib.request
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.bench import Result
from tests.servers import free_port
from tests.statements import counted_statements

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 200  # a p95 of fewer swings with whatever else the machine runs
GUNICORN_WORKERS = 3  # as deploy/ita-tracker-web.service runs it
WRK_SECONDS, WRK_CONNECTIONS = 3, 6


@dataclass
class Page:
    what: str
    who: str  # "coordinator" or "head"
    url: str  # "{task}" stands for the head's task
    target_ms: float
    post: bool = False


PAGES = (
    Page("dashboard (/ → /dashboard)", "coordinator", "/dashboard", 15),
    Page("งานของฉัน /my", "head", "/my", 15),
    Page("task page /tasks/<id>", "head", "/tasks/{task}", 15),
    Page("analysis /plan/analysis", "coordinator", "/plan/analysis", 15),
    Page("O34 preview /reports/measures", "coordinator", "/reports/measures", 30),
    Page("O35 preview /reports/results", "coordinator", "/reports/results", 30),
    Page("readiness /reports/readiness", "coordinator", "/reports/readiness", 30),
    # Last: each post adds an update to the task, which the pages above would then show too.
    Page("posting an update", "head", "/tasks/{task}", 15, post=True),
)


class Site:
    """The app with a client per role, logged in with these (email, password) pairs, and the task
    the head reports on, at the version its next form saw."""

    def __init__(self, app, logins: dict[str, tuple[str, str]], task_id: int, version: int):
        self.app = app
        self.clients = {who: self._login(*login) for who, login in logins.items()}
        self.task_id, self.version = task_id, version
        gc.freeze()  # as wsgi.py does after start-up

    def _login(self, email: str, password: str):
        client = self.app.test_client()
        if client.post("/login", data={"email": email, "password": password}).status_code != 302:
            sys.exit(f"{email} could not log in")
        return client

    def path(self, page: Page) -> str:
        return page.url.format(task=self.task_id)

    def request(self, page: Page, number: int):
        client = self.clients[page.who]
        if not page.post:
            return client.get(self.path(page))
        response = client.post(self.path(page), data={
            "status": "in_progress", "percent": str(10 + number % 80), "version": str(self.version),
            "done_text": "รายงานจากการวัดความเร็ว"})
        self.version += 1
        return response

    def follow(self, page: Page, response) -> None:
        """What the browser does next, untimed: after a post it opens the page it is sent to, which
        shows (and takes out of the session cookie) the post's message. Without it, every post's
        message would stay in the cookie, which every later request would then read."""
        if page.post and response.status_code == 302:
            self.clients[page.who].get(response.location)

    def cookie(self, who: str) -> str:
        """The session cookie of that role's client, for requests from outside the process."""
        cookie = self.clients[who].get_cookie(self.app.config.get("SESSION_COOKIE_NAME", "session"))
        return f"{cookie.key}={cookie.value}"


# --- in-process ------------------------------------------------------------------------------------

def check(response, page: Page) -> None:
    if response.status_code != (302 if page.post else 200):
        sys.exit(f"{page.what} answered {response.status_code}")


def p95_ms(site: Site, page: Page, requests: int = REQUESTS) -> float:
    for number in range(2):  # the first requests compile the templates
        response = site.request(page, number)
        check(response, page)
        site.follow(page, response)
    times = []
    for number in range(requests):
        start = time.perf_counter()
        response = site.request(page, number)
        times.append((time.perf_counter() - start) * 1000)
        check(response, page)
        site.follow(page, response)
    return statistics.quantiles(times, n=20)[18]


def statements(site: Site, page: Page) -> int:
    """The SQL statements one request sends. The request runs in a context of its own, as in
    production, while the counter listens on the app's engine."""
    with site.app.app_context(), counted_statements() as sent:
        check(contextvars.Context().run(site.request, page, 0), page)
    return len(sent)


def p95_results(site: Site, label: str = "") -> list[Result]:
    return [Result(f"{page.what}, p95{label}", p95_ms(site, page), page.target_ms, "ms") for page in PAGES]


# --- over gunicorn -----------------------------------------------------------------------------------

PRELOAD = True  # as deploy/ita-tracker-web.service runs it


@dataclass
class Memory:
    rss_mb: float
    pss_mb: float


def memory_of(pid: int) -> Memory:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
    return Memory(*(int(fields[name].split()[0]) / 1024 for name in ("Rss", "Pss")))

def wrk_available() -> bool:
    return shutil.which("wrk") is not None


class Gunicorn:
    """gunicorn serving `target` (module:callable()) on a free loopback port, with the settings of
    deploy/ita-tracker-web.service; stopped on leaving."""

    def __init__(self, target: str, environment: dict[str, str], preload: bool = PRELOAD):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(GUNICORN_WORKERS), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", *(["--preload"] if preload else []), target],
            cwd=ROOT, env={**os.environ, **environment}, stdout=subprocess.DEVNULL)

    def __enter__(self) -> "Gunicorn":
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn stopped at start ({self.process.returncode})")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
            finally:
                connection.close()
        sys.exit("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(30)

    def worker_memory(self) -> list[Memory]:
        """Each worker's resident memory, read from /proc: RSS counts every page the worker maps,
        the ones it shares with the master and its siblings too; PSS splits the shared ones among
        the processes that share them, so the workers' PSS add up to what they cost the machine."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [memory_of(int(pid)) for pid in children]

    def requests_per_second(self, path: str, cookie: str = "") -> float:
        return requests_per_second(f"http://127.0.0.1:{self.port}{path}", cookie)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_page(url: str, cookie: str, text: str) -> str:
    """The page answers 200 with this text for this cookie (wrk would time a redirect to a login
    page as the page: it flags only answers that are neither 2xx nor 3xx). Returns the cookie to
    time it with: the one a browser would send next, with what the page set (a session given its
    CSRF token) in place of the first. wrk sends the same cookie every time; the first one would
    have the page sign a new session on every request."""
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=10) as answer:
            body = answer.read().decode()
            set_cookies = answer.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        sys.exit(f"{url} answered {error.code}, not the page")
    if text not in body:
        sys.exit(f"{url} answered without “{text}”")
    cookies = dict(part.strip().split("=", 1) for part in cookie.split(";") if "=" in part)
    cookies.update(header.split(";", 1)[0].split("=", 1) for header in set_cookies)
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def requests_per_second(url: str, cookie: str = "", closes_unannounced: bool = False) -> float:
    """wrk's requests per second on this address; exits on an error answer or a failed connection
    (check_page first: wrk takes a redirect for an answer). A server that closes each connection
    without saying so (PHP's built-in server) leaves wrk a read error after every answer:
    closes_unannounced lets those pass."""
    command = ["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = dict(zip(("connect", "read", "write", "timeout"), map(int, found.groups()))) if found else {}
    if closes_unannounced:
        errors.pop("read", None)
    if "Non-2xx or 3xx responses" in output or any(errors.values()):
        sys.exit(f"wrk on {url} had failed answers:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def gunicorn_results(site: Site, config_json: str) -> list[Result]:
    """Each page (GET; posting changes the task, so it is left out) served by gunicorn over the same
    database, as a share of hello-world's requests per second, measured before and after the pages.
    The wrk client runs on the same 2 cores as the workers, as the hello-world's does."""
    if not wrk_available():
        return [Result("requests/s over gunicorn: wrk is not installed", 0, 0, "%", "make bench installs it")]
    environment = {"BENCH_APP_CONFIG": config_json}
    with Gunicorn("scripts.bench_wsgi:hello()", environment) as hello:
        before = hello.requests_per_second("/")
    shares = []
    with Gunicorn("scripts.bench_wsgi:tracker()", environment) as tracker:
        for page in PAGES:
            if not page.post:
                shares.append((page, tracker.requests_per_second(site.path(page), site.cookie(page.who))))
        for path in DOWNLOADS:  # Word and Excel files, written apart from the workers (tracker/processes.py)
            tracker.requests_per_second(path, site.cookie("coordinator"))
        time.sleep(1)  # the last downloads' children gone: while they live, they share the workers' pages
        memory = tracker.worker_memory()
    with Gunicorn("scripts.bench_wsgi:hello()", environment) as hello:
        after = hello.requests_per_second("/")
    baseline = (before + after) / 2
    return [Result(f"{page.what}, gunicorn req/s", 100 * rps / baseline, 0, "%",
                   f"{rps:.0f} req/s; hello-world {baseline:.0f} req/s ({before:.0f}, {after:.0f})", report_only=True)
            for page, rps in shares] + memory_results(memory)


WORKER_MEMORY_TARGET_MB = 60
DOWNLOADS = ("/reports/measures.docx", "/reports/results.xlsx", "/tasks/export.xlsx")


def memory_results(workers: list[Memory]) -> list[Result]:
    """The largest worker's PSS against the target, and its RSS beside it."""
    largest = max(workers, key=lambda worker: worker.pss_mb)
    preload = "with --preload" if PRELOAD else "without --preload"
    return [Result("gunicorn worker memory after pages and downloads, PSS", largest.pss_mb, WORKER_MEMORY_TARGET_MB, "MB",
                   f"largest of {len(workers)} workers {preload}; its RSS {largest.rss_mb:.0f} MB "
                   "(shared pages counted whole)")]
