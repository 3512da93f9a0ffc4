from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from tracker import clock
from tracker.models import AssessmentItem, Division, FiscalYear, Measure, Topic
from tracker.services import access, analysis, approvals, plan, wording
from tracker.services.errors import ServiceError
from tracker.transactions import transaction
from tracker.web.common import agency_fiscal_years, current_fiscal_year, int_arg, require
from tracker.web.plan_forms import DivisionForm, MeasureForm, ThresholdForm, TopicForm
from tracker.web.request_input import read_integer

bp = Blueprint("plan", __name__, url_prefix="/plan")
coordinator_only = require(access.can_edit_plan)
division_managers = require(access.can_manage_divisions)


def _owned(model, object_id: int):
    return access.get_owned(current_user, model, object_id)


def _back_to_plan(fiscal_year_number: int, anchor: str | None = None):
    """The plan page, at the topic or measure just saved (`anchor`, e.g. "measure-12")."""
    return redirect(url_for("plan.index", fy=fiscal_year_number, _anchor=anchor))


@bp.route("/")
@login_required
def index():
    fiscal_year = current_fiscal_year()
    return render_template("plan/index.html", fiscal_year=fiscal_year,
                           fiscal_years=agency_fiscal_years(),
                           topics=plan.plan_topics(fiscal_year), can_edit=access.can_edit_plan(current_user),
                           changed=approvals.plan_changed_since_approval(fiscal_year, clock.today()))


@bp.route("/result")
@login_required
def result():
    fiscal_year = current_fiscal_year()
    return render_template("plan/result.html", fiscal_year=fiscal_year, items=plan.assessment_items(fiscal_year))


# --- analysis of the ITA result ---

def _analysis_page(fiscal_year: FiscalYear, form: ThresholdForm | None):
    return render_template("plan/analysis.html", fiscal_year=fiscal_year, analysis=analysis.analyse(fiscal_year),
                           fiscal_years=agency_fiscal_years(), form=form,
                           can_edit=access.can_edit_plan(current_user))


@bp.route("/analysis", endpoint="analysis")
@login_required
def show_analysis():
    fiscal_year = current_fiscal_year()
    form = None
    if access.can_edit_plan(current_user) and fiscal_year.assessment_year:
        form = ThresholdForm(obj=fiscal_year.assessment_year)
    return _analysis_page(fiscal_year, form)


@bp.route("/analysis/thresholds", methods=["POST"])
@coordinator_only
def thresholds():
    fiscal_year = current_fiscal_year()
    if fiscal_year.assessment_year is None:
        abort(404)
    form = ThresholdForm()
    if form.validate_on_submit():  # the form holds each mark to 0–100, as the service does
        with transaction():
            analysis.set_thresholds(fiscal_year.assessment_year, form.marks(), current_user)
        flash("บันทึกเกณฑ์แล้ว หน้ามาตรการ ผลการประเมิน และการวิเคราะห์ใช้เกณฑ์ใหม่นี้", "success")
        return redirect(url_for("plan.analysis", fy=fiscal_year.year))
    return _analysis_page(fiscal_year, form)


# --- topics ---

def _topic_form(fiscal_year, topic: Topic | None = None) -> TopicForm:
    form = TopicForm(obj=topic)
    form.item_ids.choices = [SelectChoice(item.id, f"{item.code} {item.title}")
                             for item in plan.assessment_items(fiscal_year)]
    if topic is not None and not form.is_submitted():
        form.item_ids.data = [item.id for item in topic.items]
    return form


def _topic_input(form: TopicForm) -> plan.TopicInput:
    return plan.TopicInput(number=form.number.data, title=form.title.data.strip(),
                           analysis=(form.analysis.data or "").strip(), item_ids=form.item_ids.data or [])


def _item_to_take_up(fiscal_year: FiscalYear) -> AssessmentItem | None:
    """The item of ?item=ID, which must belong to the year's ITA result."""
    item_id = int_arg("item")
    if item_id is None:
        return None
    item = _owned(AssessmentItem, item_id)
    if item.assessment_year_id != fiscal_year.assessment_year_id:
        abort(404)
    return item


def _propose(form: TopicForm, proposal: plan.TopicInput) -> None:
    form.number.data, form.title.data, form.analysis.data = proposal.number, proposal.title, proposal.analysis
    form.item_ids.data = proposal.item_ids


@bp.route("/topics/new", methods=["GET", "POST"])
@coordinator_only
def new_topic():
    fiscal_year = current_fiscal_year()
    item = _item_to_take_up(fiscal_year)
    form = _topic_form(fiscal_year)
    if item is not None and not form.is_submitted():
        _propose(form, analysis.proposed_topic(fiscal_year, item))
    if form.validate_on_submit():
        try:
            with transaction():
                topic = plan.create_topic(fiscal_year, _topic_input(form), current_user)
            if item is not None:  # started from the analysis: go on to the measure for the item
                flash(f"เพิ่มประเด็นแล้ว เพิ่มมาตรการสำหรับข้อ {item.code} ต่อได้เลย", "success")
                return redirect(url_for("plan.new_measure", topic_id=topic.id))
            flash("เพิ่มประเด็นแล้ว", "success")
            return _back_to_plan(fiscal_year.year, f"topic-{topic.id}")
        except ServiceError as error:
            form.number.errors.append(str(error))
    return render_template("plan/topic_form.html", form=form, fiscal_year=fiscal_year, topic=None, item=item)


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@coordinator_only
def edit_topic(topic_id: int):
    topic = _owned(Topic, topic_id)
    form = _topic_form(topic.fiscal_year, topic)
    if form.validate_on_submit():
        try:
            with transaction():
                plan.update_topic(topic, _topic_input(form), current_user)
            flash("บันทึกประเด็นแล้ว", "success")
            return _back_to_plan(topic.fiscal_year.year, f"topic-{topic.id}")
        except ServiceError as error:
            form.number.errors.append(str(error))
    return render_template("plan/topic_form.html", form=form, fiscal_year=topic.fiscal_year, topic=topic, item=None)


@bp.route("/topics/<int:topic_id>/delete", methods=["POST"])
@coordinator_only
def delete_topic(topic_id: int):
    topic = _owned(Topic, topic_id)
    year = topic.fiscal_year.year
    try:
        with transaction():
            plan.delete_topic(topic, current_user)
        flash("ลบประเด็นแล้ว", "success")
    except ServiceError as error:
        flash(str(error), "danger")
    return _back_to_plan(year)


# --- measures ---

def _printed(measure: Measure) -> dict:
    """What the documents print from the saved data, beside the coordinator's own wording."""
    names = [d.name for d in plan.divisions(current_user.organization_id)]
    return {"period": wording.generated_period(measure), "responsible": wording.generated_responsible(measure),
            "period_matches": wording.period_matches(measure),
            "responsible_matches": wording.responsible_matches(measure, names)}


def _measure_form(fiscal_year, measure: Measure | None = None) -> MeasureForm:
    form = MeasureForm(fiscal_year, obj=measure)
    form.division_ids.choices = [SelectChoice(d.id, d.name) for d in plan.divisions(current_user.organization_id)]
    if measure is not None and not form.is_submitted():
        form.division_ids.data = [d.id for d in measure.divisions]
        form.steps.data = "\n".join(step.text for step in measure.steps)
    return form


def _measure_input(form: MeasureForm) -> plan.MeasureInput:
    return plan.MeasureInput(
        title=form.title.data.strip(), details=(form.details.data or "").strip(), steps=form.step_list(),
        start_date=form.start_date.data, end_date=form.end_date.data,
        period_text=(form.period_text.data or "").strip(),
        all_divisions=form.all_divisions.data, division_ids=form.division_ids.data or [],
        responsible_text=(form.responsible_text.data or "").strip(),
        budget_amount=form.budget_amount.data, no_budget=form.no_budget.data,
        indicator=(form.indicator.data or "").strip(), target=(form.target.data or "").strip(),
    )


@bp.route("/topics/<int:topic_id>/measures/new", methods=["GET", "POST"])
@coordinator_only
def new_measure(topic_id: int):
    topic = _owned(Topic, topic_id)
    form = _measure_form(topic.fiscal_year)
    if not form.is_submitted():
        form.start_date.data, form.end_date.data = topic.fiscal_year.start_date, topic.fiscal_year.end_date
    if form.validate_on_submit():
        try:
            with transaction():
                measure = plan.create_measure(topic, _measure_input(form), current_user)
            flash("เพิ่มมาตรการแล้ว ระบบสร้างงานให้กองผู้รับผิดชอบแล้ว", "success")
            return _back_to_plan(topic.fiscal_year.year, f"measure-{measure.id}")
        except ServiceError as error:
            form.title.errors.append(str(error))
    return render_template("plan/measure_form.html", form=form, topic=topic, measure=None)


@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@coordinator_only
def edit_measure(measure_id: int):
    measure = _owned(Measure, measure_id)
    form = _measure_form(measure.topic.fiscal_year, measure)
    if form.validate_on_submit():
        try:
            with transaction():
                plan.update_measure(measure, _measure_input(form), current_user)
            flash("บันทึกมาตรการแล้ว", "success")
            return _back_to_plan(measure.topic.fiscal_year.year, f"measure-{measure.id}")
        except ServiceError as error:
            form.title.errors.append(str(error))
    return render_template("plan/measure_form.html", form=form, topic=measure.topic, measure=measure,
                           printed=_printed(measure),
                           other_topics=[t for t in measure.topic.fiscal_year.topics if t.id != measure.topic_id])


@bp.route("/measures/<int:measure_id>/move", methods=["POST"])
@coordinator_only
def move_measure(measure_id: int):
    measure = _owned(Measure, measure_id)
    topic_id = read_integer(request.form.get("topic_id"))
    if topic_id is None:
        abort(400)
    topic = _owned(Topic, topic_id)
    try:
        with transaction():
            plan.move_measure(measure, topic, current_user)
        flash(f"ย้ายมาตรการไปประเด็น ({topic.number}) {topic.title} แล้ว", "success")
    except ServiceError as error:
        flash(str(error), "danger")
        return redirect(url_for("plan.edit_measure", measure_id=measure.id))
    return _back_to_plan(measure.topic.fiscal_year.year, f"measure-{measure.id}")


@bp.route("/measures/<int:measure_id>/delete", methods=["POST"])
@coordinator_only
def delete_measure(measure_id: int):
    measure = _owned(Measure, measure_id)
    year, topic_id = measure.topic.fiscal_year.year, measure.topic_id
    try:
        with transaction():
            plan.delete_measure(measure, current_user)
        flash("ลบมาตรการแล้ว", "success")
    except ServiceError as error:
        flash(str(error), "danger")
        return _back_to_plan(year, f"measure-{measure.id}")
    return _back_to_plan(year, f"topic-{topic_id}")


# --- divisions ---

@bp.route("/divisions", methods=["GET", "POST"])
@division_managers
def divisions():
    form = DivisionForm()
    if form.validate_on_submit():
        try:
            with transaction():
                division = plan.create_division(current_user.organization_id, form.name.data.strip(), current_user,
                                                clock.today())
            flash("เพิ่มกองแล้ว งานของมาตรการ “ทุกกอง” ที่ยังดำเนินอยู่ถูกสร้างให้กองนี้แล้ว", "success")
            return redirect(url_for("plan.divisions", _anchor=f"division-{division.id}"))
        except ServiceError as error:
            form.name.errors.append(str(error))
    return render_template("plan/divisions.html", form=form,
                           divisions=plan.divisions(current_user.organization_id, include_inactive=True))


@bp.route("/divisions/<int:division_id>/edit", methods=["GET", "POST"])
@division_managers
def edit_division(division_id: int):
    division = _owned(Division, division_id)
    form = DivisionForm(obj=division)
    if form.validate_on_submit():
        try:
            with transaction():
                plan.rename_division(division, form.name.data.strip(), current_user)
            flash("บันทึกชื่อกองแล้ว", "success")
            return redirect(url_for("plan.divisions", _anchor=f"division-{division.id}"))
        except ServiceError as error:
            form.name.errors.append(str(error))
    return render_template("plan/division_form.html", form=form, division=division)


@bp.route("/divisions/<int:division_id>/delete", methods=["POST"])
@division_managers
def delete_division(division_id: int):
    division = _owned(Division, division_id)
    with transaction():
        plan.remove_division(division, current_user, clock.today())
    flash("นำกองออกแล้ว (งานและประวัติของกองเดิมยังเก็บไว้)", "success")
    return redirect(url_for("plan.divisions"))
