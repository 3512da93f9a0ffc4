import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from tracker import clock
from tracker.extensions import csrf
from tracker.models import Delivery, DeliveryStatus, User
from tracker.services import access, messages, outbox, preferences, reminders, users
from tracker.services.errors import ServiceError
from tracker.thai import BE_OFFSET, format_date, format_numeric_date
from tracker.transactions import transaction
from tracker.web.calendar import feed_url
from tracker.web.common import page_arg, require
from tracker.web.notify_forms import PreferenceForm, ReminderSettingsForm, TestMessageForm

bp = Blueprint("notify", __name__)
coordinator_only = require(access.can_manage_notifications)
PAGE_SIZE = 50


@bp.route("/notify/settings", methods=["GET", "POST"])
@coordinator_only
def settings():
    organization_id = current_user.organization_id
    reminder_settings = reminders.settings_for(organization_id)
    form = ReminderSettingsForm(obj=reminder_settings)
    if not form.is_submitted():
        form.holidays.data = "\n".join(f"{format_numeric_date(h.day)} {h.name}".strip()
                                       for h in preferences.list_holidays(organization_id))
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in preferences.SETTINGS_FIELDS}
        values["due_days_before"] = ",".join(str(d) for d in reminder_settings.day_list(values["due_days_before"]))
        values["report_days_before"] = ",".join(
            str(d) for d in reminder_settings.day_list(values["report_days_before"]))
        with transaction():
            preferences.update_settings(reminder_settings, values, current_user)
            preferences.replace_holidays(organization_id, form.holiday_list(), current_user)
        flash("บันทึกการตั้งค่าการแจ้งเตือนแล้ว", "success")
        return redirect(url_for("notify.settings"))
    return render_template("notify/settings.html", form=form, mail_ready=bool(current_app.config["MAIL_SERVER"]),
                           line_ready=bool(current_app.config["LINE_CHANNEL_ACCESS_TOKEN"]))


@bp.route("/notify/holidays/standard", methods=["POST"])
@coordinator_only
def standard_holidays():
    """Add this calendar year's and next year's government holidays as the product ships them."""
    year = clock.today().year + BE_OFFSET
    with transaction():
        added = preferences.add_shipped_holidays(current_user.organization_id, [year, year + 1], current_user)
    to_verify = [format_date(holiday.day) + " " + holiday.name for holiday in added if holiday.to_verify]
    message = f"เพิ่มวันหยุดราชการปี {year}–{year + 1} แล้ว {len(added)} วัน" if added else \
        f"มีวันหยุดราชการปี {year}–{year + 1} ครบตามรายการของระบบแล้ว"
    if to_verify:
        message += " โปรดตรวจวันหยุดทางจันทรคติกับประกาศคณะรัฐมนตรี: " + ", ".join(to_verify)
    flash(message + " วันหยุดชดเชยและวันหยุดพิเศษ เพิ่มเองตามประกาศแต่ละปี", "success")
    return redirect(url_for("notify.settings", _anchor="holidays"))


@bp.route("/notify/deliveries")
@coordinator_only
def deliveries():
    status, channel = request.args.get("status") or None, request.args.get("channel") or None
    page = messages.log(current_user.organization_id, status, channel, page_arg(), PAGE_SIZE)
    form = TestMessageForm()
    form.user_id.choices = [SelectChoice(u.id, f"{u.name} ({u.email})") for u in users.active_users(
        current_user.organization_id)]
    return render_template("notify/deliveries.html", page=page, status=status, channel=channel, form=form,
                           statuses=list(DeliveryStatus))


@bp.route("/notify/deliveries/<int:delivery_id>")
@login_required
def delivery(delivery_id: int):
    item = access.get_owned(current_user, Delivery, delivery_id)
    if not access.can_view_delivery(current_user, item):
        abort(403)
    with transaction():
        messages.opened(item, current_user, clock.now())
    text, preview = outbox.text_of(item, current_app.config, clock.now())
    return render_template("notify/delivery.html", delivery=item, text=text, preview=preview)


@bp.route("/notify/deliveries/<int:delivery_id>/resend", methods=["POST"])
@coordinator_only
def resend(delivery_id: int):
    item = access.get_owned(current_user, Delivery, delivery_id)
    with transaction():
        outbox.resend(item, clock.now())
    flash("ส่งเข้าคิวอีกครั้งแล้ว ระบบจะส่งภายในไม่กี่นาที", "success")
    return redirect(request.referrer or url_for("notify.deliveries"))


@bp.route("/notify/test", methods=["POST"])
@coordinator_only
def test_message():
    form = TestMessageForm()
    form.user_id.choices = [SelectChoice(u.id, u.name) for u in users.active_users(current_user.organization_id)]
    if not form.validate_on_submit():
        abort(400)
    recipient = access.get_owned(current_user, User, form.user_id.data)
    with transaction():
        queued = preferences.send_test_message(recipient, current_app.config, clock.now())
    if queued:
        flash(f"ส่งข้อความทดสอบถึง {recipient.name} เข้าคิวแล้ว {queued} ช่องทาง", "success")
    else:
        flash(f"{recipient.name} ปิดรับการแจ้งเตือนทุกช่องทาง จึงไม่มีข้อความทดสอบ", "warning")
    return redirect(url_for("notify.deliveries"))


@bp.route("/inbox")
@login_required
def inbox():
    return render_template("notify/inbox.html", messages=messages.inbox(current_user))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    with transaction():  # made on the first visit
        preference = preferences.preference_for(current_user)
    form = PreferenceForm(obj=preference)
    if form.validate_on_submit():
        try:
            with transaction():
                preferences.update_preference(current_user, preferences.PreferenceInput(
                    email_enabled=form.email_enabled.data, line_enabled=form.line_enabled.data,
                    webhook_enabled=form.webhook_enabled.data, webhook_url=(form.webhook_url.data or "").strip(),
                    opted_out=form.opted_out.data))
            flash("บันทึกช่องทางการแจ้งเตือนแล้ว", "success")
            return redirect(url_for("notify.profile"))
        except ServiceError as error:
            form.webhook_url.errors.append(str(error))
    return render_template("notify/profile.html", form=form, preference=preference, now=clock.now(),
                           calendar_url=feed_url(current_user),
                           mail_ready=bool(current_app.config["MAIL_SERVER"]),
                           line_ready=bool(current_app.config["LINE_CHANNEL_ACCESS_TOKEN"]))


@bp.route("/profile/line-code", methods=["POST"])
@login_required
def line_code():
    with transaction():
        preferences.new_line_link_code(current_user, clock.now())
    return redirect(url_for("notify.profile") + "#line")


@bp.route("/profile/line-unlink", methods=["POST"])
@login_required
def line_unlink():
    with transaction():
        preferences.unlink_line(current_user)
    flash("ยกเลิกการเชื่อมบัญชี LINE แล้ว", "success")
    return redirect(url_for("notify.profile"))


@bp.route("/line/webhook", methods=["POST"])
@csrf.exempt
def line_webhook():
    """The LINE Official Account's webhook: a signed list of events."""
    body = request.get_data()
    if not preferences.valid_line_signature(body, request.headers.get("X-Line-Signature", ""),
                                            current_app.config["LINE_CHANNEL_SECRET"]):
        abort(400)
    try:
        events = json.loads(body).get("events", [])
    except (ValueError, AttributeError):
        abort(400)
    with transaction():
        preferences.link_line_accounts(events, clock.now())
    return {"status": "ok"}
