"""The search page: what services/search finds, each hit a link to the page that shows it."""
from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.services import search as finder

bp = Blueprint("search", __name__)


def hit_url(hit: finder.Hit) -> str:
    """The page where the hit is shown, at the hit."""
    ids = hit.ids
    if "update" in ids:
        return url_for("tasks.show", task_id=ids["task"], _anchor=f"update-{ids['update']}")
    if "task" in ids:
        return url_for("tasks.show", task_id=ids["task"])
    if "measure" in ids:
        return url_for("plan.index", fy=hit.year, _anchor=f"measure-{ids['measure']}")
    return url_for("plan.index", fy=hit.year, _anchor=f"topic-{ids['topic']}")


@bp.route("/search")
@login_required
def index():
    query = request.args.get("q", "").strip()
    found = finder.search(current_user, query)
    return render_template("search/index.html", query=query, asked="q" in request.args, found=found,
                           kinds=finder.KINDS, hit_url=hit_url, too_many=len(query.split()) > finder.MAX_TERMS)
