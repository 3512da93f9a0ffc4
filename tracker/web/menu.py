"""The menu: access.menu decides which sections a user sees; here each gets its Thai label and its
address, and the page being shown is marked."""
from flask import current_app, request, url_for
from flask_login import current_user

from tracker.services import access, messages

SECTIONS = {  # section: (label, endpoint)
    "overview": ("ภาพรวม", "dashboard.overview"),
    "my_tasks": ("งานของฉัน", "tasks.mine"),
    "tasks": ("งานทั้งหมด", "tasks.index"),
    "plan": ("มาตรการ", "plan.index"),
    "ita_result": ("ผล ITA", "plan.result"),
    "reports": ("รายงาน", "reports.index"),
    "approvals": ("อนุมัติและเผยแพร่", "approvals.index"),
    "divisions": ("จัดการกอง", "plan.divisions"),
    "people": ("ผู้ใช้", "people.index"),
    "notifications": ("การแจ้งเตือน", "notify.deliveries"),
    "inbox": ("กล่องข้อความ", "notify.inbox"),
    "profile": ("ตั้งค่าของฉัน", "notify.profile"),
    "help": ("คู่มือ", "help.index"),
}


# Pages that belong to a section without being its own page: the section is marked while they show.
WITHIN = {
    "dashboard.timeline": "overview", "tasks.show": "tasks", "plan.analysis": "ita_result",
    "score_import.import_scores": "ita_result", "readiness.index": "reports", "plan.edit_division": "divisions",
    "api_tokens.index": "people", "notify.settings": "notifications", "notify.delivery": "inbox",
}
BLUEPRINTS = {"help": "help", "reports": "reports", "approvals": "approvals", "people": "people", "plan": "plan",
              "item_banks": "ita_result", "measure_import": "plan", "rollover": "plan"}


def shown_section() -> str | None:
    """The section of the page being shown: its own page, a page within it, or its blueprint's."""
    endpoint = request.endpoint or ""
    for section, (_, own) in SECTIONS.items():
        if endpoint == own:
            return section
    return WITHIN.get(endpoint) or BLUEPRINTS.get(request.blueprint or "")


def links() -> list[tuple[str, str, bool, int]]:
    """(label, url, is the page shown, how many new things it holds) for each section of the
    logged-in user's menu: the inbox counts its unread messages."""
    entries, shown = [], shown_section()
    sections = access.menu(current_user)
    if shown == "tasks" and "tasks" not in sections:
        shown = "my_tasks"  # a head's task page is one of their own tasks
    for section in sections:
        label, endpoint = SECTIONS[section]
        new = messages.unread_count(current_user) if section == "inbox" else 0
        entries.append((label, _address(endpoint), section == shown, new))
    return entries


def _address(endpoint: str) -> str:
    """url_for(endpoint), remembered per app and script root: every page's menu asks the same ten."""
    addresses = current_app.extensions.setdefault("menu_addresses", {})
    key = (request.script_root, endpoint)
    if key not in addresses:
        addresses[key] = url_for(endpoint)
    return addresses[key]
