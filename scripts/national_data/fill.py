"""The SQL that multiplies one agency's shape (the shape_<table> temporary tables) by N agencies.

Agency o's row number k of a table gets the id (o − 1) × <table>_count + k, so a foreign key is the
same arithmetic on the shape's reference. Every INSERT names its columns. pg_temp.roll(agency, seed)
gives the same 0–99 on every run: what differs between agencies (statuses, how often a head
reported, scores, names) is drawn from it. Parameters: agencies, today, password_hash, the sizes
and the text lists of shape.Shape.params."""

# roll: hashint8 spreads (agency, seed) over the int4 range; shifted to ≥ 0, then 0–99.
# reported_at: when the j-th of a task's n updates was written: spread from its measure's start to
# its due date (or yesterday, for work not due yet), in office hours Bangkok time (UTC+7), in order.
FUNCTIONS = """
CREATE FUNCTION pg_temp.roll(agency integer, seed integer) RETURNS integer LANGUAGE sql IMMUTABLE AS
$$ SELECT mod(hashint8(agency::bigint * 1000003 + seed)::bigint + 2147483648, 100)::integer $$;
CREATE FUNCTION pg_temp.reported_at(start date, due date, today date, j integer, n integer, seed integer)
RETURNS timestamp LANGUAGE sql IMMUTABLE AS
$$ SELECT (start + (greatest(least(due, today - 1) - start, 0) * j) / n)
          + make_interval(hours => 1 + j, mins => mod(seed * 7 + j * 13, 60)) $$;
"""

ORGANIZATION = """
INSERT INTO organization (id, name, short_name, district, province, slug, created_at)
SELECT o, (%(kinds)s::text[])[n.kind] || (%(places)s::text[])[n.place] || n.suffix,
       (%(kind_shorts)s::text[])[n.kind] || (%(places)s::text[])[n.place] || n.suffix,
       (%(districts)s::text[])[1 + mod(o, cardinality(%(districts)s::text[]))],
       (%(provinces)s::text[])[1 + mod(o * 7, cardinality(%(provinces)s::text[]))],
       'agency' || o, timestamp '2025-09-15 03:00'
FROM generate_series(1, %(agencies)s) AS o,
     LATERAL (SELECT 1 + mod(o - 1, 3) AS kind,
                     1 + mod((o - 1) / 3, cardinality(%(places)s::text[])) AS place,
                     CASE WHEN (o - 1) / (3 * cardinality(%(places)s::text[])) = 0 THEN ''
                          ELSE ' ' || ((o - 1) / (3 * cardinality(%(places)s::text[])) + 1) END AS suffix) AS n
"""

DIVISION = """
INSERT INTO division (id, organization_id, name, position, active)
SELECT (o - 1) * %(division_count)s + s.local, o, s.name, s.position, true
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_division AS s
"""

USER = """
INSERT INTO "user" (id, organization_id, email, name, position, password_hash, role, division_id, active,
                    created_at, calendar_token)
SELECT (o - 1) * %(user_count)s + s.local, o, s.login || '@agency' || o || '.example',
       (%(first_names)s::text[])[1 + mod(o * 7 + s.local * 3, cardinality(%(first_names)s::text[]))] || ' ' ||
       (%(last_names)s::text[])[1 + mod(o * 11 + s.local * 5, cardinality(%(last_names)s::text[]))],
       s.position, %(password_hash)s, s.role, (o - 1) * %(division_count)s + s.division, true,
       timestamp '2025-09-15 03:00', NULL
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_user AS s
"""

NOTIFICATION_PREFERENCE = """
INSERT INTO notification_preference (organization_id, user_id, email_enabled, line_enabled, line_to, line_link_code,
                                     line_link_expires, webhook_enabled, webhook_url, opted_out)
SELECT o, (o - 1) * %(user_count)s + s.local, NOT s.email_off, s.line,
       CASE WHEN s.line THEN 'U' || md5('line:' || ((o - 1) * %(user_count)s + s.local)) ELSE '' END,
       '', NULL, false, '', false
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_user AS s
WHERE s.line OR s.email_off
"""

# ReminderSettings' defaults.
REMINDER_SETTINGS = """
INSERT INTO reminder_settings (organization_id, send_time, monthly_enabled, monthly_day, due_enabled, due_days_before,
                               late_enabled, late_weekday, escalation_enabled, escalation_days, report_enabled,
                               midyear_report_due, yearend_report_due, report_days_before)
SELECT o, '08:30', true, 25, true, '14,3', true, 0, true, 30, true, '04-30', '10-31', '14,3'
FROM generate_series(1, %(agencies)s) AS o
"""

REPORT_SETTINGS = """
INSERT INTO report_settings (organization_id, reporter_name, reporter_position, chief_name, chief_position,
                             executive_name, executive_position, suggestions, monitoring, midyear_compile_on,
                             yearend_compile_on, letterhead, letterhead_name)
SELECT org.id, coordinator.name, coordinator.position, palad.name, 'ปลัด' || org.short_name,
       executive.name, executive.position, '', %(monitoring)s, '04-01', '10-01', NULL, ''
FROM organization AS org
JOIN "user" AS coordinator ON coordinator.id = (org.id - 1) * %(user_count)s + 1
JOIN "user" AS executive ON executive.id = (org.id - 1) * %(user_count)s + 2
JOIN "user" AS palad ON palad.id = (org.id - 1) * %(user_count)s + 3
"""

ASSESSMENT_YEAR = """
INSERT INTO assessment_year (id, organization_id, year, oit_threshold, iit_threshold, eit_threshold, measures_code,
                             results_code, results_covers, copied_from)
SELECT (o - 1) * %(assessment_year_count)s + s.local, o, s.year, s.oit, s.iit, s.eit, s.measures_code,
       s.results_code, s.results_covers, NULL
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_assessment_year AS s
"""

ASSESSMENT_ITEM = """
INSERT INTO assessment_item (id, organization_id, assessment_year_id, code, tool, title, position)
SELECT (o - 1) * %(item_count)s + s.local, o, (o - 1) * %(assessment_year_count)s + s.assessment_year,
       s.code, s.tool, s.title, s.position
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_item AS s
"""

# OIT documents score 100 or 0; the survey items (IIT, EIT) 60–100.
ITEM_SCORE = """
INSERT INTO item_score (organization_id, item_id, score, note)
SELECT organization_id, id,
       CASE WHEN tool = 'OIT' THEN CASE WHEN pg_temp.roll(organization_id, id) < 80 THEN 100 ELSE 0 END
            ELSE 60 + mod(pg_temp.roll(organization_id, id) * 7, 41) END, ''
FROM assessment_item
"""

FISCAL_YEAR = """
INSERT INTO fiscal_year (id, organization_id, year, start_date, end_date, assessment_year_id)
SELECT (o - 1) * %(fiscal_year_count)s + s.local, o, s.year, s.start_date, s.end_date,
       (o - 1) * %(assessment_year_count)s + s.local
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_fiscal_year AS s
"""

TOPIC = """
INSERT INTO topic (id, organization_id, fiscal_year_id, number, title, analysis)
SELECT (o - 1) * %(topic_count)s + s.local, o, (o - 1) * %(fiscal_year_count)s + s.fiscal_year, s.number, s.title,
       s.analysis
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_topic AS s
"""

TOPIC_ITEM = """
INSERT INTO topic_item (topic_id, item_id)
SELECT (o - 1) * %(topic_count)s + s.topic, (o - 1) * %(item_count)s + s.item
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_topic_item AS s
"""

MEASURE = """
INSERT INTO measure (id, organization_id, topic_id, position, title, details, period_text, start_date, end_date,
                     responsible_text, all_divisions, budget_amount, no_budget, indicator, target, carried_from_id)
SELECT (o - 1) * %(measure_count)s + s.local, o, (o - 1) * %(topic_count)s + s.topic, s.position, s.title, '', '',
       s.start_date, s.end_date, '', s.all_divisions, s.budget_amount, s.no_budget, s.indicator, s.target,
       (o - 1) * %(measure_count)s + s.carried_from
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_measure AS s
"""

MEASURE_DIVISION = """
INSERT INTO measure_division (measure_id, division_id)
SELECT (o - 1) * %(measure_count)s + s.measure, (o - 1) * %(division_count)s + s.division
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_measure_division AS s
"""

MEASURE_STEP = """
INSERT INTO measure_step (id, organization_id, measure_id, position, text)
SELECT (o - 1) * %(step_count)s + s.local, o, (o - 1) * %(measure_count)s + s.measure, s.position, s.text
FROM generate_series(1, %(agencies)s) AS o CROSS JOIN shape_step AS s
"""

# A task's status: work not started yet is not started; the measures carried into the next year were
# left in progress; of the rest, most work due by today is done, some cancelled, some late; work due
# later is mostly under way. Its version counts its reports (each saved update raises it by one),
# and its last report is when it was last updated (progress_update repeats the same arithmetic).
TASK = """
INSERT INTO task (id, organization_id, measure_id, division_id, due_date, status, percent, archived_at, created_at,
                  updated_at, version)
SELECT (o - 1) * %(task_count)s + s.local, o, (o - 1) * %(measure_count)s + s.measure,
       (o - 1) * %(division_count)s + s.division, s.due_date, st.status, n.percent, NULL, fy.start_date + time '02:00',
       CASE WHEN n.reports = 0 THEN fy.start_date + time '02:00'
            ELSE pg_temp.reported_at(s.start_date, s.due_date, %(today)s, n.reports, n.reports, dice.seed) END,
       1 + n.reports
FROM generate_series(1, %(agencies)s) AS o
CROSS JOIN shape_task AS s
JOIN shape_fiscal_year AS fy ON fy.local = s.fiscal_year,
LATERAL (SELECT pg_temp.roll(o, s.local) AS r, pg_temp.roll(o, s.local + 7777) AS seed) AS dice,
LATERAL (SELECT CASE WHEN s.start_date > %(today)s THEN 'not_started'
                     WHEN s.unfinished THEN 'in_progress'
                     WHEN s.due_date < %(today)s THEN CASE WHEN dice.r < 75 THEN 'done' WHEN dice.r < 81 THEN 'cancelled'
                                                           WHEN dice.r < 93 THEN 'in_progress' ELSE 'not_started' END
                     ELSE CASE WHEN dice.r < 12 THEN 'done' WHEN dice.r < 72 THEN 'in_progress'
                               ELSE 'not_started' END END AS status) AS st,
LATERAL (SELECT CASE WHEN st.status = 'not_started' THEN 0
                     WHEN s.fiscal_year = 1 THEN 2 + mod(dice.seed, 7) ELSE 1 + mod(dice.seed, 7) END AS reports,
                CASE st.status WHEN 'done' THEN 100 WHEN 'not_started' THEN 0
                     ELSE 10 * (1 + mod(dice.r, 9)) END AS percent) AS n
"""

# Each task's reports, by the head of its division: in progress, rising, until the last, which says
# what the task says now. Inserted in time order, so that ids grow with time as they do in use.
PROGRESS_UPDATE = """
INSERT INTO progress_update (organization_id, task_id, author_id, created_at, status, percent, done_text, problems,
                             indicator_value, budget_spent)
SELECT t.organization_id, t.id,
       (t.organization_id - 1) * %(user_count)s + %(first_users)s
           + (t.division_id - (t.organization_id - 1) * %(division_count)s),
       pg_temp.reported_at(m.start_date, t.due_date, %(today)s, j, t.version - 1, d.seed), u.status, u.percent,
       (%(done_texts)s::text[])[1 + mod(d.seed + j, cardinality(%(done_texts)s::text[]))],
       CASE WHEN mod(d.seed + j, 4) = 0
            THEN (%(problems)s::text[])[1 + mod(d.seed + j, cardinality(%(problems)s::text[]))] ELSE '' END,
       CASE WHEN u.status = 'done' THEN m.target ELSE '' END,
       round(m.budget_amount * u.percent / 100, 2)
FROM task AS t
JOIN measure AS m ON m.id = t.measure_id,
LATERAL (SELECT pg_temp.roll(t.organization_id, t.id - (t.organization_id - 1) * %(task_count)s + 7777) AS seed) AS d,
LATERAL generate_series(1, t.version - 1) AS j,
LATERAL (SELECT CASE WHEN j = t.version - 1 THEN t.status ELSE 'in_progress' END AS status,
                CASE WHEN j = t.version - 1 THEN t.percent
                     ELSE greatest(5, t.percent * j / (t.version - 1)) END AS percent) AS u
ORDER BY 4, 2
"""

# The outbox's history, all sent (the email copy not for a head who turned email off); the in-app
# copies mostly read. Planned at 06:00 Bangkok, sent at the agency's send time.
DELIVERY = """
INSERT INTO delivery (organization_id, key, rule, channel, user_id, address, subject, body_text, body_html, status,
                      attempts, next_attempt_at, claimed_by, claimed_until, last_error, created_at, sent_at, read_at)
SELECT o, s.rule || ':' || ids.user_id || ':' || s.period || ':' || s.channel, s.rule, s.channel, ids.user_id,
       CASE WHEN s.channel = 'email' THEN u.login || '@agency' || o || '.example' ELSE '' END,
       s.subject, s.body, CASE WHEN s.channel = 'email' THEN '<p>' || s.body || '</p>' ELSE '' END, 'sent',
       1, s.at, '', NULL, '', s.at - interval '2 hours 30 minutes', s.at + interval '1 minute',
       CASE WHEN s.channel = 'inbox' AND pg_temp.roll(o, s.local) < 70 THEN s.at + interval '4 hours' END
FROM generate_series(1, %(agencies)s) AS o
CROSS JOIN shape_delivery AS s
JOIN shape_user AS u ON u.local = s.user_local,
LATERAL (SELECT (o - 1) * %(user_count)s + s.user_local AS user_id) AS ids
WHERE NOT (s.channel = 'email' AND u.email_off)
ORDER BY s.at, o, s.local
"""

# (table, statement), in the order of their foreign keys.
STEPS = (
    ("organization", ORGANIZATION), ("division", DIVISION), ("user", USER),
    ("notification_preference", NOTIFICATION_PREFERENCE), ("reminder_settings", REMINDER_SETTINGS),
    ("report_settings", REPORT_SETTINGS), ("assessment_year", ASSESSMENT_YEAR), ("assessment_item", ASSESSMENT_ITEM),
    ("item_score", ITEM_SCORE), ("fiscal_year", FISCAL_YEAR), ("topic", TOPIC), ("topic_item", TOPIC_ITEM),
    ("measure", MEASURE), ("measure_division", MEASURE_DIVISION), ("measure_step", MEASURE_STEP), ("task", TASK),
    ("progress_update", PROGRESS_UPDATE), ("delivery", DELIVERY),
)
