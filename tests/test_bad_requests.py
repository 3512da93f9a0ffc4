"""Every route against a corpus of bad values: no answer is a 5xx, and a refused request writes nothing.

The routes come from the app's URL map, so a new route is covered the day it is added. Valid
addresses are found as a user finds them, by following the links and forms of the pages each role
sees, starting from the pages that take no ids; on the way the corpus notes which query names each
view reads (and where). Then, for every rule and every role that reaches it:
  - each path variable in turn gets each bad path value, the others staying valid (a value the
    router refuses goes to the first role only: routing does not depend on who asks);
  - each query name the view reads gets each bad value; a name read by a helper many views share
    gets the whole corpus once and, in the other views, one value of each kind the helper answers;
  - each field of each form on the pages (its names and valid values read from the HTML) gets each
    bad value in turn, the other fields keeping the values the page offered; a field the view did
    not read gets no more than one.
After every refused POST (4xx, or a page instead of a redirect) no write may have been committed.
"""
import io
import re
import sys
import time
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from sqlalchemy import event, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.conftest import login
from tracker.extensions import db
from tracker.web.request_input import CleanTextMultiDict

ROLE_EMAILS = {
    "coordinator": "coordinator@pichai.example",
    "executive": "executive@pichai.example",
    "division_head": "finance@pichai.example",
}
ROLES = ("anonymous", "api", *ROLE_EMAILS)
START_PAGES = ("/", "/dashboard", "/my", "/tasks", "/plan/", "/plan/result", "/plan/analysis", "/plan/items/",
               "/plan/divisions", "/approvals/", "/reports/", "/reports/readiness", "/reports/settings", "/people",
               "/people/api-tokens", "/notify/deliveries", "/notify/settings", "/profile", "/inbox",
               "/settings/public", "/public/pichai/", "/public/pichai/2568/", "/plan/rollover/", "/account/password",
               "/login")
# Routes left out, and why.
EXCLUDED = {
    "static": "serves files from disk by path; it takes no parameters and reads no database",
}
# Rules that end what the corpus runs in, sent last or only as anonymous.
LAST = ("delete", "withdraw", "revoke", "unlink", "logout")
ANONYMOUS_ONLY = {"auth.logout": "logging out would end the session the other requests run in"}

HUGE = "x" * 100_000
# One value of each kind of bad: zero, negative, beyond PostgreSQL's INTEGER, beyond SQLite's 64 bits,
# text, NUL, Thai digits, over-long.
BAD_PATH_VALUES = ("0", "-1", str(2 ** 31), str(10 ** 30), "abc", "a\x00b", "๑๒", "x" * 5000)
# The same kinds for query and form values: zero, negative, the largest id, beyond PostgreSQL's INTEGER,
# beyond 64 bits, a float beyond float's range, Thai digits beyond any range, text, empty, control and
# zero-width characters, over-long, bad dates (day, Buddhist-era slashes, Thai month with a five-digit
# year) and a repeated key.
BAD_VALUES = (
    "0", "-1", str(2 ** 31 - 1), str(2 ** 31), str(2 ** 63), "1e309", "๑" * 50, "abc", "", "ab\x00c\x1bd\x7f",
    "\u200b\ufeff", HUGE, "2567-02-30", "31/02/2568", "30 ก.ย. 99999", ["1", "2"],
)
# A query name read by a helper many views share (?fy= by current_fiscal_year) gets the whole corpus
# the first time; in every later view, one value of each answer the helper gives: nothing, or a number.
SHARED_READER_VALUES = ("abc", str(2 ** 31 - 1))
# POST endpoints whose success is a page, not a redirect.
SUCCESS_PAGES = {"api_tokens.index": "a new token is shown once, on the page that made it"}


# --- what the pages offer ----------------------------------------------------------------------

class PageReader(HTMLParser):
    """The links of a page, and each POST form's action with its fields' names and offered values."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self._fields = []
                self.forms.append((attrs.get("action") or "", self._fields))
            else:
                self._fields = None
        elif self._fields is None or not name:
            if tag == "option" and self._select and self._first_option is None:
                self._first_option = attrs.get("value", "")
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self._fields.append((name, attrs.get("value") or ""))
            elif attrs.get("type") == "radio" and not any(field == name for field, _ in self._fields):
                self._fields.append((name, attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea = name
            self._fields.append((name, ""))
        elif tag == "select":
            self._select, self._first_option = name, None
            self._selected = False
        if tag == "option" and self._select and "selected" in attrs and self._fields is not None:
            self._fields.append((self._select, attrs.get("value", "")))
            self._selected = True

    def handle_data(self, data):
        if self._textarea and self._fields:
            name, text = self._fields[-1]
            self._fields[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._selected and self._first_option is not None and self._fields is not None:
                self._fields.append((self._select, self._first_option))
            self._select = None
        elif tag == "form":
            self._fields = None


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader


# --- what a request wrote and what it read ------------------------------------------------------

class WriteWatch:
    """The rows each request's committed transactions changed, seen in the statements the engine
    runs: an INSERT, UPDATE or DELETE that touched a row and was then committed (not rolled back,
    nor inside a savepoint rolled back). Exact and cheap, where hashing every table after every
    request was neither."""

    def __init__(self, engine):
        self.pending: list[str] = []
        self.savepoints: list[int] = []
        self.committed: list[str] = []
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)
        event.listen(engine, "savepoint", self._savepoint)
        event.listen(engine, "rollback_savepoint", self._rollback_savepoint)
        event.listen(engine, "release_savepoint", self._release_savepoint)

    # A login's "last seen" is stamped at most once a minute by whatever request comes: the login's
    # bookkeeping, not the request's write (the corpus runs for minutes on a slow machine).
    BOOKKEEPING = ("UPDATE login_session SET last_seen_at",)

    def _executed(self, connection, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        written = " ".join(statement.split())
        if verb in ("INSERT", "UPDATE", "DELETE") and cursor.rowcount != 0 and not written.startswith(self.BOOKKEEPING):
            self.pending.append(written[:90])

    def _commit(self, connection):
        self.committed += self.pending
        self.pending, self.savepoints = [], []

    def _rollback(self, connection):
        self.pending, self.savepoints = [], []

    def _savepoint(self, connection, name):
        self.savepoints.append(len(self.pending))

    def _rollback_savepoint(self, connection, name, context):
        del self.pending[self.savepoints.pop() if self.savepoints else 0:]

    def _release_savepoint(self, connection, name, context):
        if self.savepoints:
            self.savepoints.pop()

    def start(self) -> None:
        self.pending, self.committed = [], []


READ_PARAMETERS: dict[str, str] = {}  # name -> where in the app the current request read it


def _note_read(name: str) -> None:
    frame = sys._getframe(2)
    while frame and ("/tracker/" not in frame.f_code.co_filename or "request_input" in frame.f_code.co_filename):
        frame = frame.f_back
    READ_PARAMETERS.setdefault(name, f"{frame.f_code.co_filename}:{frame.f_code.co_name}" if frame else "")


class ReadWatchDict(CleanTextMultiDict):
    """Request parameters that note which names the view reads ("*": it went through all of them)."""

    def __getitem__(self, key):
        _note_read(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        _note_read(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _note_read(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        _note_read(key)
        return super().__contains__(key)

    def __iter__(self):
        _note_read("*")
        return super().__iter__()

    def items(self, multi=False):
        _note_read("*")
        return super().items(multi)


# --- the world the corpus runs in ----------------------------------------------------------------

class Corpus:
    def __init__(self, app):
        self.app = app
        app.request_class = type("ReadWatchRequest", (app.request_class,), {"parameter_storage_class": ReadWatchDict})
        self.adapter = app.url_map.bind("localhost")
        self.writes = WriteWatch(db.engine)
        self.clients = {"anonymous": app.test_client(), "api": app.test_client()}
        for role, email in ROLE_EMAILS.items():
            self.clients[role] = login(app.test_client(), email)
        self.token = self._api_token()
        self.examples: dict[tuple[str, str], dict] = {}  # (role, endpoint) -> valid path values
        self.forms: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (role, path) -> fields
        self.answers: dict[tuple[str, str], int] = {}  # (role, path) -> the status of its GET
        self.query_names: dict[str, dict[str, str]] = {}  # endpoint -> query name -> where it is read
        self.failures: list[str] = []
        self.requests = 0
        self.counts: dict[str, int] = {}

    def _api_token(self) -> str:
        response = self.clients["coordinator"].post("/people/api-tokens", data={"name": "ระบบทดสอบค่าผิด"})
        return re.search(r'value="(ita_[A-Za-z0-9_-]+)"', response.get_data(as_text=True)).group(1)

    def send(self, role: str, method: str, url: str, data=None):
        headers = {"Authorization": f"Bearer {self.token}"} if role == "api" else {}
        return self.clients[role].open(url, method=method, data=data, headers=headers)

    def match(self, path: str, method: str | None = None) -> list[tuple[str, dict]]:
        """The endpoints (GET and POST, or the one method) this path reaches, with their path values."""
        found = []
        for method in (method,) if method else ("GET", "POST"):
            try:
                found.append(self.adapter.match(path, method=method))
            except (HTTPException, RequestRedirect):
                continue
        return found

    def explore(self, role: str) -> None:
        """Follow links and form actions from the start pages, one page per endpoint, noting what
        each GET answered and which query names its view read."""
        queue, seen = list(START_PAGES), set()
        if role == "api":
            queue = ["/api/v1/fiscal-years/2568/tasks"]
        while queue:
            path = urlsplit(queue.pop(0)).path
            found = [(endpoint, values) for endpoint, values in self.match(path)
                     if (role, endpoint) not in self.examples]
            if not found or path in seen:
                continue
            self.examples.update({(role, endpoint): values for endpoint, values in found})
            seen.add(path)
            response = self.read(role, path)
            if response.status_code != 200 or "html" not in (response.content_type or ""):
                continue
            page = read_page(response.get_data(as_text=True))
            for action, fields in page.forms:
                target = urlsplit(action).path or path
                self.forms.setdefault((role, target), fields)
                queue.append(target)
            queue.extend(link for link in page.links if link.startswith("/"))

    def read(self, role: str, path: str):
        """GET a page as this role, noting its answer and the query names its view read."""
        READ_PARAMETERS.clear()
        response = self.send(role, "GET", path)
        self.answers[(role, path)] = (response.status_code, response.headers.get("Location", ""))
        for endpoint, _ in self.match(path, "GET"):
            names = self.query_names.setdefault(endpoint, {})
            names.update({name: site for name, site in READ_PARAMETERS.items() if name != "*"})
        return response

    def reaches(self, role: str, url: str) -> bool:
        if (role, url) not in self.answers:
            self.read(role, url)
        status, location = self.answers[(role, url)]
        return status not in (401, 403, 404) and not (status == 302 and "/login" in location)

    def has_form(self, role: str, url: str) -> bool:
        """Whether a page showed this role a form for the POST (a form-less POST: the coordinator's)."""
        if (role, url) in self.forms:
            return True
        return role == "coordinator" and not any((other, url) in self.forms for other in ROLES)

    def routes_to(self, url: str, method: str, endpoint: str) -> bool:
        return any(found == endpoint for found, _ in self.match(urlsplit(url).path, method))

    def check(self, role: str, method: str, url: str, data=None) -> None:
        """Send one request and note what is wrong with its answer: a 5xx, an /api/ error not in
        JSON, or a refused POST (4xx, or a page instead of a redirect) that committed a write."""
        self.requests += 1
        kind = "path" if data is None and "?" not in url else ("query" if data is None else "form")
        self.counts[kind] = self.counts.get(kind, 0) + 1
        label = f"{role} {method} {url[:120]!r} {_short(data)}"
        self.writes.start()
        READ_PARAMETERS.clear()
        try:
            response = self.send(role, method, url, data)
        except Exception as error:  # TESTING propagates what would be a 500; note it and go on
            self.failures.append(f"{type(error).__name__}: {str(error)[:200]} in {label}")
            db.session.rollback()
            return
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code}: {label}")
        elif url.startswith("/api/") and response.status_code >= 400 and not response.is_json:
            self.failures.append(f"API answered {response.status_code} without JSON: {label}")
        if method != "POST" or not self.writes.committed:
            return
        endpoint = self.match(urlsplit(url).path, "POST")[0][0]
        refused = response.status_code >= 400 or (response.status_code == 200 and endpoint not in SUCCESS_PAGES)
        if refused:
            self.failures.append(f"refused with {response.status_code} but wrote "
                                 f"{self.writes.committed[:2]}: {label}")


def _short(data) -> str:
    if not data:
        return ""
    return repr({key: (value[:40] if isinstance(value, str) else value) for key, value in data.items()})[:200]


def build(rule, values: dict) -> str:
    """The rule's path with these values (strings put in as they are, percent-encoded)."""
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(r"<(?:[^:<>]+:)?" + name + ">", quote(str(values[name]), safe=""), path)
    return path


def fallback_values(rule) -> dict:
    """For a rule no page links to: ids of 1 and the demo's names; the corpus still runs on its path."""
    defaults = {"slug": "pichai", "fy": 2568, "year": 2568, "doc": "measures", "fmt": "docx", "kind": "midyear",
                "token": "x", "number": 1}
    return {name: defaults.get(name, 1) for name in rule.arguments}


def as_form(fields: list[tuple[str, str]], name: str, value) -> dict:
    data: dict[str, list[str]] = {}
    for field, offered in fields:
        if field != name:
            data.setdefault(field, []).append(offered)
    data[name] = value if isinstance(value, list) else [value]
    return data


def rules_in_order(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint not in EXCLUDED]
    return sorted(rules, key=lambda rule: (any(word in rule.endpoint for word in LAST), rule.rule))


def sample_fields(fields: list[tuple[str, str]]) -> list[str]:
    """One field of each kind: a form with a row per item (role_12, role_13, …) is tried on its first."""
    kinds: dict[str, str] = {}
    for name, _ in fields:
        kinds.setdefault(re.sub(r"\d+", "#", name), name)
    return list(kinds.values()) or ["_nothing"]


@pytest.fixture
def corpus(app, published_demo):
    corpus = Corpus(app)
    started = time.perf_counter()
    for role in ROLES:
        corpus.explore(role)
    print(f"explored {len(corpus.answers)} pages in {time.perf_counter() - started:.1f} s")
    return corpus


def test_no_bad_value_in_any_route_gives_a_server_error_or_writes_half(app, corpus):
    queried: set[tuple[str, str]] = set()  # (query name, where it is read) sent the whole corpus
    for rule in rules_in_order(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            reached = False
            for role in ROLES:
                if rule.endpoint in ANONYMOUS_ONLY and role != "anonymous":
                    continue
                values = corpus.examples.get((role, rule.endpoint)) or fallback_values(rule)
                url = build(rule, values)
                if not (corpus.reaches(role, url) if method == "GET" else corpus.has_form(role, url)):
                    continue
                for name in rule.arguments:
                    for bad in BAD_PATH_VALUES:
                        bad_url = build(rule, {**values, name: bad})
                        # A value the router refuses is refused before any role's view runs: once is enough.
                        if not reached or corpus.routes_to(bad_url, method, rule.endpoint):
                            corpus.check(role, method, bad_url)
                if reached:
                    continue  # the values below go through the same parsing for every role
                reached = True
                if method == "GET":
                    for name, site in sorted(corpus.query_names.get(rule.endpoint, {}).items()):
                        shared = (name, site) in queried
                        queried.add((name, site))
                        for bad in SHARED_READER_VALUES if shared else BAD_VALUES:
                            corpus.check(role, method, url + "?" + urlencode([(name, bad)], doseq=True))
                else:
                    fields = corpus.forms.get((role, url), [])
                    for name in sample_fields(fields):
                        for bad in BAD_VALUES:
                            corpus.check(role, method, url, as_form(fields, name, bad))
                            if not READ_PARAMETERS.keys() & {name, "*"}:
                                break  # the view did not read this field: no value of it can matter
    print(f"{corpus.requests} requests {corpus.counts}")
    assert not corpus.failures, f"{len(corpus.failures)} bad answers:\n" + "\n".join(corpus.failures[:60])


def test_id_beyond_the_database_range_in_a_path_is_not_found(coordinator_client):
    for value in (2 ** 31, 2 ** 63, 10 ** 30):
        assert coordinator_client.get(f"/tasks/{value}").status_code == 404


def test_nul_in_a_posted_name_is_taken_out_before_saving(coordinator_client, demo):
    from tracker.models import Division
    response = coordinator_client.post("/plan/divisions", data={"name": "กอง\x00ทดสอบค่าผิด"})
    assert response.status_code == 302
    assert db.session.scalar(select(Division).where(Division.name == "กองทดสอบค่าผิด")) is not None


def test_unreadable_task_version_meets_an_edit_conflict_and_keeps_what_was_typed(coordinator_client, demo):
    from tracker.models import Task
    task = db.session.scalars(select(Task)).first()
    response = coordinator_client.post(f"/tasks/{task.id}", data={
        "status": "in_progress", "percent": "40", "done_text": "ตรวจนับแล้วบางส่วน", "version": "abc"})
    assert response.status_code == 409
    assert "ตรวจนับแล้วบางส่วน" in response.get_data(as_text=True)


def test_control_characters_in_an_uploaded_file_name_are_taken_out(coordinator_client, demo):
    from tracker.models import Evidence, Task
    task = db.session.scalars(select(Task)).first()
    response = coordinator_client.post(f"/tasks/{task.id}", content_type="multipart/form-data", data={
        "status": "in_progress", "percent": "40", "version": str(task.version),
        "files": (io.BytesIO(b"%PDF-1.4 evidence"), "ภาพ\x00ถ่าย\x1b.pdf")})
    assert response.status_code == 302
    assert db.session.scalar(select(Evidence.filename).where(Evidence.task_id == task.id)) == "ภาพถ่าย.pdf"


def test_nul_in_an_imported_file_name_is_read_past(coordinator_client, demo):
    rows = "ประเด็น,มาตรการ,ขั้นตอน,ระยะเวลา,ผู้รับผิดชอบ\nการเปิดเผยข้อมูล,เผยแพร่แผน,จัดทำ,ต.ค. 2567,สำนักปลัด\n"
    response = coordinator_client.post("/plan/measures/import?fy=2568", content_type="multipart/form-data",
                                       data={"file": (io.BytesIO(rows.encode()), "แผน\x00.csv")})
    assert response.status_code == 200 and "\x00" not in response.text
