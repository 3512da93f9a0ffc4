"""Task pages as a division head uses them: งานของฉัน, a task, an update, evidence, a conflict."""
import io
import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import login
from tracker.extensions import db
from tracker.models import AuditEvent, Division, Evidence, Task


def finance_task_id() -> int:
    return db.session.scalar(
        select(Task.id).join(Task.division).where(Division.name == "กองคลัง").order_by(Task.id).limit(1))


def page(response) -> str:
    return response.get_data(as_text=True)


def test_my_tasks_lists_the_heads_division_with_thai_dates(finance_client):
    html = page(finance_client.get("/my"))
    assert "งานของฉัน" in html and "กองคลัง" in html
    assert "30 ก.ย. 2568" in html
    assert "กองช่าง</td>" not in html


def test_task_page_shows_topic_measure_steps_and_history(finance_client):
    html = page(finance_client.get(f"/tasks/{finance_task_id()}"))
    assert "ประเด็น (1)" in html
    assert "ขั้นตอนหรือวิธีการปฏิบัติ" in html and "<ol class=\"steps\">" in html
    assert "จัดทำร่างคู่มือการรับชำระภาษีแล้ว" in html  # the demo's report for this task
    assert "30 กันยายน 2568" in html


def post_update(client, task_id, version, **fields):
    data = {"status": "in_progress", "percent": "50", "done_text": "", "problems": "", "links": "",
            "version": str(version), **fields}
    return client.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data")


def test_head_records_progress_and_sees_it_in_history(finance_client):
    task = db.session.get(Task, finance_task_id())
    response = post_update(finance_client, task.id, task.version, percent="80", done_text="ประชุมชี้แจงแล้ว",
                           links="https://www.pichai.go.th/news/1")
    assert response.status_code == 302
    html = page(finance_client.get(response.location))
    assert "บันทึกความก้าวหน้าแล้ว" in html and "ประชุมชี้แจงแล้ว" in html
    assert "https://www.pichai.go.th/news/1" in html
    assert "รายงานความก้าวหน้า" in html  # the audit trail entry


def test_second_save_from_an_old_form_is_told_of_the_conflict_and_keeps_its_text(app, finance_client,
                                                                                   coordinator_client):
    task = db.session.get(Task, finance_task_id())
    opened_version = task.version
    first = post_update(coordinator_client, task.id, opened_version, percent="60", done_text="บันทึกของผู้ประสานงาน")
    assert first.status_code == 302
    second = post_update(finance_client, task.id, opened_version, percent="70", done_text="ข้อความของหัวหน้ากอง",
                         files=(io.BytesIO(b"%PDF-1.4 evidence"), "หลักฐาน.pdf"))
    html = page(second)
    assert second.status_code == 409
    assert "มีผู้อื่นบันทึกงานนี้ไปแล้ว" in html
    assert "ข้อความของหัวหน้ากอง" in html  # the head's text is still in the form
    assert "บันทึกของผู้ประสานงาน" in html  # and the other person's update is shown
    assert "หลักฐาน.pdf" in html  # the uploaded file was kept
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    pending = re.search(r'name="pending" type="hidden" value="([\d,]+)"', html).group(1)
    third = post_update(finance_client, task.id, new_version, percent="70", done_text="ข้อความของหัวหน้ากอง",
                        pending=pending)
    assert third.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).percent == 70
    attached = db.session.scalars(select(Evidence).where(Evidence.filename == "หลักฐาน.pdf")).one()
    assert attached.update_id is not None


def test_evidence_file_is_served_to_users_who_may_see_the_task(app, finance_client, executive_client,
                                                                palad_client):
    task = db.session.get(Task, finance_task_id())
    post_update(finance_client, task.id, task.version, files=(io.BytesIO(b"%PDF-1.4 hello"), "สรุป.pdf"))
    evidence = db.session.scalars(select(Evidence).where(Evidence.filename == "สรุป.pdf")).one()
    with executive_client.get(f"/evidence/{evidence.id}") as response:
        assert response.status_code == 200 and response.data == b"%PDF-1.4 hello"
        assert response.mimetype == "application/pdf"
    assert palad_client.get(f"/evidence/{evidence.id}").status_code == 403


def test_evidence_file_is_not_reachable_as_a_static_file(app, finance_client):
    task = db.session.get(Task, finance_task_id())
    post_update(finance_client, task.id, task.version, files=(io.BytesIO(b"%PDF-1.4 x"), "a.pdf"))
    evidence = db.session.scalars(select(Evidence)).one()
    assert finance_client.get(f"/static/{evidence.stored_name}").status_code == 404


def test_another_divisions_task_is_forbidden_and_reveals_nothing(palad_client):
    task = db.session.get(Task, finance_task_id())
    response = palad_client.get(f"/tasks/{task.id}")
    assert response.status_code == 403
    assert task.measure.title not in page(response)


def test_late_task_shows_late_badge(app, finance_client):
    app.config["TRACKER_TODAY"] = "2025-10-15"
    html = page(finance_client.get("/my"))
    assert "status-late" in html and "ล่าช้า" in html


def test_healthz_answers_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_login_page_is_thai(client):
    html = page(client.get("/login"))
    assert "เข้าสู่ระบบ" in html and 'lang="th"' in html


# Evidence the public may see: marked on the update form, or changed afterwards

def test_head_marks_new_links_public_and_files_private_on_the_update_form(finance_client):
    task = db.session.get(Task, finance_task_id())
    assert "เผยแพร่ลิงก์เหล่านี้ในหน้าสาธารณะ" in page(finance_client.get(f"/tasks/{task.id}"))
    response = post_update(finance_client, task.id, task.version, links="https://www.pichai.go.th/news/9",
                           links_public="y", files=(io.BytesIO(b"%PDF-1.4 inside"), "ภายใน.pdf"))
    assert response.status_code == 302
    link = db.session.scalar(select(Evidence).where(Evidence.url == "https://www.pichai.go.th/news/9"))
    file = db.session.scalar(select(Evidence).where(Evidence.filename == "ภายใน.pdf"))
    assert link.public and not file.public
    html = page(finance_client.get(f"/tasks/{task.id}"))
    assert "เลิกเผยแพร่" in html and "เผยแพร่ในหน้าสาธารณะ</button>" in html


def test_head_makes_an_existing_file_public_and_it_is_audited(finance_client):
    task = db.session.get(Task, finance_task_id())
    post_update(finance_client, task.id, task.version, files=(io.BytesIO(b"%PDF-1.4 photo"), "ภาพ.pdf"))
    item = db.session.scalar(select(Evidence).where(Evidence.filename == "ภาพ.pdf"))
    response = finance_client.post(f"/evidence/{item.id}/public", data={"public": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/tasks/{task.id}#history")
    db.session.refresh(item)
    assert item.public
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.public"))
    assert event.before == {"public": False} and event.after == {"public": True, "evidence_name": "ภาพ.pdf"}
    assert event.task_id == task.id
    assert "สุดารัตน์ มั่นคง เผยแพร่หลักฐาน “ภาพ.pdf” ในหน้าสาธารณะ" in page(finance_client.get(f"/tasks/{task.id}"))
    finance_client.post(f"/evidence/{item.id}/public", data={"public": "0"})
    db.session.refresh(item)
    assert not item.public


@pytest.mark.parametrize("fixture", ["palad_client", "executive_client"])
def test_only_who_may_update_the_task_changes_its_evidence(request, finance_client, fixture):
    task = db.session.get(Task, finance_task_id())
    post_update(finance_client, task.id, task.version, links="https://www.pichai.go.th/n")
    item = db.session.scalar(select(Evidence).where(Evidence.url == "https://www.pichai.go.th/n"))
    response = request.getfixturevalue(fixture).post(f"/evidence/{item.id}/public", data={"public": "1"})
    assert response.status_code == 403
    db.session.refresh(item)
    assert not item.public


def test_another_agencys_coordinator_cannot_change_this_agencys_evidence(app, finance_client, other_agency):
    task = db.session.get(Task, finance_task_id())
    post_update(finance_client, task.id, task.version, links="https://www.pichai.go.th/m")
    item = db.session.scalar(select(Evidence).where(Evidence.url == "https://www.pichai.go.th/m"))
    other = login(app.test_client(), other_agency.coordinator.email, factories.PASSWORD)
    assert other.post(f"/evidence/{item.id}/public", data={"public": "1"}).status_code == 404


def test_the_public_mark_survives_an_edit_conflict(finance_client, coordinator_client):
    task = db.session.get(Task, finance_task_id())
    opened = task.version
    post_update(coordinator_client, task.id, opened, percent="55")
    conflict = post_update(finance_client, task.id, opened, files_public="y",
                           files=(io.BytesIO(b"%PDF-1.4 kept"), "เก็บไว้.pdf"))
    assert conflict.status_code == 409 and 'checked id="files_public"' in page(conflict)
    item = db.session.scalar(select(Evidence).where(Evidence.filename == "เก็บไว้.pdf"))
    db.session.refresh(task)
    again = post_update(finance_client, task.id, task.version, files_public="y", pending=str(item.id))
    assert again.status_code == 302
    db.session.refresh(item)
    assert item.public and item.update_id is not None


# --- what others changed since the head last looked ----------------------------------------------

def changes_box(client) -> str:
    html = page(client.get("/my"))
    return html.split('id="changes"', 1)[1].split("</section>", 1)[0] if 'id="changes"' in html else ""


def test_head_sees_what_others_changed_on_their_tasks_until_marking_it_seen(finance_client, coordinator_client):
    first = changes_box(finance_client)  # never marked seen: the year's changes by others
    assert "มีการเปลี่ยนแปลงงานของกองคุณ 4 รายการ" in first and first.count("ระบบ สร้างงาน") == 4
    assert finance_client.post("/my/seen?fy=2568").status_code == 302
    assert changes_box(finance_client) == ""

    own = db.session.get(Task, finance_task_id())
    post_update(finance_client, own.id, own.version, percent="65")  # the head's own: not news to them
    assert changes_box(finance_client) == ""
    task = db.session.get(Task, finance_task_id())
    assert post_update(coordinator_client, task.id, task.version, percent="75").status_code == 302
    other_division = db.session.scalar(select(Task).join(Task.division).where(Division.name == "กองช่าง"))
    post_update(coordinator_client, other_division.id, other_division.version, percent="20")

    box = changes_box(finance_client)
    assert "มีการเปลี่ยนแปลงงานของกองคุณ 1 รายการ" in box and "ตั้งแต่ " in box
    assert "สมศรี ใจดี รายงานความก้าวหน้า กำลังดำเนินการ 75% (เดิม 65%)" in box
    assert f'href="/tasks/{task.id}"' in box and f'href="/tasks/{other_division.id}"' not in box


def test_only_a_head_marks_changes_seen(coordinator_client):
    assert coordinator_client.post("/my/seen").status_code == 403


def test_done_below_100_percent_asks_before_saving_it_as_100(finance_client):
    task = db.session.get(Task, finance_task_id())
    percent_before = task.percent
    asked = post_update(finance_client, task.id, task.version, status="done", percent="60", done_text="ส่งคู่มือแล้ว")

    assert asked.status_code == 422
    html = page(asked)
    assert "เลือก “เสร็จสิ้น” แต่ความก้าวหน้าเป็น 60%" in html and 'name="confirm_done"' in html
    assert "ส่งคู่มือแล้ว" in html  # what was typed is kept
    db.session.refresh(task)
    assert task.percent == percent_before

    saved = post_update(finance_client, task.id, task.version, status="done", percent="60", done_text="ส่งคู่มือแล้ว",
                        confirm_done="y")
    assert saved.status_code == 302
    db.session.refresh(task)
    assert (task.status, task.percent) == ("done", 100)


def test_done_at_100_percent_is_saved_without_asking(finance_client):
    task = db.session.get(Task, finance_task_id())
    assert post_update(finance_client, task.id, task.version, status="done", percent="100").status_code == 302
    assert 'name="confirm_done"' not in page(finance_client.get(f"/tasks/{task.id}"))


def test_the_list_filters_offer_the_years_topics_and_the_active_divisions(coordinator_client, demo):
    from tracker.models import Topic
    from tracker.services import plan
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    topics = db.session.scalars(select(Topic).where(Topic.fiscal_year_id == fiscal_year.id)
                                .order_by(Topic.number)).all()
    works = db.session.scalar(select(Division).where(Division.name == "กองช่าง"))
    works.active = False
    db.session.commit()
    active = [d.name for d in plan.divisions(demo.id)]
    for url in ("/tasks?fy=2568", "/dashboard?fy=2568", "/dashboard/timeline?fy=2568"):
        html = page(coordinator_client.get(f"{url}&topic={topics[1].id}"))
        offered_topics = re.findall(r'<option value="(\d+)" (selected)?>\((\d+)\) ([^<]*)</option>', html)
        assert offered_topics == [(str(t.id), "selected" if t is topics[1] else "", str(t.number), t.title)
                                  for t in topics], url
        division_menu = html.split('name="division">', 1)[1].split("</select>", 1)[0]
        assert re.findall(r'<option value="\d+" >([^<]*)</option>', division_menu) == active, url
        assert "กองช่าง" not in division_menu and len(active) == 3
