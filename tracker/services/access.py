"""Who may do what. Every route asks here; nothing is decided in templates."""
from tracker.models import Task, User


def can_edit_plan(user: User) -> bool:
    return user.is_coordinator


def can_view_dashboard(user: User) -> bool:
    return user.is_coordinator or user.is_executive


def can_view_task(user: User, task: Task) -> bool:
    if task.organization_id != user.organization_id:
        return False
    return not user.is_head or task.division_id == user.division_id


def can_update_task(user: User, task: Task) -> bool:
    if not can_view_task(user, task) or task.archived_at is not None:
        return False
    return user.is_coordinator or user.is_head


def can_request_approval(user: User) -> bool:
    return user.is_coordinator


def can_publish(user: User) -> bool:
    return user.is_coordinator


def can_view_approvals(user: User) -> bool:
    return user.is_coordinator or user.is_executive


def can_decide(user: User, version) -> bool:
    """Only an executive of the agency whose document it is approves or acknowledges it."""
    return user.is_executive and user.active and version.organization_id == user.organization_id
