"""The private calendar feed: served to whoever holds its secret address (calendar apps cannot log
in), and renewed by its owner from their settings page."""
from flask import Blueprint, abort, current_app, flash, make_response, redirect, url_for
from flask_login import current_user, login_required

from tracker import clock
from tracker.models import User
from tracker.services import calendar_feed
from tracker.transactions import transaction

bp = Blueprint("calendar", __name__)


def feed_url(user: User) -> str | None:
    """The feed's absolute address (TRACKER_BASE_URL), or None before the user has made one."""
    if not user.calendar_token:
        return None
    return f"{current_app.config['TRACKER_BASE_URL']}/calendar/{user.calendar_token}.ics"


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    user = calendar_feed.user_of_token(token)
    if user is None:
        abort(404)
    with transaction():  # the agency's reminder settings row, if this was its first use
        body = calendar_feed.feed(user, clock.today(), current_app.config["TRACKER_BASE_URL"], clock.now())
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="ita-tracker.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/profile/calendar", methods=["POST"])
@login_required
def renew():
    with transaction():
        calendar_feed.renew_token(current_user)
    flash("สร้างที่อยู่ปฏิทินใหม่แล้ว ที่อยู่เดิม (ถ้ามี) ใช้ไม่ได้อีกต่อไป", "success")
    return redirect(url_for("notify.profile") + "#calendar")
