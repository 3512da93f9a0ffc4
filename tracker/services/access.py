"""Who may do what, and which rows are theirs. Routes, services and templates ask here (templates
through the `access` global); each permission is named for what it guards, even where today's roles
give several of them to the same person."""
from tracker.extensions import db
from tracker.models import Task, User
from tracker.services.errors import NotFound


def get_owned(user: User, model, object_id: int):
    """The `model` row `object_id` if it belongs to the user's agency.

    :raise NotFound: when there is no such row or it is another agency's (the 404 page): to a user,
        another agency's rows do not exist, so the answer tells nothing of them.
    """
    row = db.session.get(model, object_id)
    if row is None or row.organization_id != user.organization_id:
        raise NotFound("ไม่พบข้อมูลที่ต้องการ")
    return row


# --- the plan and the agency --------------------------------------------------------------------------

def can_edit_plan(user: User) -> bool:
    """Topics, measures, steps, ITA scores and item lists, their imports, and a new fiscal year."""
    return user.is_coordinator


def can_manage_divisions(user: User) -> bool:
    return user.is_coordinator


def can_manage_users(user: User) -> bool:
    """Accounts, roles and password resets of the agency's people."""
    return user.is_coordinator


def can_manage_api_tokens(user: User) -> bool:
    return user.is_coordinator


def can_manage_notifications(user: User) -> bool:
    """The agency's reminder settings and holidays, the delivery log, resending and test messages."""
    return user.is_coordinator


def can_edit_public_page(user: User) -> bool:
    return user.is_coordinator


def can_view_delivery(user: User, delivery) -> bool:
    """A message is its recipient's; the coordinator sees every message of the agency."""
    return delivery.organization_id == user.organization_id and (
        delivery.user_id == user.id or can_manage_notifications(user))


# --- following the work ---------------------------------------------------------------------------------

def can_view_dashboard(user: User) -> bool:
    return user.is_coordinator or user.is_executive


def has_own_tasks(user: User) -> bool:
    """A division head's "งานของฉัน": the tasks of their division."""
    return user.is_head


def can_view_task(user: User, task: Task) -> bool:
    if task.organization_id != user.organization_id:
        return False
    return not user.is_head or task.division_id == user.division_id


def can_update_task(user: User, task: Task) -> bool:
    if not can_view_task(user, task) or task.archived_at is not None:
        return False
    return user.is_coordinator or user.is_head


# --- the two documents ------------------------------------------------------------------------------------

def can_view_reports(user: User) -> bool:
    """The results report, its drafts and the readiness check."""
    return user.is_coordinator or user.is_executive


def can_compile_reports(user: User) -> bool:
    """Drafts made on demand, and the report's settings (signers, letterhead, advice)."""
    return user.is_coordinator


def can_request_approval(user: User) -> bool:
    return user.is_coordinator


def can_publish(user: User) -> bool:
    return user.is_coordinator


def can_view_approvals(user: User) -> bool:
    return user.is_coordinator or user.is_executive


def can_decide(user: User, version) -> bool:
    """Only an executive of the agency whose document it is approves or acknowledges it."""
    return user.is_executive and user.active and version.organization_id == user.organization_id


# --- the menu --------------------------------------------------------------------------------------------

MENU = (  # (section, who sees it), in the menu's order
    ("overview", can_view_dashboard),
    ("my_tasks", has_own_tasks),
    ("tasks", lambda user: not has_own_tasks(user)),  # a head's whole list is "งานของฉัน"
    ("plan", lambda user: True),
    ("ita_result", lambda user: True),
    ("reports", can_view_reports),
    ("approvals", can_view_approvals),
    ("divisions", can_manage_divisions),
    ("people", can_manage_users),
    ("notifications", can_manage_notifications),
    ("inbox", lambda user: True),
    ("profile", lambda user: True),
    ("help", lambda user: True),
)


def menu(user: User) -> list[str]:
    """The sections of the menu this user may open, in order; the web layer gives each its label and
    address."""
    return [section for section, allowed in MENU if allowed(user)]
