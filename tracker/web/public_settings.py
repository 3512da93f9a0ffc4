"""The coordinator names the agency's public pages: /public/<slug>/, the address given to ITAS."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.validators import Regexp

from tracker.services import access, public_pages
from tracker.services.errors import ServiceError
from tracker.transactions import transaction
from tracker.web.common import require
from tracker.web.fields import Form, StringField, required

bp = Blueprint("public_settings", __name__, url_prefix="/settings")
SLUG_RULE = ("ใช้ตัวอักษรภาษาอังกฤษตัวเล็ก a–z ตัวเลข 0–9 และขีด (-) ยาว 2–40 ตัวอักษร "
             "และขึ้นต้นด้วยตัวอักษร เช่น pichai หรือ tambon-pichai")


class PublicAddressForm(Form):
    slug = StringField("ชื่อหน่วยงานในที่อยู่หน้าสาธารณะ",
                       filters=[lambda value: (value or "").strip().lower()],
                       validators=[required("กรุณากรอกชื่อ"), Regexp(r"^[a-z][a-z0-9-]{1,39}$", message=SLUG_RULE)])


def _public_url(slug: str | None) -> str | None:
    return current_app.config["TRACKER_BASE_URL"] + url_for("public.agency", slug=slug) if slug else None


@bp.route("/public", methods=["GET", "POST"])
@require(access.can_edit_public_page)
def public_address():
    organization = current_user.organization
    form = PublicAddressForm(slug=organization.slug)
    if form.validate_on_submit():
        try:
            with transaction():
                public_pages.set_slug(organization, form.slug.data, current_user)
        except ServiceError as error:
            form.slug.errors = [str(error)]
        else:
            flash("บันทึกที่อยู่หน้าสาธารณะแล้ว", "success")
            return redirect(url_for("public_settings.public_address"))
    return render_template("public/settings.html", form=form, rule=SLUG_RULE,
                           public_url=_public_url(organization.slug), organization=organization)
