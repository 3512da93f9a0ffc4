"""The readiness page: each element of the O34 and O35 criteria, met or missing, with where to fix it."""
from flask import Blueprint, flash, render_template, request

from tracker import clock, thai
from tracker.services import access, readiness
from tracker.services.reports import compile as reports
from tracker.web.common import current_fiscal_year, require

bp = Blueprint("readiness", __name__)
readers = require(access.can_view_dashboard)


@bp.route("/reports/readiness")
@readers
def index():
    fiscal_year = current_fiscal_year()
    text = request.args.get("as_of", "")
    try:
        day = thai.parse_date(text) if text else clock.today()
    except ValueError:
        flash("อ่านวันที่ไม่ได้ ใช้วันนี้แทน ตัวอย่าง: 31 มี.ค. 2568", "warning")
        day = clock.today()
    day = min(max(day, fiscal_year.start_date), fiscal_year.end_date)
    results = readiness.check(fiscal_year, day)
    return render_template("reports/readiness.html", fiscal_year=fiscal_year, as_of=day, results=results,
                           midyear=reports.midyear_as_of(fiscal_year),
                           documents=[(kind, [r for r in results if r.document == kind]) for kind in ("o34", "o35")])
