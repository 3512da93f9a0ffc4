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


def test_format_period_reads_like_the_measures_table():
    assert thai.format_period(date(2024, 10, 1), date(2025, 9, 30)) == "วันที่ 1 ต.ค. 2567 – 30 ก.ย. 2568"
    assert thai.format_period(date(2025, 3, 31), date(2025, 3, 31)) == "วันที่ 31 มี.ค. 2568"


@pytest.mark.parametrize("text, start, end", [
    ("มกราคม – มีนาคม 2568", date(2025, 1, 1), date(2025, 3, 31)),
    ("ต.ค. - ธ.ค. 67", date(2024, 10, 1), date(2024, 12, 31)),
    ("ตุลาคม – กันยายน 2568", date(2024, 10, 1), date(2025, 9, 30)),
    ("1 ต.ค. - 31 ธ.ค. 2567", date(2024, 10, 1), date(2024, 12, 31)),
    ("1 ต.ค. – 31 มี.ค. 68", date(2024, 10, 1), date(2025, 3, 31)),
    ("1-31 ต.ค. 2567", date(2024, 10, 1), date(2024, 10, 31)),
    ("1 – 15 ม.ค. 68", date(2025, 1, 1), date(2025, 1, 15)),
    ("๑ – ๑๕ ม.ค. ๖๘", date(2025, 1, 1), date(2025, 1, 15)),
    ("01/10/67-30/09/68", date(2024, 10, 1), date(2025, 9, 30)),
    ("1/10/2567 - 30/9/2568", date(2024, 10, 1), date(2025, 9, 30)),
    ("1.10.2567-31.12.2567", date(2024, 10, 1), date(2024, 12, 31)),
    ("เดือนตุลาคม 2567 - เดือนกันยายน 2568", date(2024, 10, 1), date(2025, 9, 30)),
    ("ตั้งแต่เดือน ต.ค. 67 ถึง ก.ย. 68", date(2024, 10, 1), date(2025, 9, 30)),
    ("1 ต.ค. 67 จนถึง 30 ก.ย. 68", date(2024, 10, 1), date(2025, 9, 30)),
    ("ตลอดปี", date(2024, 10, 1), date(2025, 9, 30)),
    ("ตลอดทั้งปี", date(2024, 10, 1), date(2025, 9, 30)),
    ("ตลอดปีงบประมาณ", date(2024, 10, 1), date(2025, 9, 30)),
    ("ทั้งปีงบประมาณ", date(2024, 10, 1), date(2025, 9, 30)),
    ("ไตรมาสที่ 1", date(2024, 10, 1), date(2024, 12, 31)),
    ("ไตรมาส 2", date(2025, 1, 1), date(2025, 3, 31)),
    ("ไตรมาสที่ ๓", date(2025, 4, 1), date(2025, 6, 30)),
    ("ไตรมาส 4", date(2025, 7, 1), date(2025, 9, 30)),
    ("ไตรมาส 1-2", date(2024, 10, 1), date(2025, 3, 31)),
    ("ไตรมาสที่ 3 ถึง ไตรมาสที่ 4", date(2025, 4, 1), date(2025, 9, 30)),
    ("วันที่ 1 ต.ค. 67 – 30 ก.ย. 68", date(2024, 10, 1), date(2025, 9, 30)),
    ("วันที่ 1 ต.ค.67 - 30 ก.ย. 68", date(2024, 10, 1), date(2025, 9, 30)),
    ("1 ต.ค. 67-30 ก.ย. 68", date(2024, 10, 1), date(2025, 9, 30)),
    ("ปีงบประมาณ พ.ศ. 2568", date(2024, 10, 1), date(2025, 9, 30)),
    ("ปีงบประมาณ ๒๕๖๘", date(2024, 10, 1), date(2025, 9, 30)),
    ("วันที่ 1 ต.ค. 2567", date(2024, 10, 1), date(2024, 10, 1)),
    ("ต.ค. 67 ถึง ธ.ค. 67", date(2024, 10, 1), date(2024, 12, 31)),
    ("ก.พ. 68", date(2025, 2, 1), date(2025, 2, 28)),
    ("ระหว่างวันที่ ๑ ตุลาคม พ.ศ. ๒๕๖๗ ถึง ๓๑ มีนาคม พ.ศ. ๒๕๖๘", date(2024, 10, 1), date(2025, 3, 31)),
])
def test_parse_period_reads_common_o34_wordings(text, start, end):
    assert thai.parse_period(text, 2568) == (start, end)


def test_parse_period_reads_a_numeric_date_with_dashes_as_one_day():
    assert thai.parse_period("1-10-2567", 2568) == (date(2024, 10, 1), date(2024, 10, 1))


def test_parse_period_reads_a_start_after_its_end_as_written():
    assert thai.parse_period("ธ.ค. 67 – ต.ค. 67", 2568) == (date(2024, 12, 1), date(2024, 10, 31))


def test_quarters_belong_to_the_given_fiscal_year():
    assert thai.parse_period("ไตรมาสที่ 1", 2569) == (date(2025, 10, 1), date(2025, 12, 31))


@pytest.mark.parametrize("text", ["ตลอดปี", "ตลอดทั้งปี", "ทั้งปีงบประมาณ", "ไตรมาสที่ 1", "ไตรมาส 1-2"])
def test_whole_year_and_quarters_are_refused_without_a_fiscal_year(text):
    with pytest.raises(ValueError):
        thai.parse_period(text)


@pytest.mark.parametrize("text", [
    "", "เร็ว ๆ นี้", "31 ก.พ. 2568", "29 ก.พ. – 1 มี.ค. 68", "ทั้งปี", "ตลอดปี 2568", "ไตรมาส 5",
    "1 ต.ค.", "ต.ค. 67 – ธ.ค.", "1 - ต.ค. 67", "32 – 33 ม.ค. 68", "1-2-3", "1 ต.ค. – ", "31 ก.พ. 68 – 1 มี.ค. 68",
])
def test_parse_period_refuses_what_is_not_a_period(text):
    with pytest.raises(ValueError):
        thai.parse_period(text, 2568)


@pytest.mark.parametrize("day", [date(2025, 4, 13), date(2024, 10, 1), date(2024, 12, 31)])
def test_numeric_date_is_read_back_as_the_same_day(day):
    written = thai.format_numeric_date(day)

    assert written == f"{day.day:02d}/{day.month:02d}/{day.year + 543}"
    assert thai.parse_date(written) == day
