from datetime import date, datetime

import pytest

from tracker import thai


def test_format_date_uses_short_thai_month_and_buddhist_year():
    assert thai.format_date(date(2024, 10, 1)) == "1 ต.ค. 2567"


def test_format_date_long_spells_the_month():
    assert thai.format_date(date(2025, 9, 30), long=True) == "30 กันยายน 2568"


def test_format_datetime_shows_bangkok_time():
    assert thai.format_datetime(datetime(2025, 3, 31, 17, 30)) == "1 เม.ย. 2568 00:30 น."


@pytest.mark.parametrize("text, expected", [
    ("30 ก.ย. 2568", date(2025, 9, 30)),
    ("30 ก.ย. 68", date(2025, 9, 30)),
    ("วันที่ 1 ต.ค. 2567", date(2024, 10, 1)),
    ("1 ต.ค.67", date(2024, 10, 1)),
    ("30 กันยายน 2568", date(2025, 9, 30)),
    ("30 กย 2568", date(2025, 9, 30)),
    ("30/9/2568", date(2025, 9, 30)),
    ("๓๐/๙/๒๕๖๘", date(2025, 9, 30)),
    ("2025-09-30", date(2025, 9, 30)),
])
def test_parse_date_reads_what_officials_write(text, expected):
    assert thai.parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "31 ฟฟ. 2568", "31/2/2568", "tomorrow", "1 ต.ค."])
def test_parse_date_refuses_what_is_not_a_date(text):
    with pytest.raises(ValueError):
        thai.parse_date(text)


def test_fiscal_year_starts_in_october():
    assert thai.fiscal_year_of(date(2024, 9, 30)) == 2567
    assert thai.fiscal_year_of(date(2024, 10, 1)) == 2568


def test_fiscal_year_bounds():
    assert thai.fiscal_year_bounds(2568) == (date(2024, 10, 1), date(2025, 9, 30))


def test_format_period_reads_like_the_o34_table():
    assert thai.format_period(date(2024, 10, 1), date(2025, 9, 30)) == "วันที่ 1 ต.ค. 2567 – 30 ก.ย. 2568"
