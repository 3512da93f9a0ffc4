from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker import clock
from tracker.services import access, analysis, dashboard, health, tasks, timeline as timelines
from tracker.web.common import agency_fiscal_years, current_fiscal_year, int_arg, require

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@login_required
def home():
    if access.can_view_dashboard(current_user):
        return redirect(url_for("dashboard.overview"))
    return redirect(url_for("tasks.mine"))


@bp.route("/dashboard")
@require(access.can_view_dashboard)
def overview():
    fiscal_year = current_fiscal_year()
    today = clock.today()
    task_filter = _task_filter()
    counted = dashboard.overview(current_user, fiscal_year, task_filter, today)
    scores = analysis.score_comparison(fiscal_year)
    return render_template(
        "dashboard/overview.html",
        fiscal_year=fiscal_year, fiscal_years=agency_fiscal_years(),
        today=today, task_filter=task_filter, by_topic=counted.by_topic, by_division=counted.by_division,
        total=counted.total, late_tasks=counted.late, recent=counted.recent,
        scores=scores,
        silent=dashboard.silent_divisions(current_user, fiscal_year, today),
        choices=tasks.filter_choices(fiscal_year),
    )


@bp.route("/dashboard/timeline")
@require(access.can_view_dashboard)
def timeline():
    fiscal_year = current_fiscal_year()
    today = clock.today()
    task_filter = _task_filter()
    return render_template(
        "dashboard/timeline.html", fiscal_year=fiscal_year, fiscal_years=agency_fiscal_years(), today=today,
        task_filter=task_filter, timeline=timelines.timeline(current_user, fiscal_year, task_filter, today),
        choices=tasks.filter_choices(fiscal_year),
    )


def _task_filter() -> tasks.TaskFilter:
    return tasks.TaskFilter(division_id=int_arg("division"), topic_id=int_arg("topic"),
                            status=request.args.get("status") or None)


@bp.route("/healthz")
def healthz():
    if not health.database_answers():
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}
