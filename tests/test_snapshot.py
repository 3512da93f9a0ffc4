"""A document version keeps its report's data as JSON: it must read back as the same report."""
from datetime import date

from tracker.services import plan
from tracker.services.reports import compile as reports, snapshot
from tests import factories


def test_both_documents_read_back_unchanged(app, demo):
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    for kind in ("measures", "results"):
        report = reports.build(kind, fiscal_year, date(2025, 3, 31))
        text = snapshot.dumps(report)
        assert snapshot.loads(text) == report
        assert snapshot.dumps(snapshot.loads(text)) == text


def test_the_hash_follows_the_data(app, demo):
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    one = snapshot.dumps(reports.build("measures", fiscal_year, date(2025, 3, 31)))
    other = snapshot.dumps(reports.build("results", fiscal_year, date(2025, 3, 31)))
    assert snapshot.content_hash(one) == snapshot.content_hash(one) != snapshot.content_hash(other)


def test_a_factory_version_has_readable_files(app, demo):
    from tracker.services import versions
    fiscal_year = plan.get_fiscal_year(demo.id, 2568)
    version = factories.published_version(fiscal_year)
    assert versions.published(demo.id) == [version]
    assert versions.file_of(version, "docx").content[:2] == b"PK"
    assert versions.report_of(version).organization == demo.name
