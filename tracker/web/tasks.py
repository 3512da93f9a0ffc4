from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from tracker import clock, thai
from tracker.processes import apart
from tracker.models import Evidence, Task
from tracker.services import access, changes, corrections, evidence, task_export, tasks
from tracker.services.errors import EditConflict, ServiceError
from tracker.transactions import transaction
from tracker.web.common import agency_fiscal_years, current_fiscal_year, int_arg, page_arg, require
from tracker.web.request_input import read_integer
from tracker.web.task_forms import CorrectionForm, ProgressForm

bp = Blueprint("tasks", __name__)


def _task_list(template: str, task_filter: tasks.TaskFilter, **context):
    fiscal_year = current_fiscal_year()
    today = clock.today()
    return render_template(
        template, fiscal_year=fiscal_year, fiscal_years=agency_fiscal_years(), **context,
        tasks=tasks.task_page(current_user, fiscal_year, task_filter, today, page_arg()), today=today,
        task_filter=task_filter, choices=tasks.filter_choices(fiscal_year),
        filter_args=_filter_args(fiscal_year, task_filter),
    )


def _requested_filter() -> tasks.TaskFilter:
    # A head's list is their division's; a division in the URL does not narrow it to nothing.
    division_id = None if access.has_own_tasks(current_user) else int_arg("division")
    return tasks.TaskFilter(division_id=division_id, topic_id=int_arg("topic"),
                            status=request.args.get("status") or None)


def _filter_args(fiscal_year, task_filter: tasks.TaskFilter) -> dict:
    """The list's filter as URL arguments, for its export links."""
    values = {"fy": fiscal_year.year, "division": task_filter.division_id, "topic": task_filter.topic_id,
              "status": task_filter.status}
    return {name: value for name, value in values.items() if value is not None}


@bp.route("/my")
@require(access.has_own_tasks)
def mine():
    since, news, more = changes.since_seen(current_user, current_fiscal_year())
    return _task_list("tasks/mine.html", _requested_filter(), since=since, changes=news, more_changes=more)


@bp.route("/my/seen", methods=["POST"])
@require(access.has_own_tasks)
def changes_seen():
    with transaction():
        changes.mark_seen(current_user, clock.now())
    return redirect(url_for("tasks.mine", fy=int_arg("fy")))


@bp.route("/tasks")
@login_required
def index():
    if access.has_own_tasks(current_user):  # a head's whole list is their own: one page for it
        return redirect(url_for("tasks.mine", **request.args))
    return _task_list("tasks/index.html", _requested_filter())


@bp.route("/tasks/export.<fmt>")
@login_required
def export(fmt: str):
    """The list as shown, with its filter, as a CSV or Excel file."""
    if fmt not in task_export.FORMATS:
        abort(404)
    fiscal_year = current_fiscal_year()
    today = clock.today()
    rows = task_export.rows(current_user, fiscal_year, _requested_filter(), today)
    title = f"งานตามมาตรการ ITA ปีงบประมาณ พ.ศ. {fiscal_year.year} ข้อมูล ณ วันที่ {thai.format_date(today)}"
    content = task_export.write_csv(rows) if fmt == "csv" else apart(task_export.write_xlsx, rows, title)
    return send_file(BytesIO(content), mimetype=task_export.FORMATS[fmt], as_attachment=True,
                     download_name=task_export.file_name(fiscal_year, today, fmt))


def _render_task(task: Task, form: ProgressForm | None, conflict: bool = False, status: int = 200):
    history, pending = tasks.task_record(task, current_user)
    window = corrections.window(current_app.config)
    return render_template(
        "tasks/show.html", task=task, form=form, conflict=conflict, today=clock.today(),
        history=history, audit_trail=tasks.audit_trail(task, page_arg("audit_page")), correction_window=window,
        changeable=corrections.changeable(task, current_user, history, window, clock.now()),
        pending=pending if form else [],
        max_upload_mb=current_app.config["TRACKER_MAX_UPLOAD_MB"],
        allowed_types=current_app.config["TRACKER_UPLOAD_EXTENSIONS"],
    ), status


@bp.route("/tasks/<int:task_id>")
@login_required
def show(task_id: int):
    task = tasks.get_task(current_user, task_id)
    form = None
    if access.can_update_task(current_user, task):
        form = ProgressForm(status=task.status, percent=task.percent, version=task.version)
    return _render_task(task, form)


@bp.route("/tasks/<int:task_id>", methods=["POST"])
@login_required
def update(task_id: int):
    task = tasks.get_task(current_user, task_id)
    if not access.can_update_task(current_user, task):
        abort(403)
    form = ProgressForm()
    if not form.validate_on_submit():
        return _render_task(task, form, status=422)
    config = current_app.config
    try:  # saved on their own: a report refused below keeps its files, offered again on the form
        with transaction():
            files = evidence.save_uploads(task, current_user, form.files.data or [], config["TRACKER_UPLOAD_DIR"],
                                          config["TRACKER_UPLOAD_EXTENSIONS"],
                                          config["TRACKER_MAX_UPLOAD_MB"] * 1024 ** 2)
    except ServiceError as error:
        form.files.errors = [str(error)]
        return _render_task(task, form, status=422)
    files += [e for e in tasks.pending_evidence(task, current_user) if e.id in form.pending_ids()]
    try:
        with transaction():
            tasks.record_progress(task, current_user, form.report(), form.seen_version(), files, now=clock.now())
    except EditConflict:
        task = tasks.get_task(current_user, task_id)
        form.version.data = str(task.version)
        form.pending.data = ",".join(str(e.id) for e in files)
        return _render_task(task, form, conflict=True, status=409)
    except ServiceError as error:
        flash(str(error), "danger")
        return _render_task(task, form, status=422)
    minutes = current_app.config["TRACKER_REPORT_EDIT_MINUTES"]
    flash(f"บันทึกความก้าวหน้าแล้ว แก้ไขหรือถอนรายงานนี้ได้ภายใน {minutes} นาที" if minutes > 0
          else "บันทึกความก้าวหน้าแล้ว", "success")
    return redirect(url_for("tasks.show", task_id=task_id))  # not task.id: the commit expired the task


def _render_correction(update, form: CorrectionForm, conflict: bool = False, status: int = 200):
    return render_template("tasks/correct.html", task=update.task, update=update, form=form, conflict=conflict,
                           until=update.created_at + corrections.window(current_app.config)), status


@bp.route("/reports/<int:update_id>/edit")
@login_required
def correction(update_id: int):
    update = corrections.get_report(current_user, update_id)
    try:
        task = corrections.ensure_changeable(update, current_user, corrections.window(current_app.config), clock.now())
    except ServiceError as error:
        flash(str(error), "danger")
        return redirect(url_for("tasks.show", task_id=update.task_id, _anchor="history"))
    return _render_correction(update, CorrectionForm(obj=update, version=task.version))


@bp.route("/reports/<int:update_id>/edit", methods=["POST"])
@login_required
def correct(update_id: int):
    update = corrections.get_report(current_user, update_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _render_correction(update, form, status=422)
    task_id = update.task_id
    try:
        with transaction():
            changed = corrections.correct(update, current_user, form.report(), form.seen_version(),
                                          corrections.window(current_app.config), clock.now())
    except EditConflict as conflict:
        form.version.data = str(conflict.task.version)
        return _render_correction(corrections.get_report(current_user, update_id), form, conflict=True, status=409)
    except ServiceError as error:
        flash(str(error), "danger")
        return redirect(url_for("tasks.show", task_id=task_id, _anchor="history"))
    flash("แก้ไขรายงานแล้ว (ประวัติยังเก็บฉบับเดิมไว้)" if changed else "ไม่มีอะไรเปลี่ยน รายงานยังเป็นเหมือนเดิม",
          "success")
    return redirect(url_for("tasks.show", task_id=task_id, _anchor=f"update-{update_id}"))


@bp.route("/reports/<int:update_id>/withdraw", methods=["POST"])
@login_required
def withdraw(update_id: int):
    update = corrections.get_report(current_user, update_id)
    task_id = update.task_id
    try:
        with transaction():
            corrections.withdraw(update, current_user, read_integer(request.form.get("version")) or 0,
                                 corrections.window(current_app.config), clock.now())
    except EditConflict:
        flash("มีผู้อื่นบันทึกงานนี้ไปแล้วหลังจากที่คุณเปิดหน้านี้ รายงานยังไม่ถูกถอน กรุณาดูรายการล่าสุดแล้วลองอีกครั้ง",
              "danger")
    except ServiceError as error:
        flash(str(error), "danger")
    else:
        flash("ถอนรายงานแล้ว งานกลับไปเป็นตามรายงานก่อนหน้า (ประวัติยังแสดงรายงานที่ถอน)", "success")
    return redirect(url_for("tasks.show", task_id=task_id, _anchor="history"))


@bp.route("/evidence/<int:evidence_id>/public", methods=["POST"])
@login_required
def evidence_visibility(evidence_id: int):
    public = request.form.get("public") == "1"
    with transaction():
        item = tasks.set_evidence_public(current_user, evidence_id, public)
    flash("เผยแพร่หลักฐานในหน้าสาธารณะแล้ว" if public else "เลิกเผยแพร่หลักฐานในหน้าสาธารณะแล้ว", "success")
    return redirect(url_for("tasks.show", task_id=item.task_id, _anchor="history"))


@bp.route("/evidence/<int:evidence_id>")
@login_required
def evidence_file(evidence_id: int):
    item = access.get_owned(current_user, Evidence, evidence_id)
    tasks.get_task(current_user, item.task_id)
    if not item.is_file:
        return redirect(item.url)
    path = evidence.file_path(item, current_app.config["TRACKER_UPLOAD_DIR"])
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=evidence.served_type(item), download_name=item.filename,
                     as_attachment=not evidence.shows_inline(item))
