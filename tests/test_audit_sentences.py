"""The audit trail reads as sentences: who did what, in the words people use."""
import pytest

from tests.test_task_pages import finance_task_id, page, post_update
from tracker.extensions import db
from tracker.models import AuditEvent, Task, User
from tracker.services import audit


def event(action: str, before=None, after=None, actor: str | None = "สมชาย ใจดี") -> AuditEvent:
    return AuditEvent(action=action, before=before, after=after, actor=User(name=actor) if actor else None)


@pytest.mark.parametrize("action, before, after, said", [
    ("task.progress", {"status": "not_started", "percent": 0}, {"status": "in_progress", "percent": 40},
     "สมชาย ใจดี เปลี่ยนสถานะเป็น กำลังดำเนินการ (40%)"),
    ("task.progress", {"status": "in_progress", "percent": 40},
     {"status": "in_progress", "percent": 60, "evidence": 2, "public_evidence": 1},
     "สมชาย ใจดี รายงานความก้าวหน้า กำลังดำเนินการ 60% (เดิม 40%) แนบหลักฐาน 2 รายการ (เผยแพร่ 1 รายการ)"),
    ("task.update", {"due_date": "2025-09-30"}, {"due_date": "2025-07-31"},
     "สมชาย ใจดี เปลี่ยนกำหนดเสร็จจาก 30 ก.ย. 2568 เป็น 31 ก.ค. 2568"),
    ("task.archive", {"archived": False}, {"archived": True}, "สมชาย ใจดี พักงาน (กองไม่ได้รับผิดชอบแล้ว)"),
    ("evidence.public", None, {"public": True, "evidence_name": "รายงาน.pdf"},
     "สมชาย ใจดี เผยแพร่หลักฐาน “รายงาน.pdf” ในหน้าสาธารณะ"),
    ("measure.update", {"title": "เดิม"}, {"title": "ใหม่"}, "สมชาย ใจดี แก้ไขมาตรการ: ชื่อ จาก เดิม เป็น ใหม่"),
])
def test_each_kind_of_change_is_a_sentence(action, before, after, said):
    assert audit.sentence(event(action, before, after)) == said


def test_what_the_system_did_is_said_as_the_systems():
    created = event("task.create", None, {"division": "กองคลัง", "archived": False, "due_date": "2025-09-30"}, None)
    assert audit.sentence(created) == "ระบบ สร้างงานให้กองคลัง กำหนดเสร็จ 30 ก.ย. 2568"


def test_the_task_page_shows_the_trail_as_sentences(finance_client):
    task = db.session.get(Task, finance_task_id())
    post_update(finance_client, task.id, task.version, percent="80")
    html = page(finance_client.get(f"/tasks/{task.id}"))
    trail = html.split("บันทึกการเปลี่ยนแปลง", 1)[1]
    assert "สุดารัตน์ มั่นคง รายงานความก้าวหน้า กำลังดำเนินการ 80% (เดิม 60%)" in trail
    assert "ความก้าวหน้า (%):" not in trail
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.task_id == task.id)) >= 2
