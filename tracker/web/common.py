"""What every blueprint needs: role guards, service errors as HTTP answers, the fiscal year in the URL."""
from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from tracker.models import FiscalYear
from tracker.services import plan
from tracker.services.errors import Forbidden, NotFound


def require(check):
    """Log in, then pass `check(current_user)` or answer 403."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def or_abort(call, *args, **kwargs):
    """Run a lookup service; its NotFound/Forbidden become 404/403 without details."""
    try:
        return call(*args, **kwargs)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def current_fiscal_year() -> FiscalYear:
    """The fiscal year named by ?fy=2568, else the newest one."""
    return or_abort(plan.get_fiscal_year, current_user.organization_id, int_arg("fy"))
