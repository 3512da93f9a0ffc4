"""The readiness page: each element of the criteria of the year's two documents, met or missing,
with where to fix it."""
from flask import Blueprint, render_template

from tracker.services import access, documents, ita_calendar, readiness
from tracker.services.documents import KINDS, RESULTS
from tracker.web.common import as_of_arg, current_fiscal_year, require

bp = Blueprint("readiness", __name__)
readers = require(access.can_view_dashboard)


@bp.route("/reports/readiness")
@readers
def index():
    fiscal_year = current_fiscal_year()
    day = as_of_arg(fiscal_year)
    results = readiness.check(fiscal_year, day)
    results_year, _, results_as_of = readiness.results_scope(fiscal_year, day)
    return render_template("reports/readiness.html", fiscal_year=fiscal_year, as_of=day, results=results,
                           roles=documents.roles_for(fiscal_year), midyear=ita_calendar.midyear_end(fiscal_year),
                           results_year=results_year, results_as_of=results_as_of, RESULTS=RESULTS,
                           documents=[(kind, [r for r in results if r.document == kind]) for kind in KINDS])
