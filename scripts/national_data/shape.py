"""The shape of one generated agency, modelled on the demo's อบต.พิชัย: its rows, numbered from 1
within the agency, that fill.py multiplies by N. Texts come from the demo's plan and short lists."""
import json
from dataclasses import dataclass
from datetime import date, datetime

from tracker.models.ita import DEFAULT_THRESHOLDS
from tracker.services import item_banks
from tracker.services.demo import DATA_FILE
from tracker.thai import BE_OFFSET, MONTHS_LONG, fiscal_year_bounds

# (fiscal year, the ITA year whose result it answers): the year before and the year under way.
YEARS = ((2569, 2568), (2570, 2569))
DIVISIONS = (
    ("สำนักปลัด", "palad", "หัวหน้าสำนักปลัด"),
    ("กองคลัง", "finance", "ผู้อำนวยการกองคลัง"),
    ("กองช่าง", "works", "ผู้อำนวยการกองช่าง"),
    ("กองการศึกษา ศาสนาและวัฒนธรรม", "education", "ผู้อำนวยการกองการศึกษา ศาสนาและวัฒนธรรม"),
    ("กองสาธารณสุขและสิ่งแวดล้อม", "health", "ผู้อำนวยการกองสาธารณสุขและสิ่งแวดล้อม"),
    ("กองสวัสดิการสังคม", "welfare", "ผู้อำนวยการกองสวัสดิการสังคม"),
)
FIRST_USERS = 2  # user 1 is the coordinator, 2 the executive; user 2 + d heads division d
# Who has notification preferences of their own: the coordinator and two heads on LINE, one head without email.
ON_LINE, EMAIL_OFF = {1, 4, 6}, {8}
# Which divisions are responsible for the measures of a year, in order ("all": ทุกกอง), and how many
# measures each of the year's topics has: 23 measures, 51 tasks a year.
RESPONSIBLE = ("all", [1], [2, 3], [1], [4], "all", [5, 6], [2], [3], [1, 2], "all", [6], [4, 5], [1], [2],
               [3, 4], "all", [5], [1, 6], [6], [2, 5], [4], [3, 6])
MEASURES_PER_TOPIC = (3, 3, 3, 3, 3, 3, 3, 2)
STEPS_PER_MEASURE = 3
# Measures of the year before left unfinished, carried into the year under way (the same place there).
CARRIED = {3, 8, 13, 19}
# When measures end, by their place in the year (cycled), as (month, day) from the year's start.
QUARTER_ENDS = ((12, 31), (3, 31), (6, 30), (9, 30))
TODAY = date(2027, 3, 31)  # "today" of the data: the end of fiscal year 2570's 6-month round
MONTHLY_DAY = 25  # the monthly reminder's day (ReminderSettings' default), sent 08:30 Bangkok = 01:30 UTC

EXTRA_TOPICS = (
    ("การเปิดเผยข้อมูลการจัดซื้อจัดจ้างและการใช้งบประมาณ",
     "ข้อคำถามเรื่องการเปิดเผยข้อมูลการจัดซื้อจัดจ้างยังได้คะแนนต่ำกว่าเกณฑ์ ควรเผยแพร่ข้อมูลให้ครบถ้วนและเป็นปัจจุบัน"),
    ("การบริหารทรัพยากรบุคคลอย่างเป็นธรรม",
     "บุคลากรบางส่วนยังไม่มั่นใจในความโปร่งใสของการประเมินผลการปฏิบัติงาน ควรเปิดเผยหลักเกณฑ์และผลการพิจารณา"),
    ("การป้องกันการรับสินบนและผลประโยชน์ทับซ้อน",
     "ควรสร้างความตระหนักเรื่องการไม่รับของขวัญและผลประโยชน์ทับซ้อนอย่างต่อเนื่อง"),
)
EXTRA_MEASURES = (
    "การเผยแพร่แผนการจัดซื้อจัดจ้างและผลการจัดซื้อจัดจ้างรายเดือน",
    "การจัดทำรายงานผลการใช้จ่ายงบประมาณประจำไตรมาส",
    "การเผยแพร่หลักเกณฑ์การบริหารและพัฒนาทรัพยากรบุคคล",
    "การประชุมชี้แจงแนวทางการประเมินผลการปฏิบัติงานของบุคลากร",
    "กิจกรรมประกาศเจตนารมณ์ไม่รับของขวัญ (No Gift Policy)",
    "การอบรมให้ความรู้เรื่องผลประโยชน์ทับซ้อนแก่บุคลากร",
    "การสำรวจความพึงพอใจของผู้รับบริการ",
    "การปรับปรุงขั้นตอนการให้บริการ ณ จุดบริการเบ็ดเสร็จ",
    "การจัดทำประมวลจริยธรรมและเผยแพร่แก่บุคลากร",
    "การตรวจสอบและรายงานการใช้รถยนต์ส่วนกลาง",
    "การเปิดช่องทางรับฟังความคิดเห็นผ่าน LINE Official Account",
    "การรายงานผลการจัดการเรื่องร้องเรียนประจำปี",
    "การเผยแพร่ข้อมูลผู้บริหารและโครงสร้างหน่วยงานให้เป็นปัจจุบัน",
    "การจัดทำแผนปฏิบัติการป้องกันการทุจริต",
    "การประเมินความเสี่ยงการทุจริตประจำปี",
    "การเผยแพร่คู่มือการปฏิบัติงานด้านการอนุญาตก่อสร้าง",
    "การจัดทำรายงานการกำกับติดตามการดำเนินงานรอบ 6 เดือน",
)
INDICATORS = (("จำนวนครั้งที่เผยแพร่", "อย่างน้อย 4 ครั้ง"), ("ร้อยละของบุคลากรที่เข้าร่วม", "ร้อยละ 80"),
              ("จำนวนช่องทางที่เปิดให้บริการ", "2 ช่องทาง"), ("ระดับความพึงพอใจ", "ไม่น้อยกว่าร้อยละ 85"))
BUDGETS = (None, 5000, 0, 12000, None, 30000)  # 0: ไม่ใช้งบประมาณ

# Texts of the agencies and their people, and of the heads' reports, picked per row in SQL.
KINDS = (("องค์การบริหารส่วนตำบล", "อบต."), ("เทศบาลตำบล", "ทต."), ("เทศบาลเมือง", "ทม."))
PLACES = ("บ้านใหม่", "หนองบัว", "ท่าช้าง", "ดอนแก้ว", "นาคำ", "โพธิ์ทอง", "ห้วยทราย", "บ้านเหล่า", "สันทราย",
          "หนองแวง", "บางระกำ", "ท่าศาลา", "คลองขลุง", "วังทอง", "โคกสูง", "ป่าแดด", "แม่สาย", "บ้านกลาง",
          "หนองหาน", "ทุ่งใหญ่", "เวียงเหนือ", "นาดี", "บึงสามัคคี", "ศรีสำราญ", "ดงมะไฟ", "ห้วยยาง", "บ้านโป่ง",
          "ไผ่ขวาง", "หัวดง", "ทับทิมสยาม", "เขาพระ", "นาเกลือ", "บางปลา", "หนองสองห้อง", "ท่าตูม", "ปากพลี",
          "หาดใหญ่", "ลำปลายมาศ", "เชียงกลาง", "บ้านด่าน")
DISTRICTS = ("อำเภอเมือง", "อำเภอบ้านโป่ง", "อำเภอสันทราย", "อำเภอวังทอง", "อำเภอท่าศาลา", "อำเภอหนองบัว",
             "อำเภอนาดี", "อำเภอโคกสูง", "อำเภอแม่สาย", "อำเภอท่าตูม")
PROVINCES = ("จังหวัดลำปาง", "จังหวัดเชียงใหม่", "จังหวัดขอนแก่น", "จังหวัดนครราชสีมา", "จังหวัดพิษณุโลก",
             "จังหวัดนครศรีธรรมราช", "จังหวัดสงขลา", "จังหวัดราชบุรี", "จังหวัดอุบลราชธานี", "จังหวัดสุรินทร์",
             "จังหวัดชลบุรี", "จังหวัดเชียงราย")
FIRST_NAMES = ("สมศรี", "ประเสริฐ", "วิไลวรรณ", "สุดารัตน์", "ชัยวัฒน์", "กนกพร", "สมชาย", "อรุณี", "ธนากร",
               "พิมพ์ชนก", "วีระพงษ์", "จันทร์เพ็ญ", "ณัฐวุฒิ", "ศิริพร", "อนุชา", "มาลัย", "ปิยะพงษ์", "รัชนี")
LAST_NAMES = ("ใจดี", "พิชัยกุล", "ศรีสุข", "มั่นคง", "แข็งแรง", "ใฝ่รู้", "บุญมา", "ทองดี", "แสงทอง",
              "วงศ์ใหญ่", "สุขสวัสดิ์", "คำแก้ว", "อินทร์แก้ว", "ชัยมงคล", "ศรีวิชัย", "พรหมมา")
DONE_TEXTS = (
    "ประชุมชี้แจงบุคลากรที่เกี่ยวข้องแล้ว",
    "จัดทำร่างเอกสารและเสนอผู้บริหารพิจารณา",
    "เผยแพร่ข้อมูลบนเว็บไซต์และเพจ Facebook ของหน่วยงานแล้ว",
    "ดำเนินการตามแผนในไตรมาสนี้ครบถ้วน",
    "แจ้งเวียนหนังสือให้ทุกกองทราบและถือปฏิบัติ",
    "รวบรวมผลการดำเนินงานและหลักฐานประกอบแล้ว",
    "จัดกิจกรรมตามโครงการ มีผู้เข้าร่วม 45 คน",
)
PROBLEMS = ("บุคลากรมีภารกิจอื่นเร่งด่วน ทำให้ดำเนินการล่าช้า", "รอการอนุมัติจากผู้บริหาร",
            "งบประมาณได้รับการจัดสรรล่าช้า")


@dataclass
class Shape:
    tables: dict[str, tuple[str, list[tuple]]]  # shape table: (its columns, its rows)
    sizes: dict[str, int]  # rows per agency, by table: how the ids are computed

    def params(self) -> dict:
        return {**self.sizes, "kinds": [k for k, _ in KINDS], "kind_shorts": [s for _, s in KINDS],
                "places": list(PLACES), "districts": list(DISTRICTS), "provinces": list(PROVINCES),
                "first_names": list(FIRST_NAMES), "last_names": list(LAST_NAMES), "done_texts": list(DONE_TEXTS),
                "problems": list(PROBLEMS)}


def build_shape() -> Shape:
    demo = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    tables = {
        "division": ("local integer, name text, position integer",
                     [(d, name, d) for d, (name, _, _) in enumerate(DIVISIONS, start=1)]),
        "user": ("local integer, login text, role text, division integer, position text, line boolean, "
                 "email_off boolean", _users()),
        "assessment_year": ("local integer, year integer, oit numeric, iit numeric, eit numeric, measures_code text, "
                            "results_code text, results_covers text", _assessment_years()),
        "item": ("local integer, assessment_year integer, code text, tool text, title text, position integer",
                 _items(demo)),
        "fiscal_year": ("local integer, year integer, start_date date, end_date date",
                        [(f, year, *fiscal_year_bounds(year)) for f, (year, _) in enumerate(YEARS, start=1)]),
        "topic": ("local integer, fiscal_year integer, number integer, title text, analysis text", _topics(demo)),
    }
    tables["topic_item"] = ("topic integer, item integer", _topic_items(tables["item"][1]))
    measures = _measures(demo)
    tables["measure"] = ("local integer, topic integer, position integer, title text, start_date date, "
                         "end_date date, all_divisions boolean, budget_amount numeric, no_budget boolean, "
                         "indicator text, target text, carried_from integer, unfinished boolean", measures)
    tables["measure_division"] = ("measure integer, division integer", _measure_divisions())
    tables["step"] = ("local integer, measure integer, position integer, text text", _steps(demo))
    tables["task"] = ("local integer, measure integer, division integer, fiscal_year integer, start_date date, "
                      "due_date date, unfinished boolean", _tasks(measures))
    tables["delivery"] = ("local integer, user_local integer, rule text, period text, channel text, subject text, "
                          "body text, at timestamp", _deliveries())
    sizes = {f"{name}_count": len(rows) for name, (_, rows) in tables.items() if name not in ("topic_item",
                                                                                                 "measure_division")}
    return Shape(tables, sizes)


def _users() -> list[tuple]:
    rows = [(1, "coordinator", "coordinator", None, "นักวิเคราะห์นโยบายและแผน"),
            (2, "executive", "executive", None, "ผู้บริหารท้องถิ่น")]
    rows += [(FIRST_USERS + d, login, "head", d, position)
             for d, (_, login, position) in enumerate(DIVISIONS, start=1)]
    return [(*row, row[0] in ON_LINE, row[0] in EMAIL_OFF) for row in rows]


def _assessment_years() -> list[tuple]:
    rows = []
    for local, (_, ita_year) in enumerate(YEARS, start=1):
        marks = {**DEFAULT_THRESHOLDS, **(item_banks.shipped_bank(ita_year) or {}).get("thresholds", {})}
        rows.append((local, ita_year, marks["OIT"], marks["IIT"], marks["EIT"], *item_banks.shipped_roles(ita_year)))
    return rows


def _items(demo: dict) -> list[tuple]:
    """Each year's shipped OIT items, and the demo's IIT and EIT items (as an agency adds them)."""
    survey = [(row["code"], row["tool"], row["title"]) for row in demo["items"] if row["tool"] != "OIT"]
    rows = []
    for year_local, (_, ita_year) in enumerate(YEARS, start=1):
        shipped = [(row["code"], row["tool"], row["title"]) for row in item_banks.shipped_bank(ita_year)["items"]]
        for position, item in enumerate(survey + shipped, start=1):
            rows.append((len(rows) + 1, year_local, *item, position))
    return rows


def _topics(demo: dict) -> list[tuple]:
    themes = [(topic["title"], topic["analysis"]) for topic in demo["topics"]] + list(EXTRA_TOPICS)
    return [(topic_local(f, number), f, number, *themes[number - 1])
            for f in range(1, len(YEARS) + 1) for number in range(1, len(MEASURES_PER_TOPIC) + 1)]


def _topic_items(items: list[tuple]) -> list[tuple]:
    """Each year's items shared out over that year's topics, in turn."""
    topics = len(MEASURES_PER_TOPIC)
    return [(topic_local(year, position % topics + 1), local) for local, year, _, _, _, position in items]


def topic_local(fiscal_year: int, number: int) -> int:
    return (fiscal_year - 1) * len(MEASURES_PER_TOPIC) + number


def measure_local(fiscal_year: int, place: int) -> int:
    """place: 0-based within the fiscal year."""
    return (fiscal_year - 1) * len(RESPONSIBLE) + place + 1


def _measure_places() -> list[tuple[int, int]]:
    """(topic number, position) of each of a year's measures, in order."""
    return [(number, position) for number, count in enumerate(MEASURES_PER_TOPIC, start=1)
            for position in range(1, count + 1)]


def _measures(demo: dict) -> list[tuple]:
    titles = [m["title"] for topic in demo["topics"] for m in topic["measures"]] + list(EXTRA_MEASURES)
    rows = []
    for f, (year, _) in enumerate(YEARS, start=1):
        year_start, year_end = fiscal_year_bounds(year)
        for place, (number, position) in enumerate(_measure_places()):
            carried = f > 1 and place in CARRIED
            month, day = QUARTER_ENDS[place % len(QUARTER_ENDS)]
            end = year_end if carried else date(year_start.year + (month < 10), month, day)
            # Some measures of the later quarters start in the year's second half.
            start = date(year_start.year + 1, 4, 1) if place % 5 == 3 and end.month in (6, 9) else year_start
            budget = BUDGETS[place % len(BUDGETS)]
            indicator, target = INDICATORS[place % len(INDICATORS)]
            title = titles[place if carried or f == 1 else (place + 5) % len(titles)]
            rows.append((measure_local(f, place), topic_local(f, number), position, title, start, end,
                         RESPONSIBLE[place] == "all", budget or None, budget == 0, indicator, target,
                         measure_local(f - 1, place) if carried else None, f == 1 and place in CARRIED))
    return rows


def _measure_divisions() -> list[tuple]:
    return [(measure_local(f, place), division) for f in range(1, len(YEARS) + 1)
            for place, divisions in enumerate(RESPONSIBLE) if divisions != "all" for division in divisions]


def _steps(demo: dict) -> list[tuple]:
    texts = [step for topic in demo["topics"] for m in topic["measures"] for step in m["steps"]]
    rows = []
    for f in range(1, len(YEARS) + 1):
        for place in range(len(RESPONSIBLE)):
            for position in range(1, STEPS_PER_MEASURE + 1):
                rows.append((len(rows) + 1, measure_local(f, place), position,
                             texts[(place * STEPS_PER_MEASURE + position) % len(texts)]))
    return rows


def _tasks(measures: list[tuple]) -> list[tuple]:
    """One per measure and responsible division, due when the measure ends."""
    rows = []
    for local, _, _, _, start, end, _, _, _, _, _, _, unfinished in measures:
        f, place = divmod(local - 1, len(RESPONSIBLE))
        divisions = RESPONSIBLE[place]
        for division in range(1, len(DIVISIONS) + 1) if divisions == "all" else divisions:
            rows.append((len(rows) + 1, local, division, f + 1, start, end, unfinished))
    return rows


def _deliveries() -> list[tuple]:
    """The outbox's history: each month's reminder to every head (in the app and by email), and the
    escalation of late work to the executive that week, all sent."""
    rows = []
    first, _ = fiscal_year_bounds(YEARS[0][0])
    month = first
    while (sent := datetime(month.year, month.month, MONTHLY_DAY, 1, 30)).date() < TODAY:
        name = f"{MONTHS_LONG[month.month - 1]} {month.year + BE_OFFSET}"
        subject = f"ขอรายงานความก้าวหน้ามาตรการ ITA ประจำเดือน{name}"
        body = (f"กรุณารายงานความก้าวหน้าของงานมาตรการ ITA ประจำเดือน{name} ในระบบติดตามมาตรการ ITA "
                "ตามรายการงานของกองท่านที่ยังไม่เสร็จ")
        for d in range(1, len(DIVISIONS) + 1):
            for channel in ("inbox", "email"):
                rows.append((len(rows) + 1, FIRST_USERS + d, "monthly", f"{month:%Y-%m}", channel, subject, body, sent))
        week = sent.isocalendar()
        rows.append((len(rows) + 1, 2, "escalation", f"{week.year}-W{week.week:02d}", "inbox",
                     "งานมาตรการ ITA ล่าช้าเกิน 30 วัน",
                     "งานต่อไปนี้เลยกำหนดเสร็จมากกว่า 30 วัน เพื่อโปรดทราบและติดตาม", sent))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return rows

