"""The Word files of O34 and O35: python-docx reopens what the writer made from the demo and finds
its measures, steps, divisions, scores and figures, set in a Thai font for complex-script runs."""
from contextlib import contextmanager
from datetime import date
from io import BytesIO

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Cm, Emu
from docx.text.paragraph import Paragraph

from tests.statements import counted_statements
from tracker.services.plan import get_fiscal_year
from tracker.services.reports import data
from tracker.services.reports.docx import MEASURES_COLUMNS, TH_SARABUN_NEW, write_docx

AS_OF = date(2025, 3, 31)
SIGNERS = [
    data.Signer("ผู้รายงาน", "สมศรี ใจดี", "นักวิเคราะห์นโยบายและแผน"),
    data.Signer("ผู้ตรวจสอบ", "สมชาย รักงาน", "ปลัดองค์การบริหารส่วนตำบลพิชัย"),
    data.Signer("ทราบ", "ประเสริฐ พิชัยกุล", "นายกองค์การบริหารส่วนตำบลพิชัย"),
]
SUGGESTIONS = "ควรเร่งรัดหน่วยงานที่ยังไม่เริ่มดำเนินการ\nควรจัดอบรมเจ้าหน้าที่ให้ใช้คู่มือ"
MONITORING = "ผู้ประสานงานรวบรวมผลการดำเนินงานจากทุกกองทุกเดือน และรายงานนายก อบต. รอบ 6 เดือนและสิ้นปีงบประมาณ"


@pytest.fixture
def fiscal_year(app, demo):
    return get_fiscal_year(demo.id, 2568)


@pytest.fixture
def o35(fiscal_year):
    return data.results_report(fiscal_year, AS_OF, SUGGESTIONS, SIGNERS)


@pytest.fixture
def o34(fiscal_year):
    return data.measures_document(fiscal_year, date(2024, 10, 1), MONITORING, SIGNERS[1:])


def reopen(content: bytes):
    return Document(BytesIO(content))


def cells_text(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def full_text(document) -> str:
    """Every paragraph of the body, its tables included, in order."""
    return "\n".join(p.text for p in _paragraphs(document.element.body))


def _paragraphs(element):
    return [Paragraph(p, None) for p in element.iter(qn("w:p"))]


def table_after(document, header_first_cell: str) -> list:
    return [t for t in document.tables if t.rows and t.rows[0].cells[0].text == header_first_cell]


@contextmanager
def no_queries():
    with counted_statements() as statements:
        yield
    assert statements == [], "a writer touched the database"


def test_o35_holds_measures_steps_divisions_and_what_was_done(o35):
    with no_queries():
        document = reopen(write_docx(o35))
    text = full_text(document)
    assert "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน" in text
    assert "รอบ 6 เดือน" in text and "ประจำปี\n" not in text
    assert "ปีงบประมาณ พ.ศ. 2568" in text
    assert "องค์การบริหารส่วนตำบลพิชัย อำเภอเมืองลำปาง จังหวัดลำปาง" in text
    assert "ข้อมูล ณ วันที่ 31 มีนาคม 2568" in text
    for topic in o35.topics:
        assert f"ประเด็นที่ {topic.number} {topic.title}" in text
        for measure in topic.measures:
            assert measure.title in text
            assert measure.period in text
            for step in measure.steps:
                assert step in text
            for task in measure.tasks:
                assert task.division in text
    assert "จัดทำคู่มือการปฏิบัติงานฉบับย่อ (Infographic) และเผยแพร่บนเว็บไซต์แล้ว" in text
    assert "ทุกกอง (สำนักปลัด, กองคลัง, กองช่าง, กองการศึกษา ศาสนาและวัฒนธรรม)" in text
    for line in SUGGESTIONS.splitlines():
        assert line in text
    for signer in SIGNERS:
        assert signer.caption in text and f"({signer.name})" in text and signer.position in text
    assert "รายงาน ณ วันที่ 31 มีนาคม 2568" in text


def test_o35_summary_by_division_with_totals(o35):
    document = reopen(write_docx(o35))
    [summary] = table_after(document, "กอง / หน่วยงาน")
    rows = cells_text(summary)
    assert rows[0] == ["กอง / หน่วยงาน", "จำนวนงาน", "เสร็จสิ้น", "กำลังดำเนินการ", "ยังไม่เริ่ม", "ล่าช้า", "ยกเลิก"]
    expected = [[row.division, *(str(getattr(row, name)) for name in
                                 ("total", "done", "in_progress", "not_started", "late", "cancelled"))]
                for row in [*o35.summary, o35.totals]]
    assert rows[1:] == expected
    divisions = [row[0] for row in rows[1:-1]]
    assert divisions == ["สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา ศาสนาและวัฒนธรรม"]
    # the demo's mid-year: 2 tasks done (สำนักปลัด's manual, กองคลัง's asset rules), 2 in progress
    assert rows[-1][:4] == ["รวม", str(o35.totals.total), "2", "2"]
    text = full_text(document)
    assert f"รวมทั้งสิ้น {o35.totals.total}\u00a0งาน เสร็จสิ้น 2\u00a0งาน" in text


def test_o35_table_per_measure_shows_each_divisions_result(o35):
    document = reopen(write_docx(o35))
    tables = table_after(document, "หน่วยงาน")
    assert len(tables) == sum(len(topic.measures) for topic in o35.topics)
    first = cells_text(tables[0])
    assert first[0] == ["หน่วยงาน", "ผลการดำเนินงาน", "สถานะ", "ร้อยละ", "หลักฐาน", "ปัญหาอุปสรรค"]
    by_division = {row[0]: row for row in first[1:]}
    assert by_division["สำนักปลัด"][1].startswith("จัดทำคู่มือการปฏิบัติงานฉบับย่อ")
    status = by_division["สำนักปลัด"][2]
    assert status.startswith("เสร็จสิ้น") and "20\u00a0ม.ค.\u00a02568" in status  # when it was reported
    assert by_division["สำนักปลัด"][3] == "100"
    assert by_division["กองคลัง"][2].startswith("กำลังดำเนินการ") and by_division["กองคลัง"][3] == "60"
    assert by_division["กองช่าง"][1:4] == ["–", "ยังไม่เริ่ม", "0"]


def test_o35_evidence_is_linked_and_problems_are_listed(o35):
    task = o35.topics[0].measures[0].tasks[1]
    task.evidence = ["https://www.pichai.go.th/tax-manual-2568", "ภาพถ่ายการประชุม.jpg"]
    task.problems = ["เจ้าหน้าที่ใหม่ยังไม่คุ้นกับคู่มือ"]
    task.done = ["จัดทำร่างคู่มือแล้ว", "เสนอปลัด อบต. ลงนามแล้ว"]
    document = reopen(write_docx(o35))
    row = cells_text(table_after(document, "หน่วยงาน")[0])[2]
    assert row[0] == task.division
    assert row[1] == "–\tจัดทำร่างคู่มือแล้ว\n–\tเสนอปลัด อบต. ลงนามแล้ว"
    assert "https://www.pichai.go.th/tax-manual-2568" in row[4] and "ภาพถ่ายการประชุม.jpg" in row[4]
    assert row[5] == "เจ้าหน้าที่ใหม่ยังไม่คุ้นกับคู่มือ"
    links = [rel.target_ref for rel in document.part.rels.values() if rel.reltype == RT.HYPERLINK]
    assert links == ["https://www.pichai.go.th/tax-manual-2568"]
    problem = f"{task.division} ({o35.topics[0].measures[0].title}): เจ้าหน้าที่ใหม่ยังไม่คุ้นกับคู่มือ"
    assert problem in full_text(document)  # listed again under ปัญหาอุปสรรค


def test_year_end_report_and_late_tasks(fiscal_year):
    year_end = data.results_report(fiscal_year, date(2025, 9, 30), "", [])
    assert year_end.round.label == "ประจำปี (รอบ 12 เดือน)"
    text = full_text(reopen(write_docx(year_end)))
    assert "ประจำปี (รอบ 12 เดือน) (1 ตุลาคม 2567 – 30 กันยายน 2568)" in text and "รอบ 6 เดือน" not in text
    # without signers from the settings, blank blocks to sign by hand
    assert "(..................................................)" in text

    after = data.results_report(fiscal_year, date(2025, 10, 15), "", [])
    document = reopen(write_docx(after))
    [summary] = table_after(document, "กอง / หน่วยงาน")
    late_total = cells_text(summary)[-1][5]
    assert int(late_total) == after.totals.late > 0
    statuses = [row[2] for table in table_after(document, "หน่วยงาน") for row in cells_text(table)[1:]]
    assert any(status.startswith("ล่าช้า") for status in statuses)


def test_every_run_is_set_for_thai(o35, o34):
    for report in (o35, o34):
        document = reopen(write_docx(report))
        parts = [document.element.body, *(s.footer._element for s in document.sections)]
        runs = [r for part in parts for r in part.iter(qn("w:r"))]
        assert len(runs) > 100
        for run in runs:
            r_pr = run.find(qn("w:rPr"))
            fonts = r_pr.find(qn("w:rFonts"))
            for name in ("w:ascii", "w:hAnsi", "w:cs"):
                assert fonts.get(qn(name)) == TH_SARABUN_NEW.family
            size, size_cs = r_pr.find(qn("w:sz")), r_pr.find(qn("w:szCs"))
            assert size is not None and size_cs is not None
            assert size.get(qn("w:val")) == size_cs.get(qn("w:val"))
            assert int(size_cs.get(qn("w:val"))) >= 24  # 12 pt and up
            assert r_pr.find(qn("w:lang")).get(qn("w:bidi")) == "th-TH"
            if r_pr.find(qn("w:b")) is not None:
                assert r_pr.find(qn("w:bCs")) is not None
            tags = [child.tag for child in r_pr]
            assert tags.index(qn("w:rFonts")) < tags.index(qn("w:sz")) < tags.index(qn("w:szCs")) \
                < tags.index(qn("w:lang"))  # schema order, or Word refuses the file
        body_sizes = {r.find(qn("w:rPr")).find(qn("w:szCs")).get(qn("w:val")) for r in runs}
        assert "32" in body_sizes  # 16 pt TH Sarabun New, the official body size


def test_o34_is_landscape_with_the_seeds_columns_scores_and_analysis(o34):
    with no_queries():
        document = reopen(write_docx(o34))
    section = document.sections[-1]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert abs(section.page_width - Cm(29.7)) < Cm(0.05) and abs(section.page_height - Cm(21.0)) < Cm(0.05)
    [table] = document.tables[:1]
    rows = cells_text(table)
    assert tuple(rows[0]) == MEASURES_COLUMNS == (
        "ประเด็น", "ข้อคำถาม ITA", "ผลคะแนน", "การวิเคราะห์ผลการประเมิน", "มาตรการหรือกิจกรรม",
        "ขั้นตอนหรือวิธีการปฏิบัติ", "ช่วงระยะเวลาในการดำเนินการ", "ผู้รับผิดชอบ")
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    scores = {row[1].split(" ")[0]: row[2] for row in rows[1:] if row[1]}
    assert scores["O8"] == "50" and scores["O9"] == "0" and scores["O25"] == "0" and scores["O34"] == "0"
    assert scores["e9"] == "98.15" and scores["e5"] == "99.26" and scores["i10"] == "97.14"
    assert rows[1][0] == "(1) กระบวนการปฏิบัติงานที่โปร่งใส และมีประสิทธิภาพ"
    text = full_text(document)
    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน" in text
    assert "แสดงผลการวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ ในปี พ.ศ. 2567" in text
    assert "องค์การบริหารส่วนตำบลพิชัย อำเภอเมืองลำปาง จังหวัดลำปาง" in text
    for topic in o34.topics:
        assert topic.analysis[:60] in text
        for measure in topic.measures:
            assert measure.title in text and measure.period in text
            for number, step in enumerate(measure.steps, 1):
                assert f"{number}.\t{step}" in text
    topic4 = next(row for row in rows if row[0].startswith("(4)"))
    assert topic4[6:] == ["ปีงบประมาณ พ.ศ. 2568", "กองคลัง"]
    assert "การกำกับติดตามและรายงานผลต่อผู้บริหาร" in text and MONITORING in text
    assert "(ประเสริฐ พิชัยกุล)" in text and "ประกาศ ณ วันที่ 1 ตุลาคม 2567" in text


def test_o34_two_measures_of_a_topic_each_keep_their_steps(o34):
    rows = cells_text(reopen(write_docx(o34)).tables[0])
    topic2 = [row for row in rows if row[0].startswith("(2)")]
    first, second = o34.topics[1].measures
    assert topic2[0][4].startswith(f"1. {first.title}") and topic2[-1][4].startswith(f"2. {second.title}")
    assert topic2[0][5].startswith(f"1.\t{first.steps[0]}")
    assert topic2[-1][5].startswith(f"1.\t{second.steps[0]}")


def test_o34_without_monitoring_text_still_says_how_it_is_followed_up(fiscal_year):
    report = data.measures_document(fiscal_year, date(2024, 10, 1))
    text = full_text(reopen(write_docx(report)))
    assert "การกำกับติดตามและรายงานผลต่อผู้บริหาร" in text and "รายงานผลการดำเนินการต่อผู้บริหาร" in text


def letterhead() -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = Cm(2.2)
    section.header.paragraphs[0].text = "องค์การบริหารส่วนตำบลพิชัย โทร. 0 5400 0000 (หัวจดหมาย)"
    document.add_paragraph("ตราสัญลักษณ์ อบต.พิชัย")
    document.add_paragraph("")  # the blank line a template ends with
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def test_letterhead_template_keeps_its_header_and_page_setup(o35, o34):
    document = reopen(write_docx(o35, letterhead()))
    section = document.sections[-1]
    assert section.header.paragraphs[0].text == "องค์การบริหารส่วนตำบลพิชัย โทร. 0 5400 0000 (หัวจดหมาย)"
    assert abs(section.left_margin - Cm(2.2)) < Cm(0.01)
    assert section.page_width < section.page_height
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "ตราสัญลักษณ์ อบต.พิชัย"
    assert paragraphs[1] == o35.title  # the template's trailing blank line is gone
    assert "ข้อมูล ณ วันที่ 31 มีนาคม 2568" in full_text(document)
    # the table fills the template's own text width
    [summary] = table_after(document, "กอง / หน่วยงาน")
    width = sum(int(col.get(qn("w:w"))) for col in summary._tbl.tblGrid.iter(qn("w:gridCol")))
    assert abs(width - Emu(section.page_width - section.left_margin - section.right_margin).twips) < 10

    document = reopen(write_docx(o34, letterhead()))
    section = document.sections[-1]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    assert "(หัวจดหมาย)" in section.header.paragraphs[0].text


def test_a_template_that_is_not_a_word_file_is_refused_in_thai(o35):
    with pytest.raises(ValueError, match="ไม่ใช่เอกสาร Word"):
        write_docx(o35, b"not a docx")

