"""Settings classes. Every setting reads an environment variable with a safe default."""
import os
from pathlib import Path

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


class Default:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    TRACKER_UPLOAD_DIR = os.environ.get("TRACKER_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    TRACKER_MAX_UPLOAD_MB = int(os.environ.get("TRACKER_MAX_UPLOAD_MB", "10"))
    TRACKER_UPLOAD_EXTENSIONS = (
        "pdf", "jpg", "jpeg", "png", "gif", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv", "zip",
    )
    # Whole request: several evidence files at once.
    MAX_CONTENT_LENGTH = int(os.environ.get("TRACKER_MAX_REQUEST_MB", "50")) * 1024 * 1024
    TRACKER_TIMEZONE = os.environ.get("TRACKER_TIMEZONE", "Asia/Bangkok")
    WTF_CSRF_TIME_LIMIT = None  # a head may keep a form open all afternoon
    TRACKER_PASSWORD_HASH = "scrypt"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"


class Development(Default):
    DEBUG = True


class Production(Default):
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"


class Testing(Default):
    TESTING = True
    SECRET_KEY = "testing"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TRACKER_TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    # Hashing strength is not under test; scrypt would make every login in the suite slow.
    TRACKER_PASSWORD_HASH = "pbkdf2:sha256:1000"


CONFIGS = {"default": Default, "development": Development, "production": Production, "testing": Testing}


def from_environment() -> type[Default]:
    """The settings class named by TRACKER_ENV (default, development, production)."""
    name = os.environ.get("TRACKER_ENV", "default").lower()
    if name not in CONFIGS:
        raise RuntimeError(f"TRACKER_ENV={name!r}: use one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
