"""The readiness page: each element of the criteria of the year's two documents, met or missing,
with where to fix it."""
from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from tracker.services import access, documents, ita_calendar, readiness, versions
from tracker.services.documents import KINDS, MEASURES, RESULTS
from tracker.web.common import as_of_arg, current_fiscal_year, require

bp = Blueprint("readiness", __name__)
readers = require(access.can_view_reports)


@bp.route("/reports/readiness")
@readers
def index():
    fiscal_year = current_fiscal_year()
    day = as_of_arg(fiscal_year)
    scope = readiness.results_scope(fiscal_year, day)
    results = readiness.check(fiscal_year, day, scope)
    results_year, _, results_as_of = scope
    return render_template("reports/readiness.html", fiscal_year=fiscal_year, as_of=day, results=results,
                           roles=documents.roles_for(fiscal_year), midyear=ita_calendar.midyear_end(fiscal_year),
                           results_year=results_year, results_as_of=results_as_of, RESULTS=RESULTS,
                           itas_urls=_itas_urls(fiscal_year.year, results_year, results_as_of),
                           documents=[(kind, [r for r in results if r.document == kind]) for kind in KINDS],
                           fix_url=fix_url)


ADDRESSES = {  # target: (endpoint, {the fix's id: the endpoint's argument})
    readiness.Target.TASK: ("tasks.show", {"task": "task_id"}),
    readiness.Target.MEASURE: ("plan.edit_measure", {"measure": "measure_id"}),
    readiness.Target.TOPIC: ("plan.edit_topic", {"topic": "topic_id"}),
    readiness.Target.NEW_TOPIC: ("plan.new_topic", {"fiscal_year": "fy", "item": "item"}),
    readiness.Target.NEW_MEASURE: ("plan.new_measure", {"topic": "topic_id"}),
    readiness.Target.ITA_RESULT: ("plan.result", {"fiscal_year": "fy"}),
    readiness.Target.PLAN: ("plan.index", {"fiscal_year": "fy"}),
    readiness.Target.REPORT_SETTINGS: ("reports.settings", {}),
    readiness.Target.APPROVAL_REQUEST: ("approvals.new", {"fiscal_year": "fy", "document": "doc"}),
    readiness.Target.DOCUMENT_VERSION: ("approvals.show", {"version": "version_id"}),
    readiness.Target.APPROVALS: ("approvals.index", {"fiscal_year": "fy"}),
}


def fix_url(fix: readiness.Fix) -> str:
    """The page where `fix` is made."""
    endpoint, arguments = ADDRESSES[fix.target]
    return url_for(endpoint, **{arguments[name]: value for name, value in fix.of.items()})


def _itas_urls(year: int, results_year: int, results_as_of) -> dict[str, str]:
    """What to type into ITAS for each document: its permanent public PDF address (once the agency
    has a public address)."""
    slug = current_user.organization.slug
    if not slug:
        return {}
    base = current_app.config["TRACKER_BASE_URL"].rstrip("/")
    results_round = ita_calendar.round_of_dates(*ita_calendar.fiscal_year_bounds(results_year), results_as_of).kind
    return {MEASURES: base + versions.public_path(slug, year, versions.Document(MEASURES, ""), "pdf"),
            RESULTS: base + versions.public_path(slug, results_year, versions.Document(RESULTS, results_round), "pdf")}
