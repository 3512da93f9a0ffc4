"""Short Thai help pages, each linked from the pages it explains."""
from flask import Blueprint, abort, render_template
from flask_login import login_required

bp = Blueprint("help", __name__, url_prefix="/help")

PAGES = {  # page: its title
    "ita": "ITA คืออะไร และระบบนี้ช่วยอะไร",
    "documents": "เอกสารมาตรการ และรายงานผลการดำเนินการ",
    "calendar": "ทำอะไรเดือนไหนในปีงบประมาณ",
    "reminders": "การแจ้งเตือนทำงานอย่างไร",
    "approval": "การขออนุมัติ การรับทราบ และการเผยแพร่",
}


@bp.route("/")
@login_required
def index():
    return render_template("help/index.html", pages=PAGES)


@bp.route("/<page>")
@login_required
def show(page: str):
    if page not in PAGES:
        abort(404)
    return render_template(f"help/{page}.html", title=PAGES[page], pages=PAGES, page=page)
