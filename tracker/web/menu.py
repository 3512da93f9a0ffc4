"""The menu: access.menu decides which sections a user sees; here each gets its Thai label and its
address, and the page being shown is marked."""
from flask import request, url_for
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
}


def links() -> list[tuple[str, str, bool, int]]:
    """(label, url, is the page shown, how many new things it holds) for each section of the
    logged-in user's menu: the inbox counts its unread messages."""
    entries = []
    for section in access.menu(current_user):
        label, endpoint = SECTIONS[section]
        new = messages.unread_count(current_user) if section == "inbox" else 0
        entries.append((label, url_for(endpoint), request.endpoint == endpoint, new))
    return entries
