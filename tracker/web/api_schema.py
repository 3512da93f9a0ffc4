"""The API's OpenAPI 3 description, written by hand beside the routes of tracker/web/api.py (and
checked against them by schemathesis in tests/test_api.py). The bounds here are the ones the routes
enforce: a year outside them, or an id past 32 bits, is a 404 or a 400, never a database error."""
import re

from tracker.models import TaskStatus
from tracker.services import versions

YEAR_MIN, YEAR_MAX = 2400, 2700  # fiscal years, BE
ID_MAX = 2 ** 31 - 1
SLUG = re.compile(r"[a-z0-9_-]{1,40}")

STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


def _object(properties: dict, description: str = "") -> dict:
    """An object with exactly these properties, all required."""
    schema = {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS = {
    "Error": _object({"error": {"type": "string", "description": "ข้อความภาษาไทย"}}),
    "Division": _object({"id": ID, "name": STRING}),
    "FiscalYear": _object({"year": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
                           "start_date": DATE, "end_date": DATE,
                           "ita_year": _nullable({**INTEGER, "description": "the ITA result the year answers"})}),
    "Item": _object({"code": STRING, "tool": {**STRING, "description": "OIT, IIT or EIT"}, "title": STRING,
                     "score": _nullable({"type": "number"})}),
    "Topic": _object({"id": ID, "number": INTEGER, "title": STRING, "analysis": STRING,
                      "items": _array(_ref("Item")), "measure_ids": _array(ID)}),
    "Measure": _object({
        "id": ID, "topic_id": ID, "topic_number": INTEGER, "position": INTEGER, "title": STRING, "details": STRING,
        "steps": _array(STRING), "start_date": DATE, "end_date": DATE,
        "period": {**STRING, "description": "the period as the measures document prints it"},
        "responsible": {**STRING, "description": "who is responsible, as the measures document prints it"},
        "all_divisions": BOOLEAN, "divisions": _array(_ref("Division")),
        "budget_amount": _nullable({"type": "number", "description": "baht"}), "no_budget": BOOLEAN,
        "budget": {**STRING, "description": "the budget as printed: \"20,000 บาท\", \"ไม่ใช้งบประมาณ\" or \"\""},
        "indicator": STRING, "target": STRING}),
    "Task": _object({
        "id": ID, "measure_id": ID, "division": _ref("Division"), "due_date": DATE,
        "status": {"type": "string", "enum": [status.value for status in TaskStatus]},
        "status_label": {**STRING, "description": "Thai; ล่าช้า when late"},
        "percent": {"type": "integer", "minimum": 0, "maximum": 100},
        "late": {**BOOLEAN, "description": "past its due date and neither done nor cancelled"},
        "last_update_date": _nullable({**DATE, "description": "the day of its last progress report (Bangkok)"})}),
    "DocumentFile": _object({"format": {"type": "string", "enum": list(versions.DOCUMENT_FORMATS)},
                             "url": _nullable({"type": "string", "format": "uri",
                                               "description": "on the public pages; null while the agency has none"})}),
    "Document": _object({
        "fiscal_year": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
        "document": {"type": "string", "enum": list(versions.SLUGS.values())}, "title": STRING,
        "version": {"type": "integer", "minimum": 1}, "as_of": DATE,
        "published_at": {"type": "string", "format": "date-time"}, "files": _array(_ref("DocumentFile"))}),
    "Organization": _object({"name": STRING, "slug": STRING}),
}


def _listing(key: str, item: str, of_year: bool = True) -> dict:
    properties = {"fiscal_year": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}} if of_year else {}
    return _object({**properties, key: _array(_ref(item))})


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "a parameter out of its bounds, or one the operation does not take"),
    "401": _json(_ref("Error"), "no token, or an unknown or revoked one"),
    "404": _json(_ref("Error"), "no such fiscal year (or agency)"),
}
YEAR = {"name": "year", "in": "path", "required": True, "description": "fiscal year, BE (e.g. 2568)",
        "schema": {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}, "example": 2568}
DIVISION = {"name": "division", "in": "query", "required": False, "description": "only this division's tasks",
            "schema": ID}
SLUG_PARAMETER = {"name": "slug", "in": "path", "required": True, "description": "the agency's public name",
                  "schema": {"type": "string", "pattern": f"^{SLUG.pattern}$"}, "example": "pichai"}


def _operation(operation_id: str, summary: str, schema: dict, errors: tuple[str, ...], parameters=(),
               public: bool = False) -> dict:
    operation = {"operationId": operation_id, "summary": summary, "parameters": list(parameters),
                 "responses": {"200": _json(schema, "OK"), **{code: ERRORS[code] for code in ("400", *errors)}}}
    if public:
        operation["security"] = []
    return {"get": operation}


PATHS = {
    "/api/v1/fiscal-years": _operation(
        "listFiscalYears", "The agency's fiscal years, newest first",
        _object({"fiscal_years": _array(_ref("FiscalYear"))}), ("401",)),
    "/api/v1/fiscal-years/{year}/topics": _operation(
        "listTopics", "The year's topics with their ITA items and scores", _listing("topics", "Topic"),
        ("401", "404"), [YEAR]),
    "/api/v1/fiscal-years/{year}/measures": _operation(
        "listMeasures", "The year's measures with steps, period, divisions, budget, indicator and target",
        _listing("measures", "Measure"), ("401", "404"), [YEAR]),
    "/api/v1/fiscal-years/{year}/tasks": _operation(
        "listTasks", "The year's tasks (one per measure and division) with status and progress",
        _listing("tasks", "Task"), ("401", "404"), [YEAR, DIVISION]),
    "/api/v1/fiscal-years/{year}/documents": _operation(
        "listDocuments", "The year's published documents (the newest version of each)",
        _listing("documents", "Document"), ("401", "404"), [YEAR]),
    "/api/v1/public/{slug}/documents": _operation(
        "listPublicDocuments", "An agency's published documents of every year; no token needed",
        _object({"organization": _ref("Organization"), "documents": _array(_ref("Document"))}), ("404",),
        [SLUG_PARAMETER], public=True),
}


def document(base_url: str) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "ITA Tracker API", "version": "1.0.0",
                 "description": "Read-only: an agency's fiscal years, topics, measures, tasks and published "
                                "documents. Tokens are made by the agency's ITA coordinator (ผู้ใช้ → โทเค็น API)."},
        "servers": [{"url": base_url}],
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
    }
