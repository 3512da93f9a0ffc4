"""ITA Tracker: turn an agency's ITA result into measures, tasks and reports."""
from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug import exceptions
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, Default, check_production, from_environment
from tracker.extensions import csrf, db, login, mail
from tracker.services.errors import Forbidden, NotFound
from tracker.transactions import commit_read_only_transaction
from tracker.web import request_input, security
from tracker.web.routing import LazyRule


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static", instance_path=str(INSTANCE_DIR))
    app.url_rule_class = LazyRule
    app.config.from_object(Default if config is not None else from_environment())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if app.config["TRACKER_ENV"] == "production":
        check_production(app.config)
    elif not app.config["SECRET_KEY"]:
        raise RuntimeError("Set SECRET_KEY: sessions and forms cannot be protected without it.")
    if app.config["TRACKER_PROXIES"]:
        # Behind nginx: the client's address (for the login limit) and scheme come from its headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRACKER_PROXIES"],
                                x_proto=app.config["TRACKER_PROXIES"])
    register_extensions(app)
    request_input.install(app)
    register_blueprints(app)
    register_errorhandlers(app)
    security.init_app(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (registers the tables)

    db.init_app(app)
    app.teardown_appcontext(commit_read_only_transaction)  # runs before the session's removal
    csrf.init_app(app)
    mail.init_app(app)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = "กรุณาเข้าสู่ระบบก่อนใช้งาน"
    login.login_message_category = "warning"

    @login.user_loader
    def load_user(session_id: str):
        # A deactivated account's open session ends at its next request, and so does one opened
        # before the password last changed (User.get_id), logged out or idle too long. Idle time is
        # real time: TRACKER_TODAY moves the pages' date, not the logins' clock.
        from tracker.models.base import utcnow
        from tracker.services import sessions
        from tracker.transactions import transaction

        with transaction():  # on its own, before the route has changed anything
            return sessions.resume(session_id, utcnow(), app.config)


def register_blueprints(app: Flask) -> None:
    from tracker.web import (
        api, api_tokens, approvals, auth, calendar, dashboard, guide, item_banks, measure_import, notify, people,
        plan, public, public_settings, readiness, reports, rollover, score_import, search, tasks,
    )

    for module in (api, api_tokens, approvals, auth, calendar, dashboard, guide, item_banks, measure_import, notify,
                   people, plan, public, public_settings, readiness, reports, rollover, score_import, search, tasks):
        app.register_blueprint(module.bp)


ERROR_MESSAGES = {
    400: "คำขอไม่ถูกต้อง",
    403: "คุณไม่มีสิทธิ์เข้าถึงหน้านี้",
    404: "ไม่พบหน้าที่ต้องการ",
    405: "ไม่รองรับวิธีการเรียกนี้",
    413: "ไฟล์ที่ส่งมีขนาดใหญ่เกินกว่าที่ระบบรับได้ กรุณาย่อขนาดไฟล์หรือส่งทีละไฟล์",
    500: "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง หากยังไม่ได้ โปรดแจ้งผู้ดูแลระบบ",
}


def register_errorhandlers(app: Flask) -> None:
    def render_error(error: HTTPException):
        code = error.code or 500
        if code == 500:
            db.session.rollback()
        message = ERROR_MESSAGES.get(code, error.description)
        if request.path.startswith("/api/"):
            return api_error(error, code, message)
        return render_template("errors/error.html", code=code, message=message), code

    def render_csrf_error(error: CSRFError):
        message = "แบบฟอร์มนี้หมดอายุหรือไม่สมบูรณ์ กรุณากลับไปโหลดหน้าใหม่แล้วส่งอีกครั้ง"
        return render_template("errors/error.html", code=400, message=message), 400

    app.register_error_handler(CSRFError, render_csrf_error)
    # A service's lookup that finds nothing, or another agency's row, is the plain 404/403 page:
    # routes let NotFound and Forbidden pass, and nothing about the row is told.
    app.register_error_handler(NotFound, lambda error: render_error(exceptions.NotFound()))
    app.register_error_handler(Forbidden, lambda error: render_error(exceptions.Forbidden()))
    for code in ERROR_MESSAGES:
        app.register_error_handler(code, render_error)


def api_error(error: HTTPException, code: int, message: str):
    """Other systems read JSON, never an HTML page; the error's own headers (Allow) stay."""
    response = jsonify(error=message)
    response.headers.extend((name, value) for name, value in error.get_headers() if name.lower() != "content-type")
    return response, code


def register_template_helpers(app: Flask) -> None:
    from tracker import thai
    from tracker.services import wording
    from tracker.models.task import STATUS_LABELS, TaskStatus
    from tracker.services import audit
    from tracker.services import access
    from tracker.web import guide, menu
    from tracker.web.common import page_url, task_link

    app.jinja_env.filters["thai_date"] = thai.format_date
    app.jinja_env.filters["thai_date_long"] = lambda value: thai.format_date(value, long=True)
    app.jinja_env.filters["thai_datetime"] = thai.format_datetime
    app.jinja_env.filters["thai_local_date"] = lambda value: thai.format_date(value and thai.local_datetime(value).date())
    app.jinja_env.filters["score"] = thai.format_score
    app.jinja_env.filters["baht"] = thai.format_baht
    app.jinja_env.filters["printed_period"] = wording.period
    app.jinja_env.filters["printed_responsible"] = wording.responsible
    app.jinja_env.filters["printed_budget"] = wording.budget
    app.jinja_env.globals["task_link"] = task_link
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["menu_links"] = menu.links
    app.jinja_env.globals["help_title"] = guide.PAGES.get
    app.jinja_env.globals["access"] = access  # a template shows what a user may do by asking access, as routes do
    app.jinja_env.globals["STATUS_LABELS"] = STATUS_LABELS
    app.jinja_env.globals["TaskStatus"] = TaskStatus
    app.jinja_env.globals["ACTION_LABELS"] = audit.ACTION_LABELS
    app.jinja_env.globals["audit_sentence"] = audit.sentence
    app.jinja_env.globals["CHANNEL_LABELS"] = {"inbox": "กล่องข้อความในระบบ", "email": "อีเมล", "line": "LINE",
                                               "webhook": "webhook"}


def register_commands(app: Flask) -> None:
    from tracker.cli import tracker_cli
    from tracker.schema import db_commands

    app.cli.add_command(tracker_cli)
    app.cli.add_command(db_commands)


def preload_for_workers(app: Flask) -> None:
    """What a web server's master loads before it forks its workers (wsgi.py under gunicorn): the
    mappers, the document writers, the URL builders and every template, compiled once here rather
    than by each worker at its first request of each page (a fifth of a second of a worker's first
    requests)."""
    from sqlalchemy.orm import configure_mappers

    from tracker.services.reports import docx, memo, xlsx  # noqa: F401  (python-docx, openpyxl)
    configure_mappers()
    for rule in app.url_map.iter_rules():
        if isinstance(rule, LazyRule):
            rule.write_builders()
    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        app.jinja_env.get_template(name)
