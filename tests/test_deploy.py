"""deploy/: what can be checked here of what a server runs. The units' commands run from this
checkout with the environment file's settings (production, a database of the test's own), systemd
reads the units, and nginx reads the site (when nginx is installed) and agrees with the app."""
import http.client
import json
import re
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config import BASE_DIR
from tests.conftest import BASE_DATABASE_URL, ON_POSTGRES, private_postgres_database
from tests.servers import free_port
from tracker import create_app, preload_for_workers

DEPLOY = BASE_DIR / "deploy"
INSTALL_DIR = "/opt/ita-tracker"
UNITS = ["ita-tracker-web.service", "ita-tracker-scheduler.service", "ita-tracker-backup.service",
         "ita-tracker-backup.timer"]
START_LIMIT = 60  # seconds


def env_file() -> dict[str, str]:
    """deploy/ita-tracker.env as systemd's EnvironmentFile reads it."""
    lines = (DEPLOY / "ita-tracker.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def here(text: str) -> str:
    """A unit's paths on the server, taken to this checkout and its virtualenv."""
    return text.replace(f"{INSTALL_DIR}/.venv/bin/", f"{Path(sys.executable).parent}/").replace(INSTALL_DIR,
                                                                                                  str(BASE_DIR))


def unit_command(unit: str, key: str = "ExecStart") -> list[str]:
    [line] = [line for line in (DEPLOY / unit).read_text().splitlines() if line.startswith(f"{key}=")]
    return shlex.split(here(line.split("=", 1)[1]).replace("%%", "%"))


@pytest.fixture(scope="module")
def server_environment(tmp_path_factory) -> dict[str, str]:
    """The environment file filled in as the README says, on a database built by `flask db upgrade`."""
    folder = tmp_path_factory.mktemp("server")
    database = (private_postgres_database(BASE_DATABASE_URL, "_deploy") if ON_POSTGRES
                else f"sqlite:///{folder / 'tracker.db'}")
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(folder), **env_file(),
                   "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": database,
                   "TRACKER_UPLOAD_DIR": str(folder / "uploads"), "PYTHONWARNINGS": "error"}
    migrate = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "db", "upgrade"],
                             cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=START_LIMIT)
    assert migrate.returncode == 0, migrate.stderr
    return environment


def test_the_environment_file_as_shipped_refuses_to_start_until_the_secret_key_is_set():
    environment = {"PATH": "/usr/bin:/bin", **env_file()}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=BASE_DIR, env=environment,
                            capture_output=True, text=True, timeout=START_LIMIT)
    assert result.returncode != 0
    assert "RuntimeError: Set SECRET_KEY for TRACKER_ENV=production" in result.stderr


@pytest.fixture(scope="module")
def server_settings(server_environment) -> dict:
    """The settings a process started with the environment file runs with."""
    script = ("import json; from wsgi import app; print(json.dumps({key: app.config[key] for key in "
              "('TRACKER_ENV', 'TRACKER_PROXIES', 'TRACKER_BASE_URL', 'SESSION_COOKIE_SECURE', 'MAX_CONTENT_LENGTH')}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=server_environment,
                            capture_output=True, text=True, timeout=START_LIMIT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_environment_file_gives_production_settings_behind_one_proxy(server_settings):
    assert server_settings == {
        "TRACKER_ENV": "production", "TRACKER_PROXIES": 1, "TRACKER_BASE_URL": "https://ita.example.go.th",
        "SESSION_COOKIE_SECURE": True, "MAX_CONTENT_LENGTH": 50 * 1024 * 1024}


def wait_for_health(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {START_LIMIT} s")


def stop(process: subprocess.Popen) -> tuple[int, str, str]:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, errors = process.communicate(timeout=START_LIMIT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, errors = process.communicate()
    return process.returncode, output, errors


@pytest.fixture(scope="module")
def gunicorn(server_environment):
    """The web unit's command, on a free port instead of 8000: its address."""
    port = free_port()
    command = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in unit_command("ita-tracker-web.service")]
    process = subprocess.Popen(command, cwd=BASE_DIR, env=server_environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", process)
        yield f"127.0.0.1:{port}", process
    finally:
        stop(process)


def test_the_web_unit_serves_the_app_with_the_environment_file(gunicorn):
    address, _ = gunicorn
    with urllib.request.urlopen(f"http://{address}/login", timeout=10) as response:
        assert response.status == 200 and "เข้าสู่ระบบ" in response.read().decode()


def test_the_scheduler_unit_starts_and_stops_cleanly_on_sigterm(server_environment):
    process = subprocess.Popen(unit_command("ita-tracker-scheduler.service"), cwd=BASE_DIR, env=server_environment,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "Scheduler started (Ctrl+C to stop)."
    code, _, errors = stop(process)
    # (Not "Scheduler stopped.": a SIGTERM right after the start line can come before the command
    # is ready to print it, and the exit is still clean.)
    assert code == 0, errors
    assert "Traceback" not in errors


def test_the_backup_unit_writes_the_days_backup(server_environment, tmp_path):
    command = [part.replace("/var/backups/ita-tracker", str(tmp_path)) for part in
               unit_command("ita-tracker-backup.service")]
    result = subprocess.run(command, cwd=BASE_DIR, env=server_environment, capture_output=True, text=True,
                            timeout=START_LIMIT)
    assert result.returncode == 0, result.stderr
    [backup] = tmp_path.glob("ita-tracker-*.zip")
    assert re.fullmatch(r"ita-tracker-\d{4}-\d{2}-\d{2}\.zip", backup.name)
    assert f"to {backup}" in result.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_reads_the_units_and_finds_their_commands(tmp_path):
    for unit in UNITS:
        (tmp_path / unit).write_text(here((DEPLOY / unit).read_text()))
    result = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / unit) for unit in UNITS)],
                            capture_output=True, text=True, timeout=START_LIMIT)
    assert result.returncode == 0, result.stderr
    assert "not executable" not in result.stderr and "Unknown" not in result.stderr, result.stderr


# --- nginx -----------------------------------------------------------------------------------


def site() -> str:
    return (DEPLOY / "nginx-ita-tracker.conf").read_text()


def test_nginx_takes_the_requests_the_app_takes(server_settings):
    [size] = re.findall(r"client_max_body_size (\d+)m;", site())
    assert int(size) * 1024 * 1024 == server_settings["MAX_CONTENT_LENGTH"]


def test_nginx_passes_what_the_app_reads_behind_one_proxy_and_serves_the_static_folder():
    text = site()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert env_file()["TRACKER_PROXIES"] == "1"
    [bind] = re.findall(r"--bind (\S+)", (DEPLOY / "ita-tracker-web.service").read_text())
    assert f"proxy_pass http://{bind};" in text
    [static] = re.findall(r"location /static/ \{\s*alias (\S+);", text)
    assert Path(here(static)).resolve() == Path(create_app({}).static_folder).resolve()


@pytest.fixture
def nginx_site(tmp_path, gunicorn) -> str:
    """The site on a free port with a self-signed certificate, in front of the running gunicorn,
    serving static files from this checkout: its https address."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True, timeout=START_LIMIT)
    port, address = free_port(), gunicorn[0]
    text = here(site()).replace("/etc/letsencrypt/live/ita.example.go.th/fullchain.pem", str(tmp_path / "cert.pem"))
    text = text.replace("/etc/letsencrypt/live/ita.example.go.th/privkey.pem", str(tmp_path / "key.pem"))
    text = re.sub(r"listen \[::\]:\d+[^;]*;", "", text).replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl;")
    text = text.replace("proxy_pass http://127.0.0.1:8000;", f"proxy_pass http://{address};")
    (tmp_path / "site.conf").write_text(text)
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ access_log {tmp_path}/access.log; client_body_temp_path {temp}; proxy_temp_path {temp};"
        f" fastcgi_temp_path {temp}; uwsgi_temp_path {temp}; scgi_temp_path {temp};"
        f" include {tmp_path}/site.conf; }}\n")
    command = ["nginx", "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=START_LIMIT)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_health_over_tls(f"https://127.0.0.1:{port}/healthz", process)
        yield f"https://127.0.0.1:{port}"
    finally:
        stop(process)


UNVERIFIED = ssl._create_unverified_context()  # the test's own self-signed certificate


def wait_for_health_over_tls(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_LIMIT
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            with urllib.request.urlopen(url, timeout=5, context=UNVERIFIED) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {START_LIMIT} s")


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install nginx-light)")
def test_nginx_serves_static_files_itself_and_the_app_over_tls(nginx_site, tmp_path):
    static = sorted((BASE_DIR / "static").rglob("*.css"))[0]
    name = static.relative_to(BASE_DIR / "static").as_posix()
    with urllib.request.urlopen(f"{nginx_site}/static/{name}", context=UNVERIFIED, timeout=10) as response:
        assert response.read() == static.read_bytes()
        assert response.headers["Server"].startswith("nginx") and response.headers["Expires"]
    with urllib.request.urlopen(f"{nginx_site}/login", context=UNVERIFIED, timeout=10) as response:
        assert "เข้าสู่ระบบ" in response.read().decode()
    assert too_large_a_request(nginx_site) == 413


def too_large_a_request(address: str) -> int:
    """The status nginx answers a form submission announced as 51 MB, before the body is sent."""
    host, port = address.removeprefix("https://").split(":")
    connection = http.client.HTTPSConnection(host, int(port), context=UNVERIFIED, timeout=10)
    try:
        connection.putrequest("POST", "/login")
        connection.putheader("Content-Length", str(51 * 1024 * 1024))
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_master_compiles_every_template_before_it_forks(app):
    """Under gunicorn --preload the workers inherit every template compiled (wsgi.py), so none is
    compiled at a worker's first request; a template that does not compile fails here."""
    preload_for_workers(app)
    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    compiled = {name for _loader, name in app.jinja_env.cache.keys()}
    assert len(names) > 60 and set(names) <= compiled
