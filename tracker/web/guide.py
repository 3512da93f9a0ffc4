"""Short Thai help pages, each linked from the pages it explains."""
from flask import Blueprint, abort, render_template
from flask_login import login_required

from tracker.services import item_banks

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
    return render_template(f"help/{page}.html", title=PAGES[page], pages=PAGES, page=page, codes=_document_codes())


def _document_codes() -> list[tuple[int, str | None, str | None]]:
    """(ITA year, the measures document's item code, the results report's) of each shipped item list:
    the codes change every year, so the help reads them from the lists."""
    return [(year, *item_banks.shipped_roles(year)[:2]) for year in item_banks.shipped_years()]
