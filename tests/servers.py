"""Real servers on loopback for the reminder tests: an SMTP server (aiosmtpd), the LINE Messaging
API's push endpoint, and a webhook receiver. Each is a context manager that records what it got
and can be told to fail; none needs pytest, so a test, a fixture or a script can use them alike."""
import asyncio
import json
import re
import socket
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tracker.thai import bangkok_to_utc

HOLD_LIMIT = 20  # seconds a held reply waits for release(), so a forgotten release cannot hang a run


def bangkok(text: str) -> datetime:
    """A Bangkok wall-clock moment "2025-06-25 08:30" as the naive UTC the app stores."""
    return bangkok_to_utc(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def free_port() -> int:
    """A port nobody listens on now (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settings(smtp: "SmtpServer | None" = None, line: "LineApiServer | None" = None) -> dict:
    """App settings that point email and LINE at these servers."""
    values = {}
    if smtp:
        values.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SUPPRESS_SEND=False)
    if line:
        values.update(LINE_CHANNEL_ACCESS_TOKEN=line.token, LINE_API_BASE=line.url)
    return values


def environment(smtp: "SmtpServer | None" = None, line: "LineApiServer | None" = None) -> dict:
    """The same settings as environment variables, for a `flask tracker …` subprocess."""
    return {key: str(value) for key, value in settings(smtp, line).items() if key != "MAIL_SUPPRESS_SEND"}


class Hold:
    """Lets the n-th request in, then keeps its answer back until release(): a client killed
    meanwhile has handed over its message but never heard that it arrived."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.reached = threading.Event()
        self.released = threading.Event()

    def wait_reached(self, timeout: float = HOLD_LIMIT) -> None:
        assert self.reached.wait(timeout), f"request {self.number} never arrived"

    def release(self) -> None:
        self.released.set()


# --- SMTP ------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    peer: tuple = ()  # the client's address and port: the same for messages on one connection

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        return self.message.get_body((subtype,)).get_content()


class _SmtpHandler:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.server.refusals:
            return self.server.refusals[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mail = ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos),
                            BytesParser(policy=default_policy).parsebytes(envelope.content), tuple(session.peer))
        with self.server.lock:
            self.server.messages.append(mail)
            count = len(self.server.messages)
        hold = self.server.hold
        if hold and count == hold.number:
            hold.reached.set()
            # The message is the server's now, as after the final "." of DATA; only the 250 waits.
            await asyncio.get_running_loop().run_in_executor(None, hold.released.wait, HOLD_LIMIT)
        return "250 2.0.0 OK queued"

    async def handle_QUIT(self, server, session, envelope):
        if self.server.drop_at_quit:
            server.transport.abort()
        return "221 Bye"


class SmtpServer:
    """aiosmtpd on a free loopback port. Records every message it accepts (parsed with
    email.policy.default). refuse() answers RCPT for an address with a given reply; stop() makes
    the port refuse connections until start() again; hold_message() keeps the n-th message's 250
    back; drop_at_quit hangs up on QUIT instead of saying goodbye."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[ReceivedMail] = []
        self.refusals: dict[str, str] = {}
        self.hold: Hold | None = None
        self.drop_at_quit = False
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.hold:
            self.hold.release()
        if self.controller:
            self.controller.stop()
            self.controller = None

    def refuse(self, address: str, reply: str = "550 5.1.1 No such user") -> None:
        self.refusals[address] = reply

    def hold_message(self, number: int) -> Hold:
        self.hold = Hold(number)
        return self.hold

    def to(self, address: str) -> list[ReceivedMail]:
        return [mail for mail in self.messages if address in mail.rcpt_tos]

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    accepted: bool = False

    def json(self):
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after a test

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        status, answer, headers = self.server.owner.answer(request)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


class HttpServer:
    """A ThreadingHTTPServer on 127.0.0.1 in a thread, on a free port that it keeps across stop()
    and start(). fail_next(status, times) makes the next requests fail with that status;
    subclasses decide what a good request gets."""

    def __init__(self) -> None:
        self.port = 0
        self.requests: list[Request] = []
        self.faults: deque[int] = deque()
        self.hold: Hold | None = None
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "HttpServer":
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self.port = self.httpd.server_address[1]
        self.httpd.owner = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.hold:
            self.hold.release()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()

    def fail_next(self, status: int, times: int = 1) -> None:
        self.faults.extend([status] * times)

    def hold_request(self, number: int) -> Hold:
        """Handle the n-th accepted request, then hold its answer back until release()."""
        self.hold = Hold(number)
        return self.hold

    def answer(self, request: Request) -> tuple[int, dict, dict]:
        with self.lock:
            self.requests.append(request)
            fault = self.faults.popleft() if self.faults else None
            status, answer, headers = (fault, {"message": f"fault {fault}"}, {}) if fault else self.accept(request)
            accepted = sum(r.accepted for r in self.requests)
        if self.hold and status < 300 and accepted == self.hold.number:
            self.hold.reached.set()
            self.hold.released.wait(HOLD_LIMIT)
        return status, answer, headers

    def accept(self, request: Request) -> tuple[int, dict, dict]:
        raise NotImplementedError

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


LINE_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
TEXT_LIMIT = 5000


def line_id(seed: str) -> str:
    """A well-formed LINE user ID (U + 32 hex digits) for test data."""
    return "U" + uuid.uuid5(uuid.NAMESPACE_URL, seed).hex


@dataclass
class Push:
    to: str
    texts: list[str]
    retry_key: str | None


class LineApiServer(HttpServer):
    """Plays POST /v2/bot/message/push of the LINE Messaging API: the bearer token, the body as
    documented (to: a user, group or room ID; messages: 1–5 text objects of at most 5000
    characters), and X-Line-Retry-Key — a key accepted before is answered 409, as LINE does."""

    def __init__(self, token: str = "test-channel-access-token") -> None:
        super().__init__()
        self.token = token
        self.pushes: list[Push] = []
        self.accepted_keys: set[str] = set()

    def pushes_to(self, to: str) -> list[Push]:
        return [push for push in self.pushes if push.to == to]

    def accept(self, request: Request) -> tuple[int, dict, dict]:
        if request.path != "/v2/bot/message/push":
            return 404, {"message": "Not found"}, {}
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Authentication failed. Confirm that the access token in the authorization "
                                    "header is valid."}, {}
        problem = self.invalid(request)
        if problem:
            return 400, {"message": "The request body has 1 error(s)", "details": [{"message": problem}]}, {}
        retry_key = request.headers.get("x-line-retry-key")
        if retry_key in self.accepted_keys:
            return 409, {"message": "The retry key is already accepted", "sentMessages": []}, {
                "x-line-accepted-request-id": str(uuid.uuid5(uuid.NAMESPACE_OID, retry_key))}
        body = request.json()
        if retry_key:
            self.accepted_keys.add(retry_key)
        self.pushes.append(Push(body["to"], [m["text"] for m in body["messages"]], retry_key))
        request.accepted = True
        return 200, {"sentMessages": [{"id": str(len(self.pushes)), "quoteToken": uuid.uuid4().hex}]}, {
            "x-line-request-id": str(uuid.uuid4())}

    @staticmethod
    def invalid(request: Request) -> str:
        """What LINE would object to in the request, or ""."""
        if not request.headers.get("content-type", "").startswith("application/json"):
            return "Content-Type must be application/json"
        retry_key = request.headers.get("x-line-retry-key")
        if retry_key is not None:
            try:
                uuid.UUID(retry_key)
            except ValueError:
                return "X-Line-Retry-Key must be a UUID"
        try:
            body = json.loads(request.body)
        except ValueError:
            return "The request body is not JSON"
        if not isinstance(body, dict) or not isinstance(body.get("to"), str) or not LINE_ID.match(body["to"]):
            return "May not be empty or invalid: to"
        messages = body.get("messages")
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return "Size must be between 1 and 5: messages"
        for message in messages:
            text = message.get("text") if isinstance(message, dict) else None
            if message.get("type") != "text" or not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
                return "Length must be between 1 and 5000: messages[].text"
        if not isinstance(body.get("notificationDisabled", False), bool):
            return "Must be a boolean: notificationDisabled"
        return ""


class WebhookServer(HttpServer):
    """Receives JSON POSTs as Google Chat, Teams or Discord would, and answers 200."""

    def accept(self, request: Request) -> tuple[int, dict, dict]:
        try:
            request.json()
        except ValueError:
            return 400, {"message": "not JSON"}, {}
        request.accepted = True
        return 200, {}, {}

    @property
    def received(self) -> list[Request]:
        return [r for r in self.requests if r.accepted]
