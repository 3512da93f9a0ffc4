"""Settings classes. Every setting reads an environment variable with a safe default."""
import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tracker.db'}")
    # Heroku-style URLs name the driver-less scheme; we use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _fixed_today() -> date | None:
    """TRACKER_TODAY as a date, or None (unset or empty) for the real date. A value that is not a
    date stops start-up here, naming the variable, rather than the first page that asks for today."""
    value = os.environ.get("TRACKER_TODAY", "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RuntimeError(f"TRACKER_TODAY={value!r} is not a date: use an ISO date such as 2025-03-31") from None


DEVELOPMENT_SECRET_KEY = "dev-only-change-me"


class Default:
    """Development: what a checkout, `make run` and the tests run with (TRACKER_ENV unset)."""
    TRACKER_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TRACKER_UPLOAD_DIR = os.environ.get("TRACKER_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    TRACKER_MAX_UPLOAD_MB = int(os.environ.get("TRACKER_MAX_UPLOAD_MB", "10"))
    TRACKER_UPLOAD_EXTENSIONS = (
        "pdf", "jpg", "jpeg", "png", "gif", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "zip",
    )
    # Whole request: several evidence files at once.
    MAX_CONTENT_LENGTH = int(os.environ.get("TRACKER_MAX_REQUEST_MB", "50")) * 1024 * 1024
    # A form field: an import's preview sends the file back base64-encoded (4/3 of its size).
    MAX_FORM_MEMORY_SIZE = 8 * 1024 * 1024
    TRACKER_TIMEZONE = os.environ.get("TRACKER_TIMEZONE", "Asia/Bangkok")
    # Fixes "today" for the pages, reports and commands that take a date (demos, trying out a day);
    # unset in real use. The scheduler's jobs still run on the real clock.
    TRACKER_TODAY = _fixed_today()
    WTF_CSRF_TIME_LIMIT = None  # a head may keep a form open all afternoon
    TRACKER_PASSWORD_HASH = "scrypt"
    # How many reverse proxies (nginx) stand in front; 0 when the app is reached directly.
    TRACKER_PROXIES = int(os.environ.get("TRACKER_PROXIES", "0"))
    # The address reminders link to, e.g. https://ita.pichai.go.th
    TRACKER_BASE_URL = os.environ.get("TRACKER_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # Reminders: no mail server means email is off and messages wait in the in-app mailbox.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "ITA Tracker <noreply@localhost>")
    MAIL_SUPPRESS_SEND = False
    LINE_CHANNEL_ACCESS_TOKEN = os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "")
    LINE_CHANNEL_SECRET = os.environ.get("LINE_CHANNEL_SECRET", "")
    LINE_API_BASE = os.environ.get("LINE_API_BASE", "https://api.line.me")
    # The daily planning run (Bangkok time; each message then waits for its agency's send time)
    # and the outbox's retry policy.
    TRACKER_PLAN_TIME = os.environ.get("TRACKER_PLAN_TIME", "06:00")
    TRACKER_MAX_ATTEMPTS = int(os.environ.get("TRACKER_MAX_ATTEMPTS", "8"))
    # Delivery threads side by side in the scheduler, each claiming its own messages.
    TRACKER_DELIVERY_WORKERS = int(os.environ.get("TRACKER_DELIVERY_WORKERS", "4"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A login ends on the server after this many minutes without a request: 8 hours, an office
    # day, so a morning login lasts the day but a browser left open overnight is logged out.
    TRACKER_SESSION_IDLE_MINUTES = int(os.environ.get("TRACKER_SESSION_IDLE_MINUTES", "480"))
    # A head may correct or withdraw their newest progress report for this long after saving it
    # (0: never); after that a mistake is put right by a new report.
    TRACKER_REPORT_EDIT_MINUTES = int(os.environ.get("TRACKER_REPORT_EDIT_MINUTES", "60"))


class Production(Default):
    """A server: create_app refuses to start until check_production finds nothing missing."""
    TRACKER_ENV = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    TRACKER_BASE_URL = os.environ.get("TRACKER_BASE_URL", "").strip().rstrip("/")
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"


class Testing(Default):
    TRACKER_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TRACKER_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    MAIL_SERVER = ""
    LINE_CHANNEL_ACCESS_TOKEN = ""
    # Hashing strength is not under test; scrypt would make every login in the suite slow.
    TRACKER_PASSWORD_HASH = "pbkdf2:sha256:1000"


# "default" is the older name of development.
CONFIGS = {"development": Default, "default": Default, "production": Production, "testing": Testing}


def from_environment() -> type[Default]:
    """The settings class named by TRACKER_ENV (development when unset, production, testing)."""
    name = os.environ.get("TRACKER_ENV", "development").strip().lower() or "development"
    if name not in CONFIGS:
        raise RuntimeError(f"TRACKER_ENV={name!r}: use one of {', '.join(CONFIGS)}")
    return CONFIGS[name]


def check_production(settings) -> None:
    """Stop a production start-up that would run with the development secret (anyone could forge a
    session) or without the public address (every reminder's link would point at nowhere)."""
    secret = settings.get("SECRET_KEY") or ""
    if not secret or secret == DEVELOPMENT_SECRET_KEY:
        raise RuntimeError("Set SECRET_KEY for TRACKER_ENV=production (e.g. the output of "
                           "python3 -c 'import secrets; print(secrets.token_hex(32))'): without it, or with the "
                           "development value, sessions and forms cannot be protected.")
    address = urlsplit(settings.get("TRACKER_BASE_URL") or "")
    if address.scheme not in ("http", "https") or not address.hostname:
        raise RuntimeError("Set TRACKER_BASE_URL for TRACKER_ENV=production to the public address users open, "
                           "e.g. https://ita.agency.go.th: the links in reminders point there.")
