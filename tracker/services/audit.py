"""Audit events: every change records who, when, before and after."""
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tracker.extensions import db
from tracker.models import AuditEvent, User
from tracker.models.base import utcnow
from tracker.models.task import STATUS_LABELS, TaskStatus
from tracker.thai import format_date, format_datetime


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The fields' values in JSON-safe form."""
    return values({field: getattr(obj, field) for field in fields})


def values(mapping: dict[str, Any]) -> dict[str, Any]:
    """The values in the JSON-safe form snapshot gives them."""
    return {key: _jsonable(value) for key, value in mapping.items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def record(
    organization_id: int,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
    task_id: int | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=at or utcnow(),
        organization_id=organization_id,
        actor_id=actor.id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        task_id=task_id,
    )
    db.session.add(event)
    return event


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that differ, so the audit trail reads as a list of changes."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


ACTION_LABELS = {
    "task.create": "สร้างงาน", "task.update": "แก้ไขงาน", "task.archive": "พักงาน (กองไม่ได้รับผิดชอบแล้ว)",
    "task.progress": "รายงานความก้าวหน้า", "task.progress_edit": "แก้ไขรายงานความก้าวหน้า",
    "task.progress_withdraw": "ถอนรายงานความก้าวหน้า",
    "topic.create": "เพิ่มประเด็น", "topic.update": "แก้ไขประเด็น", "topic.delete": "ลบประเด็น",
    "measure.create": "เพิ่มมาตรการ", "measure.update": "แก้ไขมาตรการ", "measure.delete": "ลบมาตรการ",
    "measure.move": "ย้ายมาตรการไปประเด็นอื่น",
    "division.create": "เพิ่มกอง", "division.update": "แก้ไขชื่อกอง", "division.delete": "ลบกอง",
    "division.deactivate": "เลิกใช้กอง", "user.create": "เพิ่มผู้ใช้", "user.update": "แก้ไขผู้ใช้",
    "score.import": "นำเข้าผลคะแนน ITA", "user.password_reset": "ตั้งรหัสผ่านใหม่ให้ผู้ใช้", "user.password_change": "เปลี่ยนรหัสผ่านของตนเอง",
    "items.load": "ใช้รายการข้อคำถามมาตรฐาน", "items.upload": "อัปโหลดรายการข้อคำถาม",
    "items.copy": "คัดลอกรายการข้อคำถามจากปีก่อน", "items.checked": "ตรวจรายการข้อคำถามที่คัดลอกมาแล้ว",
    "items.roles": "กำหนดข้อของเอกสารมาตรการและรายงานผล",
    "assessment_year.thresholds": "ตั้งเกณฑ์คะแนน ITA", "fiscal_year.create": "เริ่มปีงบประมาณ",
    "document.request": "ส่งเอกสารให้ผู้บริหารพิจารณา", "document.approve": "ผู้บริหารอนุมัติหรือรับทราบเอกสาร",
    "document.return": "ผู้บริหารส่งเอกสารกลับให้แก้ไข", "document.publish": "เผยแพร่เอกสาร",
    "document.withdraw": "ถอนเอกสารออกจากหน้าสาธารณะ",
    "calendar.renew": "สร้างที่อยู่ปฏิทินส่วนตัวใหม่", "api_token.create": "สร้างโทเค็น API",
    "api_token.revoke": "ยกเลิกโทเค็น API",
    "organization.slug": "ตั้งที่อยู่หน้าสาธารณะ", "evidence.public": "เปลี่ยนการเผยแพร่หลักฐานในหน้าสาธารณะ",
}
FIELD_LABELS = {
    "status": "สถานะ", "percent": "ความก้าวหน้า (%)", "done_text": "ผลการดำเนินงาน", "problems": "ปัญหาอุปสรรค",
    "evidence": "หลักฐาน (รายการ)", "archived": "พักงาน", "due_date": "กำหนดเสร็จ",
    "title": "ชื่อ", "topic": "ประเด็น", "details": "รายละเอียด", "period_text": "ช่วงระยะเวลา", "start_date": "วันเริ่ม",
    "end_date": "วันสิ้นสุด", "responsible_text": "ผู้รับผิดชอบ", "all_divisions": "ทุกกอง",
    "division": "กอง", "division_names": "กองผู้รับผิดชอบ", "step_texts": "ขั้นตอน", "number": "ลำดับ", "analysis": "การวิเคราะห์",
    "item_codes": "ข้อคำถาม", "name": "ชื่อ", "role": "บทบาท", "active": "ใช้งาน", "position": "ตำแหน่ง",
    "year": "ปี พ.ศ.", "items": "จำนวนข้อ", "assessment_year": "ตามผลการประเมิน ITA",
    "carried": "มาตรการที่ยกมา", "copied_from": "สำเนาจากรายการ ITA", "measures_code": "ข้อของเอกสารมาตรการ",
    "results_code": "ข้อของรายงานผลการดำเนินการ", "results_covers": "รอบของรายงานผลที่ผู้ประเมินตรวจ",
    "document": "เอกสาร", "comment": "ความเห็น", "published_at": "เผยแพร่เมื่อ",
    "slug": "ที่อยู่หน้าสาธารณะ", "public": "เผยแพร่ในหน้าสาธารณะ", "public_evidence": "หลักฐานที่เผยแพร่ (รายการ)",
    "evidence_name": "หลักฐาน", "indicator_value": "ผลตามตัวชี้วัด", "budget_spent": "งบประมาณที่ใช้ไปแล้ว (บาท)",
}


def describe(values: dict | None) -> str:
    """สถานะ: เสร็จสิ้น; ความก้าวหน้า (%): 100 — audit values as a person reads them."""
    if not values:
        return "–"
    shown = {key: value for key, value in values.items() if value not in ("", None)}
    return "; ".join(f"{FIELD_LABELS.get(key, key)}: {_shown(key, value)}" for key, value in shown.items()) or "–"


def _shown(key: str, value) -> str:
    if key == "status" and value in {s.value for s in TaskStatus}:
        return STATUS_LABELS[TaskStatus(value)]
    if key.endswith("date") and isinstance(value, str):
        return format_date(date.fromisoformat(value))
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่ใช่"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# --- the audit trail as sentences ---------------------------------------------------------------

def sentence(event: AuditEvent) -> str:
    """What happened, as a person says it: "สมชาย เปลี่ยนสถานะเป็น กำลังดำเนินการ (40%)"."""
    who = event.actor.name if event.actor else "ระบบ"
    before, after = event.before or {}, event.after or {}
    words = _SENTENCES.get(event.action, _generic)(event.action, before, after)
    return f"{who} {words}"


def _progress(action: str, before: dict, after: dict) -> str:
    status, percent = after.get("status"), after.get("percent")
    if status and status != before.get("status"):
        words = f"เปลี่ยนสถานะเป็น {_shown('status', status)} ({percent}%)"
    else:
        words = f"รายงานความก้าวหน้า {_shown('status', status)} {percent}%" if status else "รายงานความก้าวหน้า"
        if before.get("percent") not in (None, percent):
            words += f" (เดิม {before['percent']}%)"
    if after.get("evidence"):
        words += f" แนบหลักฐาน {after['evidence']} รายการ"
        if after.get("public_evidence"):
            words += f" (เผยแพร่ {after['public_evidence']} รายการ)"
    return words


def _task_created(action: str, before: dict, after: dict) -> str:
    words = f"สร้างงานให้{after['division']}" if after.get("division") else "สร้างงาน"
    if after.get("due_date"):
        words += f" กำหนดเสร็จ {_shown('due_date', after['due_date'])}"
    return words


def _task_changed(action: str, before: dict, after: dict) -> str:
    parts = []
    if "archived" in after:
        parts.append("พักงาน (กองไม่ได้รับผิดชอบแล้ว)" if after["archived"] else "นำงานกลับมาดำเนินการต่อ")
    if "due_date" in after:
        parts.append(f"เปลี่ยนกำหนดเสร็จจาก {_shown('due_date', before.get('due_date'))} เป็น "
                     f"{_shown('due_date', after['due_date'])}" if before.get("due_date")
                     else f"กำหนดเสร็จ {_shown('due_date', after['due_date'])}")
    rest = {key: value for key, value in after.items() if key not in ("archived", "due_date")}
    if rest or not parts:
        parts.append(_generic(action, before, rest))
    return " และ".join(parts)


def _progress_edited(action: str, before: dict, after: dict) -> str:
    rest = {key: value for key, value in after.items() if key != "reported_at"}
    return f"{_reported(action, after)}{_generic(action, before, rest).removeprefix(ACTION_LABELS[action])}"


def _progress_withdrawn(action: str, before: dict, after: dict) -> str:
    words = f"{_reported(action, after)} ({after.get('withdrawn', '')})"
    if after.get("status"):
        words += f" งานกลับเป็น {_shown('status', after['status'])} {after.get('percent', 0)}%"
    return words


def _reported(action: str, after: dict) -> str:
    """"แก้ไขรายงานความก้าวหน้าที่บันทึกเมื่อ 3 ธ.ค. 2569 14:05 น." for the report changed."""
    label, at = ACTION_LABELS[action], after.get("reported_at")
    return f"{label}ที่บันทึกเมื่อ {format_datetime(datetime.fromisoformat(at))}" if at else label


def _evidence_public(action: str, before: dict, after: dict) -> str:
    name = after.get("evidence_name", "")
    return f"เผยแพร่หลักฐาน “{name}” ในหน้าสาธารณะ" if after.get("public") else f"เลิกเผยแพร่หลักฐาน “{name}”"


def _generic(action: str, before: dict, after: dict) -> str:
    """The action's label, then each field's change: "แก้ไขมาตรการ: ชื่อ จาก … เป็น …"."""
    label = ACTION_LABELS.get(action, action)
    changes = []
    for key, value in after.items():
        if value in ("", None):
            continue
        field = FIELD_LABELS.get(key, key)
        if before.get(key) not in ("", None):
            changes.append(f"{field} จาก {_shown(key, before[key])} เป็น {_shown(key, value)}")
        else:
            changes.append(f"{field} {_shown(key, value)}")
    return f"{label}: {'; '.join(changes)}" if changes else label


_SENTENCES = {"task.progress": _progress, "task.create": _task_created, "task.update": _task_changed,
              "task.archive": _task_changed, "evidence.public": _evidence_public,
              "task.progress_edit": _progress_edited, "task.progress_withdraw": _progress_withdrawn}
