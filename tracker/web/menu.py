"""The menu: access.menu decides which sections a user sees; here each gets its Thai label and its
address, and the page being shown is marked."""
from flask import request, url_for
from flask_login import current_user

from tracker.services import access

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


def links() -> list[tuple[str, str, bool]]:
    """(label, url, is the page shown) for each section of the logged-in user's menu."""
    entries = []
    for section in access.menu(current_user):
        label, endpoint = SECTIONS[section]
        entries.append((label, url_for(endpoint), request.endpoint == endpoint))
    return entries
