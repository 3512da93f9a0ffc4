"""The coordinator's API tokens: make one (shown once), see when each was last used, revoke."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker import clock
from tracker.services import access, api_tokens
from tracker.services.errors import ServiceError
from tracker.transactions import transaction
from tracker.web.common import require
from tracker.web.fields import Form, StringField, max_length, required

bp = Blueprint("api_tokens", __name__)
coordinator_only = require(access.can_manage_api_tokens)


class ApiTokenForm(Form):
    name = StringField("ชื่อโทเค็น", validators=[required(api_tokens.NO_NAME), max_length(200)])


def _page(form: ApiTokenForm, new_token: str | None = None):
    return render_template("people/api_tokens.html", form=form, new_token=new_token,
                           tokens=api_tokens.list_tokens(current_user.organization_id))


@bp.route("/people/api-tokens", methods=["GET", "POST"])
@coordinator_only
def index():
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            with transaction():
                _, plain = api_tokens.create(current_user.organization_id, form.name.data, current_user, clock.now())
        except ServiceError as error:
            form.name.errors.append(str(error))
        else:
            # Shown on this answer only: never stored, never put in the session or a redirect.
            return _page(ApiTokenForm(formdata=None), plain)
    return _page(form)


@bp.route("/people/api-tokens/<int:token_id>/revoke", methods=["POST"])
@coordinator_only
def revoke(token_id: int):
    token = api_tokens.get_token(current_user.organization_id, token_id)
    with transaction():
        api_tokens.revoke(token, current_user, clock.now())
    flash(f"ยกเลิกโทเค็น {token.name} แล้ว ระบบที่ใช้โทเค็นนี้จะอ่านข้อมูลไม่ได้อีก", "success")
    return redirect(url_for("api_tokens.index"))
