"""Every route against a corpus of bad values: no answer is a 5xx, and a refused request writes nothing.

The routes come from the app's URL map, so a new route is covered the day it is added. Valid
addresses are found as a user finds them, by following the links and forms of the pages each role
sees, starting from the pages that take no ids. Then, for every rule and every role that reaches it:
  - each path variable in turn gets each bad path value, the others staying valid;
  - each bad value is sent once in every query parameter the app reads;
  - each field of each form on the pages (its names and valid values read from the HTML) gets each
    bad value in turn, the other fields keeping the values the page offered.
After every answer that refuses (4xx, or a POST answered with a page instead of a redirect) the
database must hold exactly what it held before.
"""
import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.conftest import login
from tracker.extensions import db

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
# Every query parameter the views read (request.args and the int_arg/as_of_arg helpers).
QUERY_PARAMETERS = ("fy", "as_of", "status", "channel", "division", "year", "embed", "next")

HUGE = "x" * 100_000
BAD_PATH_VALUES = ("0", "-1", str(2 ** 31), str(2 ** 63), str(10 ** 30), "abc", "\x00", "a\x00b", "๑๒", "x" * 5000)
BAD_VALUES = (
    "0", "-1", str(2 ** 31 - 1), str(2 ** 31), str(2 ** 63), str(10 ** 30), "-" + str(10 ** 30), "1.5", "1e309",
    "abc", "", " ", "\x00", "ab\x00cd", "\x01\x08\x0b\x0c\x1b\x7f", "\u200b\u200c\u200d\ufeff",
    "\ud7ff\ue000\U0010ffff", HUGE, "๑" * 50, "2567-02-30", "31/02/2568", "9999-99-99", "30 ก.ย. 99999",
    ["1", "2"], ["abc", HUGE],
)


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


# --- the database's state ------------------------------------------------------------------------

def fingerprint() -> str:
    """A hash of every row of every table, read past the session's cache."""
    digest = hashlib.sha256()
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            digest.update(f"{table.name}:{len(rows)}:{''.join(rows)}".encode())
    return digest.hexdigest()


# --- the world the corpus runs in ----------------------------------------------------------------

class Corpus:
    def __init__(self, app):
        self.app = app
        self.clients = {"anonymous": app.test_client(), "api": app.test_client()}
        for role, email in ROLE_EMAILS.items():
            self.clients[role] = login(app.test_client(), email)
        self.token = self._api_token()
        self.examples: dict[tuple[str, str], dict] = {}  # (role, endpoint) -> valid path values
        self.forms: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (role, path) -> fields
        self.failures: list[str] = []
        self.state: str | None = None  # the database's fingerprint, when known to be current
        self.requests = 0

    def _api_token(self) -> str:
        response = self.clients["coordinator"].post("/people/api-tokens", data={"name": "ระบบทดสอบค่าผิด"})
        return re.search(r'value="(ita_[A-Za-z0-9_-]+)"', response.get_data(as_text=True)).group(1)

    def send(self, role: str, method: str, url: str, data=None):
        headers = {"Authorization": f"Bearer {self.token}"} if role == "api" else {}
        if method != "POST":
            self.state = None  # a page may note that it was read
        return self.clients[role].open(url, method=method, data=data, headers=headers)

    def match(self, path: str) -> list[tuple[str, dict]]:
        """The endpoints (GET and POST) this path reaches, with their path values."""
        adapter, found = self.app.url_map.bind("localhost"), []
        for method in ("GET", "POST"):
            try:
                found.append(adapter.match(path, method=method))
            except (HTTPException, RequestRedirect):
                continue
        return found

    def explore(self, role: str) -> None:
        """Follow links and form actions from the start pages, one page per endpoint."""
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
            response = self.send(role, "GET", path)
            if response.status_code != 200 or "html" not in (response.content_type or ""):
                continue
            page = read_page(response.get_data(as_text=True))
            for action, fields in page.forms:
                target = urlsplit(action).path or path
                self.forms.setdefault((role, target), fields)
                queue.append(target)
            queue.extend(link for link in page.links if link.startswith("/"))

    def reaches(self, role: str, url: str) -> bool:
        response = self.send(role, "GET", url)
        return response.status_code not in (401, 403, 404) and not (
            response.status_code == 302 and "/login" in response.headers.get("Location", ""))

    def has_form(self, role: str, url: str) -> bool:
        """Whether a page showed this role a form for the POST (a form-less POST: the coordinator's)."""
        if (role, url) in self.forms:
            return True
        return role == "coordinator" and not any((other, url) in self.forms for other in ROLES)

    def check(self, role: str, method: str, url: str, data=None) -> None:
        """Send one request and note what is wrong with its answer. Only POSTs are fingerprinted
        (GET handlers write no rows the user asked for), and the state after a refused POST is the
        state before the next one, so a form's run of refusals reads the database once each."""
        self.requests += 1
        before = self._state_before() if method == "POST" else None
        label = f"{role} {method} {url[:120]!r} {_short(data)}"
        try:
            response = self.send(role, method, url, data)
        except Exception as error:  # TESTING propagates what would be a 500; note it and go on
            self.failures.append(f"{type(error).__name__}: {str(error)[:200]} in {label}")
            db.session.rollback()
            self.state = None
            return
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code}: {label}")
        elif url.startswith("/api/") and response.status_code >= 400 and not response.is_json:
            self.failures.append(f"API answered {response.status_code} without JSON: {label}")
        if method != "POST":
            return
        self.state = fingerprint()
        refused = response.status_code >= 400 or response.status_code == 200
        if refused and self.state != before:
            self.failures.append(f"refused with {response.status_code} but wrote: {label}")

    def _state_before(self) -> str:
        if self.state is None:
            self.state = fingerprint()
        return self.state


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




@pytest.fixture
def corpus(app, published_demo):
    corpus = Corpus(app)
    for role in ROLES:
        corpus.explore(role)
    return corpus


def sample_fields(fields: list[tuple[str, str]]) -> list[str]:
    """One field of each kind: a form with a row per item (role_12, role_13, …) is tried on its first."""
    kinds: dict[str, str] = {}
    for name, _ in fields:
        kinds.setdefault(re.sub(r"\d+", "#", name), name)
    return list(kinds.values()) or ["_nothing"]


def test_no_bad_value_in_any_route_gives_a_server_error_or_writes_half(app, corpus):
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
                        corpus.check(role, method, build(rule, {**values, name: bad}))
                if reached:
                    continue  # the values below go through the same parsing for every role
                reached = True
                if method == "GET":
                    names = ["division"] if url.startswith("/api/") else QUERY_PARAMETERS
                    for bad in BAD_VALUES:
                        corpus.check(role, method, url + "?" + urlencode([(n, bad) for n in names], doseq=True))
                else:
                    fields = corpus.forms.get((role, url), [])
                    for name in sample_fields(fields):
                        for bad in BAD_VALUES:
                            corpus.check(role, method, url, as_form(fields, name, bad))
    print(f"{corpus.requests} requests")
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
