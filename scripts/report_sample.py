"""The first page of the demo's O35 results report as a PNG for the README: docs/screenshots/o35-page1.png.

Builds the demo in a temporary SQLite file, writes the 6-month report (as of 31 มี.ค. 2568) as PDF
through LibreOffice, and renders its first page with poppler's pdftoppm. With --out DIR it also
keeps the O34 and O35 files (DOCX and PDF) there to look at.
Run: .venv/bin/python scripts/report_sample.py [--out DIR]
"""
import argparse
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import current_app
from sqlalchemy import select  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Role, User  # noqa: E402
from tracker.models.report import DEFAULT_MONITORING  # noqa: E402
from tracker.services.demo import load_demo  # noqa: E402
from tracker.services.plan import get_fiscal_year  # noqa: E402
from tracker.services.reports import data  # noqa: E402
from tracker.services.reports.docx import write_docx  # noqa: E402
from tracker.services.reports.pdf import write_pdf  # noqa: E402
from tracker.transactions import transaction  # noqa: E402

PNG = ROOT / "docs" / "screenshots" / "o35-page1.png"
AS_OF = date(2025, 3, 31)
SUGGESTIONS = ("ควรเร่งรัดกองที่ยังไม่เริ่มดำเนินการตามมาตรการให้เริ่มภายในไตรมาสที่ 3\n"
               "ควรแนบหลักฐานการดำเนินงานทุกครั้งที่รายงานความก้าวหน้า เพื่อใช้ประกอบการประเมิน ITA")


def demo_reports(folder: Path) -> tuple[data.Report, data.Report]:
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}",
        "TRACKER_UPLOAD_DIR": str(folder / "uploads"),
        "TRACKER_TODAY": AS_OF.isoformat(),
        "SECRET_KEY": "report-sample",
    })
    with app.app_context():
        db.create_all()
        with transaction():
            organization, _ = load_demo(current_app.config)
        people = {u.role: u for u in db.session.scalars(select(User).where(User.organization_id == organization.id))}
        reporter, executive = people[Role.COORDINATOR], people[Role.EXECUTIVE]
        signers = [data.Signer("ผู้รายงาน", reporter.name, reporter.position),
                   data.Signer("ผู้ตรวจสอบ", "", f"ปลัด{organization.name}"),
                   data.Signer("ทราบ", executive.name, executive.position)]
        fiscal_year = get_fiscal_year(organization.id, 2568)
        o35 = data.results_report(fiscal_year, AS_OF, SUGGESTIONS, signers)
        o34 = data.measures_document(fiscal_year, fiscal_year.start_date, DEFAULT_MONITORING,
                                     [signers[1], data.Signer("ผู้อนุมัติ", executive.name, executive.position)])
        db.session.remove()
        db.engine.dispose()
    return o35, o34


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also keep the O34 and O35 DOCX and PDF files in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        o35, o34 = demo_reports(Path(folder))
        pdf = Path(folder) / "o35.pdf"
        pdf.write_bytes(write_pdf(o35))
        PNG.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", "-f", "1", "-l", "1", str(pdf),
                        str(PNG.with_suffix(""))], check=True)
        print(f"Saved {PNG}")
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            for name, report in (("o35", o35), ("o34", o34)):
                (args.out / f"{name}.docx").write_bytes(write_docx(report))
                (args.out / f"{name}.pdf").write_bytes(write_pdf(report))
            print(f"Saved the O34 and O35 DOCX and PDF files in {args.out}")


if __name__ == "__main__":
    main()
