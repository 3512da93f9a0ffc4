"""Every form's validation as a user meets it: the form comes back with a Thai message beside the
field, everything else the user typed is still there, and nothing was saved."""
import io
import os
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import AuditEvent, Division, Evidence, Measure, MeasureStep, ProgressUpdate, Task, Topic

DATE_FORMAT_MESSAGE = "รูปแบบวันที่ไม่ถูกต้อง ตัวอย่าง: 30 ก.ย. 2568 หรือ 30/9/2568"
WHOLE_NUMBER_MESSAGE = "กรุณากรอกเป็นตัวเลขจำนวนเต็ม"


class FormPage(HTMLParser):
    """What a user sees of a form page: each control's value, the errors printed in the same
    field box (div.field or fieldset.field), and the alert banners."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self.field_errors: dict[str, list[str]] = {}
        self.alerts: list[str] = []
        self._box = None  # the field box being read: {"tag", "depth", "names", "errors"}
        self._capture = None  # (end tag, kind, name, text parts)
        self._select = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if self._box is None and tag in ("div", "fieldset") and "field" in classes:
            self._box = {"tag": tag, "depth": 0, "names": [], "errors": []}
        if self._box is not None and tag == self._box["tag"]:
            self._box["depth"] += 1
        name = attributes.get("name")
        if tag == "p" and "error" in classes:
            self._capture = ("p", "error", None, [])
        elif tag == "div" and "alert" in classes:
            self._capture = ("div", "alert", None, [])
        elif tag == "textarea" and name:
            self._capture = ("textarea", "value", name, [])
            self._remember(name)
        elif tag == "select" and name:
            self._select = name
            self._remember(name)
        elif tag == "option" and self._select and "selected" in attributes:
            self.values.setdefault(self._select, []).append(attributes.get("value") or "")
        elif tag == "input" and name:
            self._remember(name)
            kind = attributes.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in attributes:
                self.values.setdefault(name, []).append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if self._capture and tag == self._capture[0]:
            _, kind, name, parts = self._capture
            text = "".join(parts)
            if kind == "value":
                self.values.setdefault(name, []).append(text.removeprefix("\r\n").removeprefix("\n"))
            elif kind == "error" and self._box is not None:
                self._box["errors"].append(text.strip())
            elif kind == "alert":
                self.alerts.append(" ".join(text.split()))
            self._capture = None
        if tag == "select":
            self._select = None
        if self._box is not None and tag == self._box["tag"]:
            self._box["depth"] -= 1
            if self._box["depth"] == 0:
                for name in self._box["names"]:
                    self.field_errors.setdefault(name, []).extend(self._box["errors"])
                self._box = None

    def handle_data(self, data):
        if self._capture:
            self._capture[3].append(data)

    def _remember(self, name):
        if self._box is not None and name not in self._box["names"]:
            self._box["names"].append(name)

    def value(self, name: str) -> str | None:
        values = self.values.get(name)
        return values[0] if values else None

    def errors(self, name: str) -> list[str]:
        return self.field_errors.get(name, [])


def page(response) -> FormPage:
    return FormPage(response.get_data(as_text=True))


def refused(response) -> FormPage:
    """The form came back (not a redirect onwards) and is shown to the user again."""
    assert response.status_code in (200, 422), response.status_code
    return page(response)


def saved_rows() -> dict[str, int]:
    """Row counts of everything a form could save, and the audit log that every save writes."""
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Topic, Measure, MeasureStep, Division, Task, ProgressUpdate, Evidence, AuditEvent)}


@pytest.fixture
def nothing_saved(app):
    """Use as: take the counts before the request, then call the fixture's check afterwards."""
    class Snapshot:
        def __init__(self):
            self.before = None

        def take(self):
            self.before = saved_rows()

        def check(self):
            assert saved_rows() == self.before
    return Snapshot()


def topic_numbered(number: int) -> Topic:
    return db.session.scalar(select(Topic).where(Topic.number == number))


# --- login ---------------------------------------------------------------------------------------

def is_logged_in(client) -> bool:
    return client.get("/inbox").status_code == 200


def test_login_without_email_asks_for_the_email(client, demo):
    form = refused(client.post("/login", data={"email": "", "password": "pichai2568"}))

    assert form.errors("email") == ["กรุณากรอกอีเมล"]
    assert not is_logged_in(client)


def test_login_without_password_asks_for_the_password(client, demo):
    form = refused(client.post("/login", data={"email": "finance@pichai.example", "password": ""}))

    assert form.errors("password") == ["กรุณากรอกรหัสผ่าน"]
    assert form.value("email") == "finance@pichai.example"


def test_login_with_a_malformed_email_says_the_email_is_invalid(client, demo):
    form = refused(client.post("/login", data={"email": "finance.pichai.example", "password": "pichai2568"}))

    assert form.errors("email") == ["อีเมลไม่ถูกต้อง"]
    assert form.value("email") == "finance.pichai.example"
    assert not is_logged_in(client)


def test_login_with_a_wrong_password_says_email_or_password_is_wrong(client, demo):
    form = refused(client.post("/login", data={"email": "finance@pichai.example", "password": "wrong-password"}))

    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in form.alerts
    assert form.value("email") == "finance@pichai.example"
    assert not is_logged_in(client)


def test_login_with_an_unknown_email_gives_the_same_message_as_a_wrong_password(client, demo):
    form = refused(client.post("/login", data={"email": "nobody@pichai.example", "password": "pichai2568"}))

    assert "อีเมลหรือรหัสผ่านไม่ถูกต้อง" in form.alerts


def test_login_form_never_shows_the_typed_password_again(client, demo):
    form = refused(client.post("/login", data={"email": "finance@pichai.example", "password": "wrong-password"}))

    assert form.value("password") == ""


# --- topic ---------------------------------------------------------------------------------------

TOPIC_FORM = {"number": "8", "title": "การเปิดโอกาสให้เกิดการมีส่วนร่วม", "analysis": "O25 ได้ 0 คะแนน"}


def test_topic_without_title_asks_for_the_title(coordinator_client, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post("/plan/topics/new", data={**TOPIC_FORM, "title": "  "}))

    assert form.errors("title") == ["กรุณากรอกชื่อประเด็น"]
    assert (form.value("number"), form.value("analysis")) == ("8", "O25 ได้ 0 คะแนน")
    nothing_saved.check()


def test_topic_number_that_is_not_a_number_says_to_type_a_whole_number(coordinator_client, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post("/plan/topics/new", data={**TOPIC_FORM, "number": "แปด"}))

    assert WHOLE_NUMBER_MESSAGE in form.errors("number")
    assert "กรุณากรอกลำดับประเด็น" not in form.errors("number")
    assert form.value("number") == "แปด"
    assert form.value("title") == TOPIC_FORM["title"]
    nothing_saved.check()


def test_topic_number_out_of_range_gives_the_range(coordinator_client, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post("/plan/topics/new", data={**TOPIC_FORM, "number": "100"}))

    assert form.errors("number") == ["ต้องเป็นตัวเลขระหว่าง 1 ถึง 99"]
    nothing_saved.check()


def test_topic_number_already_used_in_the_fiscal_year_is_refused(coordinator_client, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post("/plan/topics/new", data={**TOPIC_FORM, "number": "4"}))

    assert form.errors("number") == ["มีประเด็นลำดับที่ 4 ในปีงบประมาณนี้แล้ว"]
    assert (form.value("title"), form.value("analysis")) == (TOPIC_FORM["title"], TOPIC_FORM["analysis"])
    nothing_saved.check()


def test_editing_a_topic_to_a_number_already_used_is_refused(coordinator_client, nothing_saved):
    topic = topic_numbered(7)
    nothing_saved.take()

    form = refused(coordinator_client.post(f"/plan/topics/{topic.id}/edit", data={**TOPIC_FORM, "number": "4"}))

    assert form.errors("number") == ["มีประเด็นลำดับที่ 4 ในปีงบประมาณนี้แล้ว"]
    assert form.value("title") == TOPIC_FORM["title"]
    nothing_saved.check()
    assert db.session.get(Topic, topic.id).number == 7


def test_topic_number_in_thai_digits_is_accepted(coordinator_client):
    response = coordinator_client.post("/plan/topics/new", data={**TOPIC_FORM, "number": "๘"})

    assert response.status_code == 302
    assert topic_numbered(8).title == TOPIC_FORM["title"]


# --- measure -------------------------------------------------------------------------------------

MEASURE_FORM = {
    "title": "จัดทำช่องทางรับฟังความคิดเห็นออนไลน์",
    "details": "ผ่านเว็บไซต์และเพจ Facebook",
    "steps": "สำรวจช่องทางเดิม\nเปิดแบบฟอร์มออนไลน์",
    "start_date": "1 ต.ค. 2567",
    "end_date": "30 ก.ย. 2568",
    "period_text": "ตลอดปีงบประมาณ",
    "all_divisions": "y",
    "responsible_text": "ทุกกอง",
}


@pytest.fixture
def new_measure_url(demo):
    return f"/plan/topics/{topic_numbered(2).id}/measures/new"


def only_new_measure() -> Measure:
    return db.session.scalar(select(Measure).where(Measure.title == MEASURE_FORM["title"]))


def assert_typed_measure_text_kept(form: FormPage, **changed):
    expected = {**MEASURE_FORM, **changed}
    for name in ("title", "details", "steps", "start_date", "end_date", "period_text", "responsible_text"):
        assert (form.value(name) or "").replace("\r\n", "\n") == expected[name], name


def test_measure_without_steps_asks_for_at_least_one_step(coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "steps": ""}))

    assert form.errors("steps") == ["กรุณากรอกขั้นตอนอย่างน้อย 1 ขั้นตอน"]
    assert_typed_measure_text_kept(form, steps="")
    nothing_saved.check()


def test_measure_whose_steps_are_only_numbers_asks_for_at_least_one_step(
        coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "steps": "1.\n2."}))

    assert form.errors("steps") == ["กรุณากรอกขั้นตอนอย่างน้อย 1 ขั้นตอน"]
    nothing_saved.check()


def test_measure_without_division_and_not_all_divisions_asks_for_a_division(
        coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "all_divisions": ""}))

    assert form.errors("division_ids") == ["กรุณาเลือกกองผู้รับผิดชอบอย่างน้อย 1 กอง หรือเลือก “ทุกกอง”"]
    assert_typed_measure_text_kept(form)
    nothing_saved.check()


def test_measure_keeps_the_ticked_divisions_when_refused(coordinator_client, new_measure_url):
    finance = db.session.scalar(select(Division).where(Division.name == "กองคลัง"))
    data = {**MEASURE_FORM, "all_divisions": "", "division_ids": str(finance.id), "steps": ""}

    form = refused(coordinator_client.post(new_measure_url, data=data))

    assert form.values.get("division_ids") == [str(finance.id)]


def test_measure_starting_before_the_fiscal_year_is_refused(coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "start_date": "1 ก.ย. 2567"}))

    assert form.errors("start_date") == ["ต้องอยู่ในปีงบประมาณ พ.ศ. 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)"]
    assert_typed_measure_text_kept(form, start_date="1 ก.ย. 2567")
    nothing_saved.check()


def test_measure_ending_after_the_fiscal_year_is_refused(coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "end_date": "1/10/2568"}))

    assert form.errors("end_date") == ["ต้องอยู่ในปีงบประมาณ พ.ศ. 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)"]
    nothing_saved.check()


def test_measure_ending_before_it_starts_is_refused(coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()
    dates = {"start_date": "1 มี.ค. 2568", "end_date": "1 ก.พ. 2568"}

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, **dates}))

    assert form.errors("end_date") == ["วันสิ้นสุดต้องไม่ก่อนวันเริ่ม"]
    assert_typed_measure_text_kept(form, **dates)
    nothing_saved.check()


def test_measure_with_an_unreadable_date_says_how_to_write_it(coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "start_date": "31 ฟฟ. 2568"}))

    assert form.errors("start_date") == [DATE_FORMAT_MESSAGE]
    assert_typed_measure_text_kept(form, start_date="31 ฟฟ. 2568")
    nothing_saved.check()


def test_measure_with_a_day_that_does_not_exist_says_how_to_write_it(
        coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "end_date": "31/9/2568"}))

    assert form.errors("end_date") == [DATE_FORMAT_MESSAGE]
    assert form.value("end_date") == "31/9/2568"
    nothing_saved.check()


def test_measure_without_start_date_asks_for_it(coordinator_client, new_measure_url, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "start_date": ""}))

    assert form.errors("start_date") == ["กรุณากรอกวันเริ่ม"]
    nothing_saved.check()


def test_measure_dates_in_thai_digits_are_accepted(coordinator_client, new_measure_url):
    data = {**MEASURE_FORM, "start_date": "๑/๑๐/๒๕๖๗", "end_date": "๓๑/๓/๒๕๖๘"}

    response = coordinator_client.post(new_measure_url, data=data)

    assert response.status_code == 302
    measure = only_new_measure()
    assert (measure.start_date, measure.end_date) == (date(2024, 10, 1), date(2025, 3, 31))


def test_measure_date_with_two_digit_buddhist_year_is_accepted(coordinator_client, new_measure_url):
    response = coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "end_date": "30 ก.ย. 68"})

    assert response.status_code == 302
    assert only_new_measure().end_date == date(2025, 9, 30)


def test_measure_step_numbers_typed_by_the_user_are_removed(coordinator_client, new_measure_url):
    steps = "1. สำรวจช่องทางเดิม\n2) เปิดแบบฟอร์มออนไลน์\n\n 3 . สรุปผลเสนอผู้บริหาร"

    coordinator_client.post(new_measure_url, data={**MEASURE_FORM, "steps": steps})

    assert [step.text for step in only_new_measure().steps] == [
        "สำรวจช่องทางเดิม", "เปิดแบบฟอร์มออนไลน์", "สรุปผลเสนอผู้บริหาร"]


def test_measure_edit_refused_keeps_the_saved_measure_unchanged(coordinator_client, nothing_saved):
    measure = topic_numbered(4).measures[0]
    title, start = measure.title, measure.start_date
    nothing_saved.take()

    form = refused(coordinator_client.post(f"/plan/measures/{measure.id}/edit",
                                           data={**MEASURE_FORM, "start_date": "31 ฟฟ. 2568"}))

    assert form.value("title") == MEASURE_FORM["title"]
    nothing_saved.check()
    measure = db.session.get(Measure, measure.id)
    assert (measure.title, measure.start_date) == (title, start)


# --- division ------------------------------------------------------------------------------------

def test_division_without_name_asks_for_the_name(coordinator_client, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post("/plan/divisions", data={"name": "   "}))

    assert form.errors("name") == ["กรุณากรอกชื่อกอง"]
    nothing_saved.check()


def test_division_with_a_name_already_used_is_refused(coordinator_client, nothing_saved):
    nothing_saved.take()

    form = refused(coordinator_client.post("/plan/divisions", data={"name": " กองคลัง "}))

    assert form.errors("name") == ["มี “กองคลัง” อยู่แล้ว"]
    assert form.value("name").strip() == "กองคลัง"
    nothing_saved.check()


def test_renaming_a_division_to_a_name_already_used_is_refused(coordinator_client, nothing_saved):
    works = db.session.scalar(select(Division).where(Division.name == "กองช่าง"))
    nothing_saved.take()

    form = refused(coordinator_client.post(f"/plan/divisions/{works.id}/edit", data={"name": "กองคลัง"}))

    assert form.errors("name") == ["มี “กองคลัง” อยู่แล้ว"]
    assert form.value("name") == "กองคลัง"
    nothing_saved.check()
    assert db.session.get(Division, works.id).name == "กองช่าง"


# --- progress on a task page ---------------------------------------------------------------------

PROGRESS_FORM = {
    "status": "in_progress",
    "percent": "40",
    "done_text": "ประชุมชี้แจงเจ้าหน้าที่กองคลังแล้ว",
    "problems": "ผู้รับผิดชอบลาคลอด",
    "links": "https://www.pichai.go.th/news/1",
}


@pytest.fixture
def finance_task(finance_client):
    return db.session.scalar(select(Task).join(Task.division).where(Division.name == "กองคลัง")
                             .order_by(Task.id).limit(1))


def post_progress(client, task, files=None, **changed):
    data = {**PROGRESS_FORM, "version": str(task.version), **changed}
    if files:
        data["files"] = files
    response = client.post(f"/tasks/{task.id}", data=data, content_type="multipart/form-data")
    # The test client spools a large body to a temporary file and leaves it open.
    response.request.environ["wsgi.input"].close()
    return response


def uploaded_files(app) -> list[str]:
    folder = app.config["TRACKER_UPLOAD_DIR"]
    return os.listdir(folder) if os.path.isdir(folder) else []


def assert_typed_progress_kept(form: FormPage, **changed):
    expected = {**PROGRESS_FORM, **changed}
    for name in ("status", "percent", "done_text", "problems", "links"):
        assert (form.value(name) or "").replace("\r\n", "\n") == expected[name], name


def test_progress_above_100_percent_gives_the_range(finance_client, finance_task, nothing_saved):
    nothing_saved.take()

    form = refused(post_progress(finance_client, finance_task, percent="150"))

    assert form.errors("percent") == ["ต้องเป็นตัวเลขระหว่าง 0 ถึง 100"]
    assert_typed_progress_kept(form, percent="150")
    nothing_saved.check()


def test_progress_percent_that_is_not_a_number_says_to_type_a_whole_number(
        finance_client, finance_task, nothing_saved):
    nothing_saved.take()

    form = refused(post_progress(finance_client, finance_task, percent="abc"))

    assert WHOLE_NUMBER_MESSAGE in form.errors("percent")
    assert_typed_progress_kept(form, percent="abc")
    nothing_saved.check()


def test_progress_without_percent_asks_for_it(finance_client, finance_task, nothing_saved):
    nothing_saved.take()

    form = refused(post_progress(finance_client, finance_task, percent=""))

    assert form.errors("percent") == ["กรุณากรอกความก้าวหน้าเป็นตัวเลข 0–100"]
    nothing_saved.check()


def test_progress_link_that_is_not_a_web_address_is_refused(finance_client, finance_task, nothing_saved):
    nothing_saved.take()
    links = "https://www.pichai.go.th/news/1\nftp://x"

    form = refused(post_progress(finance_client, finance_task, links=links))

    assert form.errors("links") == ["ลิงก์ “ftp://x” ไม่ถูกต้อง ต้องขึ้นต้นด้วย http:// หรือ https://"]
    assert_typed_progress_kept(form, links=links)
    nothing_saved.check()


def test_progress_file_of_a_forbidden_type_is_refused(app, finance_client, finance_task, nothing_saved):
    nothing_saved.take()
    files = [(io.BytesIO(b"MZ\x90\x00"), "setup.exe")]

    form = refused(post_progress(finance_client, finance_task, files=files))

    allowed = ", ".join(app.config["TRACKER_UPLOAD_EXTENSIONS"])
    assert form.errors("files") == [f"ไฟล์ “setup.exe” เป็นชนิดที่ไม่รับ (รับเฉพาะ {allowed})"]
    assert_typed_progress_kept(form)
    nothing_saved.check()
    assert uploaded_files(app) == []


def test_progress_file_larger_than_the_limit_is_refused(app, finance_client, finance_task, nothing_saved):
    app.config["TRACKER_MAX_UPLOAD_MB"] = 1
    nothing_saved.take()
    files = [(io.BytesIO(b"%PDF-1.4\n" + b"0" * (1536 * 1024)), "รายงาน.pdf")]

    form = refused(post_progress(finance_client, finance_task, files=files))

    assert form.errors("files") == ["ไฟล์ “รายงาน.pdf” ใหญ่เกิน 1 MB"]
    assert_typed_progress_kept(form)
    nothing_saved.check()
    assert uploaded_files(app) == []


def test_progress_pdf_whose_content_is_not_a_pdf_is_refused(app, finance_client, finance_task, nothing_saved):
    nothing_saved.take()
    files = [(io.BytesIO(b"MZ\x90\x00 not a pdf"), "คำสั่ง.pdf")]

    form = refused(post_progress(finance_client, finance_task, files=files))

    assert form.errors("files") == ["เนื้อหาไฟล์ “คำสั่ง.pdf” ไม่ตรงกับนามสกุล .pdf"]
    assert_typed_progress_kept(form)
    nothing_saved.check()
    assert uploaded_files(app) == []


def test_progress_with_one_bad_file_stores_none_of_the_files(app, finance_client, finance_task, nothing_saved):
    nothing_saved.take()
    files = [(io.BytesIO(b"%PDF-1.4 good"), "ดี.pdf"), (io.BytesIO(b"MZ"), "setup.exe")]

    refused(post_progress(finance_client, finance_task, files=files))

    nothing_saved.check()
    assert uploaded_files(app) == []


def test_progress_with_a_good_pdf_is_saved_with_its_file(app, finance_client, finance_task):
    files = [(io.BytesIO(b"%PDF-1.4 good"), "รายงาน.pdf")]

    response = post_progress(finance_client, finance_task, files=files)

    assert response.status_code == 302
    assert [e.filename for e in db.session.scalars(select(Evidence).where(Evidence.task_id == finance_task.id))
            if e.is_file] == ["รายงาน.pdf"]
    assert len(uploaded_files(app)) == 1


# --- CSRF ----------------------------------------------------------------------------------------

def test_post_without_csrf_token_is_refused_with_a_thai_message(app, finance_client, finance_task, nothing_saved):
    app.config["WTF_CSRF_ENABLED"] = True
    nothing_saved.take()

    response = post_progress(finance_client, finance_task)

    assert response.status_code == 400
    assert "แบบฟอร์มนี้หมดอายุหรือไม่สมบูรณ์ กรุณากลับไปโหลดหน้าใหม่แล้วส่งอีกครั้ง" in response.get_data(as_text=True)
    nothing_saved.check()


def test_post_with_the_csrf_token_of_the_page_is_accepted(app, finance_client, finance_task):
    app.config["WTF_CSRF_ENABLED"] = True
    token = page(finance_client.get(f"/tasks/{finance_task.id}")).value("csrf_token")

    response = post_progress(finance_client, finance_task, csrf_token=token)

    assert token
    assert response.status_code == 302
