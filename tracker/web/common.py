"""What every blueprint needs: role guards, the fiscal year in the URL, imports' previews, PDF refreshes."""
import base64
import binascii
from functools import wraps
from urllib.parse import quote_plus

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from markupsafe import Markup
from flask_login import current_user, login_required

from tracker import clock
from tracker.models import FiscalYear
from tracker.services import access, ita_calendar, plan
from tracker.services.errors import NotFound, ServiceError
from tracker.transactions import transaction
from tracker.web.request_input import read_integer


def require(check):
    """Log in, then pass `check(current_user)` or answer 403."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def int_arg(name: str) -> int | None:
    """?name= as a whole number; what is not one, or is beyond the database's range, is ignored."""
    return read_integer(request.args.get(name))


MAX_PAGE = 100_000  # a page number past any list: kept small enough for the database's OFFSET


def page_arg(name: str = "page") -> int:
    """?page= (or another name) as a page number from 1."""
    return min(max(int_arg(name) or 1, 1), MAX_PAGE)


def page_url(number: int, arg: str = "page", anchor: str | None = None) -> str:
    """This page's address with another page of its list: every other argument (filters, sort) kept."""
    args = request.args.to_dict() | {arg: number}
    return url_for(request.endpoint, **(request.view_args or {}), **args, _anchor=anchor)


def current_fiscal_year() -> FiscalYear:
    """The fiscal year named by ?fy=2568, else the one under way, else the newest. An agency that has
    none yet (a new installation) is sent to start its first one, or told that the coordinator has to."""
    year = int_arg("fy")
    try:
        return plan.choose_fiscal_year(agency_fiscal_years(), year, clock.today())
    except NotFound:
        if year is not None or agency_fiscal_years():
            abort(404)
    if access.can_edit_plan(current_user):
        abort(redirect(url_for("rollover.start")))
    abort(make_response(render_template("errors/error.html", code=None, message=NO_FISCAL_YEAR), 200))


def agency_fiscal_years() -> list[FiscalYear]:
    """The user's agency's fiscal years, newest first: read once a request for the year chosen and
    the year picker."""
    if "fiscal_years" not in g:
        g.fiscal_years = plan.fiscal_years(current_user.organization_id)
    return g.fiscal_years


NO_FISCAL_YEAR = ("หน่วยงานยังไม่ได้เริ่มปีงบประมาณในระบบ ผู้ประสานงาน ITA ต้องเริ่มปีงบประมาณและจัดทำมาตรการก่อน "
                  "จึงจะมีงานให้ติดตาม")


def posted_file(max_bytes: int) -> tuple[str, bytes] | None:
    """The uploaded file (read up to one byte past the limit, so that the service can refuse it), or
    the one a preview page carried over in its hidden `filename` and base64 `content` fields. The
    confirmation re-reads and re-checks those bytes from scratch, so a changed field can do no more
    than a new upload could, and nothing is kept on the server between the two requests."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.filename, upload.stream.read(max_bytes + 1)
    content, filename = request.form.get("content", ""), request.form.get("filename", "")
    if content and filename:
        try:
            return filename, base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


def check_and_confirm(max_bytes: int, no_file: str, check, save, render, done):
    """An import's POST: check the posted file and show its preview; when the preview page's
    confirmation comes back with the same file, check it again and, if it is good, save it.
    `check(filename, data)` returns a preview with `.ok`; `save(preview)` saves it and returns the
    Thai success message, or raises ServiceError; `render(**context)` draws the page; `done` is the
    response after saving."""
    posted = posted_file(max_bytes)
    if posted is None:
        return render(file_error=no_file)
    filename, data = posted
    preview = check(filename, data)
    if request.form.get("confirm") and preview.ok:
        try:
            with transaction():
                message = save(preview)
        except ServiceError as error:
            flash(str(error), "danger")
        else:
            flash(message, "success")
            return done
    return render(preview=preview, filename=filename, content=base64.b64encode(data).decode("ascii"))


def as_of_arg(fiscal_year: FiscalYear):
    """?as_of= in Thai or ISO; by default today; kept inside the fiscal year (ita_calendar rules)."""
    day, read = ita_calendar.read_as_of(request.args.get("as_of", ""), clock.today())
    if not read:
        flash(f"อ่านวันที่ไม่ได้ ใช้วันนี้แทน ตัวอย่าง: {ita_calendar.AS_OF_EXAMPLE}", "warning")
    return ita_calendar.within(fiscal_year, day)


PDF_REFRESH_SECONDS = 3  # how soon a page waiting for a PDF made in the background looks again


def refreshed_while(waiting: bool, response, url: str | None = None):
    """A page that shows a PDF being made loads itself again (at `url`, else its own address) until
    it is made: a Refresh header, as the CSP allows no inline script."""
    if waiting:
        response.headers["Refresh"] = f"{PDF_REFRESH_SECONDS}; url={url}" if url else str(PDF_REFRESH_SECONDS)
    return response


def task_list_url(year: int, status: str | None = None, division: int | None = None, topic: int | None = None) -> str:
    """url_for("tasks.index", fy=…, status=…, division=…, topic=…) for the dashboard's hundred count
    links: the list's path is built once a request, the query string by hand (url_for, then
    urlencode, took a tenth of the page)."""
    if "task_list_path" not in g:
        g.task_list_path = url_for("tasks.index")
    url = f"{g.task_list_path}?fy={int(year)}"
    if status is not None:
        url += f"&status={quote_plus(status)}"
    if division is not None:
        url += f"&division={int(division)}"
    if topic is not None:
        url += f"&topic={int(topic)}"
    return url


def task_link(fiscal_year: FiscalYear, count: int, status: str | None = None, division: int | None = None,
              topic: int | None = None) -> Markup:
    """A count that opens the list of the tasks it counts; a zero is no link. A function rather than
    a macro: the dashboard shows a hundred."""
    if not count:
        return Markup('<span class="zero">0</span>')
    return Markup('<a href="') + task_list_url(fiscal_year.year, status, division, topic) + Markup('">') + str(
        int(count)) + Markup("</a>")  # Markup + str escapes the str
