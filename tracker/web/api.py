"""The read-only JSON API (/api/v1/) for other systems. A token (Authorization: Bearer …) made by
the agency's coordinator reads that agency's data; the published documents are public. Errors are
JSON too (tracker.register_errorhandlers answers every /api/ path in JSON)."""
from functools import wraps

from flask import Blueprint, abort, current_app, g, jsonify, request

from tracker import clock
from tracker.extensions import csrf
from tracker.models import FiscalYear
from tracker.services import api_data, api_tokens, plan, versions
from tracker.transactions import transaction
from tracker.web import api_schema

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies, no forms: a token in a header cannot be forged by another site

UNAUTHORIZED = ("ต้องส่งโทเค็น API ที่ใช้งานได้ในหัว Authorization: Bearer <โทเค็น> "
                "(ผู้ประสานงาน ITA สร้างได้ที่หน้าผู้ใช้)")
BAD_DIVISION = "division ต้องเป็นเลขรหัสกอง (จำนวนเต็ม 1 ถึง 2147483647)"
QUERY_PARAMETERS = {"api.tasks": {"division"}}  # every other endpoint takes none


def error(status: int, message: str):
    return jsonify(error=message), status


@bp.before_request
def refuse_unknown_parameters():
    """A misspelt parameter (?divison=) is an error, not a silently wider answer."""
    unknown = sorted(set(request.args) - QUERY_PARAMETERS.get(request.endpoint, set()))
    if unknown:
        return error(400, f"ไม่รู้จักพารามิเตอร์: {', '.join(unknown)}")
    return None


def token_required(view):
    """Answer 401 (JSON) without a live token; otherwise g.organization is the token's agency."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, plain = request.headers.get("Authorization", "").partition(" ")
        with transaction():  # the token's last use
            token = api_tokens.authenticate(plain.strip(), clock.now()) if scheme.lower() == "bearer" else None
        if token is None:
            response, status = error(401, UNAUTHORIZED)
            response.headers["WWW-Authenticate"] = 'Bearer realm="ita-tracker"'
            return response, status
        g.organization = token.organization
        return view(*args, **kwargs)
    return wrapped


def _fiscal_year(year: int) -> FiscalYear:
    """The token's agency's fiscal year; 404 outside the bounds the schema promises, or when absent."""
    if not api_schema.YEAR_MIN <= year <= api_schema.YEAR_MAX:
        abort(404)
    return plan.get_fiscal_year(g.organization.id, year)


def _is_id(text: str) -> bool:
    """A row id as the schema bounds it (the length is checked first: int() refuses huge strings)."""
    return text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= api_schema.ID_MAX


@bp.route("/openapi.json")
def openapi():
    return jsonify(api_schema.document(current_app.config["TRACKER_BASE_URL"]))


@bp.route("/fiscal-years")
@token_required
def fiscal_years():
    return jsonify(fiscal_years=api_data.fiscal_years(g.organization.id))


@bp.route("/fiscal-years/<int:year>/topics")
@token_required
def topics(year: int):
    return jsonify(fiscal_year=year, topics=api_data.topics(_fiscal_year(year)))


@bp.route("/fiscal-years/<int:year>/measures")
@token_required
def measures(year: int):
    return jsonify(fiscal_year=year, measures=api_data.measures(_fiscal_year(year)))


@bp.route("/fiscal-years/<int:year>/tasks")
@token_required
def tasks(year: int):
    fiscal_year = _fiscal_year(year)
    division = request.args.get("division")
    if division is not None and not _is_id(division):
        return error(400, BAD_DIVISION)
    division_id = int(division) if division is not None else None
    return jsonify(fiscal_year=year, tasks=api_data.tasks(fiscal_year, clock.today(), division_id))


@bp.route("/fiscal-years/<int:year>/documents")
@token_required
def documents(year: int):
    fiscal_year = _fiscal_year(year)
    return jsonify(fiscal_year=year, documents=api_data.documents(
        g.organization, current_app.config["TRACKER_BASE_URL"], fiscal_year))


@bp.route("/public/<slug>/documents")
def public_documents(slug: str):
    if not api_schema.SLUG.fullmatch(slug):
        abort(404)
    organization = versions.organization_by_slug(slug)
    return jsonify(organization={"name": organization.name, "slug": organization.slug},
                   documents=api_data.documents(organization, current_app.config["TRACKER_BASE_URL"]))
