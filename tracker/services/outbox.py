"""The outbox, the one way in and out for every message. In: `queue` (one notice to one user) and
`queue_set` (every digest of a reminder run), both through the same INSERT … SELECT that expands a
recipient into a row per channel they receive on, keyed by `_key` so that the same message
is never queued twice. Out: claim due deliveries, write a digest's text from the data of the
moment, send through the channel, record what happened. A claim is a conditional UPDATE, so two
delivery runs never send the same row; a row whose claim has expired (its process died mid-send)
is claimed again and retried."""
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (DateTime, Integer, String, Text, and_, cast, func, literal, or_, select, text, true, union_all,
                        update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker import channels
from tracker.extensions import db
from tracker.models import Delivery, DeliveryStatus, NotificationPreference, User
from tracker.services import digests

CLAIM_TIME = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
log = logging.getLogger("tracker.outbox")


# --- in ---------------------------------------------------------------------------------------------

def _key(rule, user_id, period, channel):
    """The outbox row's unique key, "rule:user:period:channel"; the database refuses a second row
    with it. (Built here only, in SQL, for every message.)"""
    return rule + ":" + cast(user_id, String) + ":" + period + ":" + channel


def queue(user: User, rule: str, period: str, subject: str, text: str, config, now: datetime) -> list[int]:
    """Queue one message to `user` on every channel they receive on; `period` names what it is about
    ("12" for version 12, a time stamp for a test message). The new rows' ids (none if queued before)."""
    one = select(literal(user.organization_id, Integer).label("organization_id"),
                 literal(user.id, Integer).label("user_id"), literal(rule, String).label("rule"),
                 literal(period, String).label("period"), literal(subject, Text).label("subject"),
                 literal(now, DateTime).label("send_at"), literal(text, Text).label("body_text")).subquery()
    return queue_set(one, config, now)[0]


def queue_set(recipients, config, now: datetime) -> tuple[list[int], int]:
    """Queue a message per row of `recipients` (a subquery of organization_id, user_id, rule,
    period, subject, send_at and optionally body_text; a digest has none: it is written when sent),
    on each channel its user receives on. Returns (the new rows' ids, how many rows were wanted)."""
    rows = _channel_rows(recipients, config, now).subquery()
    columns = [column.name for column in rows.columns]
    # SQLite needs a WHERE in an INSERT … SELECT … ON CONFLICT, or it reads ON CONFLICT as a join's ON.
    # In recipient order, so that the channels of one message are neighbours in the outbox (and
    # written once when sent).
    source = select(*rows.columns).where(true()).order_by(rows.c.organization_id, rows.c.user_id, rows.c.rule,
                                                          rows.c.period)
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(Delivery).from_select(columns, source)
                 .on_conflict_do_nothing(index_elements=["key"]).returning(Delivery.id))
    created = list(db.session.scalars(statement))
    # Counted after the insert: a SQLite transaction that read first could not take the write lock
    # once another process had written (it fails at once, without waiting).
    return created, db.session.scalar(select(func.count()).select_from(rows))


def refresh_statistics() -> None:
    """After a reminder run queued its rows. PostgreSQL chooses how to claim by the table's
    statistics, which autovacuum refreshes only minutes after a bulk insert; until then it takes
    the waiting rows for few and claims through their index, 0.6 s a claim at national scale."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE delivery"))  # seen by the claims once the run commits


def _channel_rows(recipients, config, now: datetime):
    """A row per recipient and channel: the in-app mailbox always (unless they opted out), email
    once a mail server is set and they did not turn it off, LINE once linked and a token is set,
    their webhook when they set one."""
    preference = NotificationPreference
    channels_wanted = [("inbox", literal("", Text), true())]
    if config.get("MAIL_SERVER"):
        channels_wanted.append(("email", User.email, and_(User.email != "", or_(
            preference.id.is_(None), preference.email_enabled.is_(True)))))
    if config.get("LINE_CHANNEL_ACCESS_TOKEN"):
        channels_wanted.append(("line", preference.line_to, and_(
            preference.line_enabled.is_(True), preference.line_to != "")))
    channels_wanted.append(("webhook", preference.webhook_url, and_(
        preference.webhook_enabled.is_(True), preference.webhook_url != "")))
    text = recipients.c.body_text if "body_text" in recipients.c else literal("", Text)
    parts = []
    for name, address, receives in channels_wanted:
        channel = literal(name, String)
        parts.append(
            select(recipients.c.organization_id, recipients.c.user_id,
                   _key(recipients.c.rule, recipients.c.user_id, recipients.c.period, channel).label("key"),
                   recipients.c.rule, recipients.c.period, channel.label("channel"),
                   cast(address, Text).label("address"), recipients.c.subject,
                   cast(text, Text).label("body_text"), literal("", Text).label("body_html"),
                   literal(DeliveryStatus.QUEUED.value, String).label("status"),
                   literal(0, Integer).label("attempts"), literal("", String).label("claimed_by"),
                   literal("", Text).label("last_error"), literal(now, DateTime).label("created_at"),
                   recipients.c.send_at.label("next_attempt_at"))
            .join(User, User.id == recipients.c.user_id)
            .outerjoin(preference, preference.user_id == recipients.c.user_id)
            .where(or_(preference.id.is_(None), preference.opted_out.is_(False)), receives))
    return union_all(*parts)


def count_by_rule_and_channel(delivery_ids: list[int]) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = {}
    for start in range(0, len(delivery_ids), 5000):
        for rule, channel, count in db.session.execute(
                select(Delivery.rule, Delivery.channel, func.count()).where(Delivery.id.in_(delivery_ids[start:start + 5000]))
                .group_by(Delivery.rule, Delivery.channel)):
            counts[rule, channel] = counts.get((rule, channel), 0) + count
    return sorted((rule, channel, count) for (rule, channel), count in counts.items())


# --- out ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Handled:
    """A delivery as a run left it: plain values, readable after the run's session is gone."""
    id: int
    key: str
    rule: str
    channel: str
    address: str
    user_id: int | None
    status: str
    attempts: int
    last_error: str


@dataclass
class DeliveryReport:
    sent: list[Handled] = field(default_factory=list)
    retrying: list[Handled] = field(default_factory=list)
    failed: list[Handled] = field(default_factory=list)
    skipped: list[Handled] = field(default_factory=list)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _claimable(now: datetime):
    waiting = and_(Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at <= now)
    abandoned = and_(Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_until < now)
    return or_(waiting, abandoned)


CLAIM_BATCH = 20  # rows a worker takes at a time: few enough to send well within CLAIM_TIME
CLAIM_TRIES = 5  # on SQLite, workers may pick the same rows; the losers pick again


def claim(delivery_id: int, worker: str, now: datetime) -> bool:
    """Take one row for sending, if nobody else holds it. True when this worker got it."""
    return claim_batch(worker, now, 1, [delivery_id]) == [delivery_id]


def claim_batch(worker: str, now: datetime, size: int = CLAIM_BATCH, ids: list[int] | None = None) -> list[int]:
    """Take up to `size` due rows (of `ids`, if given) for sending; the ids this worker got. Several
    workers claim side by side: on PostgreSQL the SELECT locks its rows and SKIP LOCKED hands the
    others different ones; on SQLite they may pick the same rows, and the UPDATE, true only for
    unclaimed rows, gives each row to one of them. (The ids are read first: PostgreSQL may run a
    LIMIT subquery inside an UPDATE more than once, and so claim more than `size`.)"""
    due = select(Delivery.id).where(_claimable(now))
    if ids is not None:
        due = due.where(Delivery.id.in_(ids))
    due = due.order_by(Delivery.next_attempt_at, Delivery.id).limit(size).with_for_update(skip_locked=True)
    for _ in range(CLAIM_TRIES):
        picked = list(db.session.scalars(due))
        if not picked:
            db.session.commit()  # ends the (PostgreSQL) transaction of the SELECT … FOR UPDATE
            return []
        got = _claim(picked, worker, now)
        if got:
            return got
    return []  # other workers keep taking the rows first: they are being sent


def _claim(picked: list[int], worker: str, now: datetime) -> list[int]:
    claimed = db.session.scalars(
        update(Delivery).where(Delivery.id.in_(picked), _claimable(now))
        .values(status=DeliveryStatus.SENDING, claimed_by=worker, claimed_until=now + CLAIM_TIME,
                attempts=Delivery.attempts + 1)
        .returning(Delivery.id).execution_options(synchronize_session=False))
    got = sorted(claimed)
    db.session.commit()
    return got


def deliver_due(config, worker: str, now: datetime, limit: int = 200,
                progress: Callable[[int], None] | None = None) -> DeliveryReport:
    """Send up to `limit` messages due at `now`, a batch at a time, each channel's connection kept
    for the run. Claims and records are stamped with `now` plus the time this run has taken, so a
    claim made late in a long run still lasts CLAIM_TIME. `progress` hears how many each batch handled."""
    started, handled = time.monotonic(), 0
    moment = lambda: now + timedelta(seconds=time.monotonic() - started)  # noqa: E731
    records = _Records(worker, config.get("TRACKER_MAX_ATTEMPTS", 8))
    with channels.opened(config) as channel_for:
        while handled < limit:
            batch = claim_batch(worker, moment(), min(CLAIM_BATCH, limit - handled))
            if not batch:
                break
            writer = digests.Writer(config["TRACKER_BASE_URL"], moment())
            for delivery in _claimed_rows(batch):
                _deliver(delivery, channel_for, worker, moment, records, writer)
            records.commit()
            handled += len(batch)
            if progress:
                progress(len(batch))
    return records.report


def _claimed_rows(ids: list[int]) -> list[Delivery]:
    """The claimed rows as they are now, with their users, read once for the batch and taken out
    of the session: records commit within the batch, and a commit would expire the rest of it
    (a query per row to read them again). Records are UPDATE statements of their own."""
    rows = list(db.session.scalars(
        select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.id)
        .options(joinedload(Delivery.user)).execution_options(populate_existing=True)))
    for row in {*rows, *(row.user for row in rows if row.user is not None)}:
        db.session.expunge(row)
    return rows


def _deliver(delivery: Delivery, channel_for, worker: str, moment, records: "_Records",
             writer: digests.Writer) -> None:
    if delivery.claimed_by != worker or delivery.claimed_until <= moment():
        return  # too slow: the claim ran out (another worker may have it); the next run sends it
    try:
        written = _write(delivery, writer)
    except Exception as error:  # a fault of ours, as in _send: recorded on the row, the others go on
        log.exception("writing delivery %s failed unexpectedly", delivery.key)
        db.session.rollback()  # the batch's waiting records are not in the session yet: nothing is lost
        result = channels.Result.give_up(f"ระบบขัดข้องขณะเขียนข้อความ ({type(error).__name__}) กรุณาแจ้งผู้ดูแลระบบ")
        records.add(delivery, result, moment(), {})
        return
    if written is None:
        records.add(delivery, None, moment(), {})
        return
    result = _send(delivery, channel_for)
    records.add(delivery, result, moment(), written)
    if delivery.channel != "inbox":
        records.commit()  # the message has left: its record must not wait


def _write(delivery: Delivery, writer: digests.Writer) -> dict | None:
    """A digest's text, put on the row for its channel to send (and kept on it with the result);
    None when it has nothing left to say. Other messages are as queued."""
    if not digests.is_digest(delivery):
        return {}
    text_and_html = writer.written(delivery)
    if text_and_html is None:
        return None
    text, html = text_and_html
    written = dict(body_text=text, body_html=html if delivery.channel == "email" else "")
    for name, value in written.items():
        set_committed_value(delivery, name, value)
    return written


def _send(delivery: Delivery, channel_for) -> channels.Result:
    """A channel returns its errors; anything it raises is a fault of ours, recorded on the row
    so that one bad message does not stop the rest of the outbox."""
    try:
        return channel_for(delivery.channel).send(delivery)
    except Exception as error:
        log.exception("delivery %s failed unexpectedly", delivery.key)
        return channels.Result.give_up(f"ระบบขัดข้องขณะส่ง ({type(error).__name__}) กรุณาแจ้งผู้ดูแลระบบ")


class _Records:
    """What a delivery run did to its rows, written as one UPDATE per row, and only where this
    worker still holds the claim (a worker that lost it, being too slow, stays silent). A record
    waits for the next commit, which comes at once after a message that left through a channel
    (email, LINE, a webhook) and at the end of the batch otherwise: a crash before it leaves an
    in-app or skipped row claimed, and handling it again after CLAIM_TIME sends nothing twice."""

    def __init__(self, worker: str, max_attempts: int) -> None:
        self.worker, self.max_attempts = worker, max_attempts
        self.report = DeliveryReport()
        self.waiting: list[tuple[Handled, dict]] = []

    def add(self, delivery: Delivery, result: channels.Result | None, now: datetime, written: dict) -> None:
        """`result` None: a digest with nothing left to list, not sent."""
        values = self._outcome(delivery, result, now)
        handled = Handled(delivery.id, delivery.key, delivery.rule, delivery.channel, delivery.address,
                          delivery.user_id, values["status"], delivery.attempts, values["last_error"])
        self.waiting.append((handled, {**values, **written}))

    def _outcome(self, delivery: Delivery, result: channels.Result | None, now: datetime) -> dict:
        if result is None:
            return dict(status=DeliveryStatus.SKIPPED, last_error="")
        if result.ok:
            return dict(status=DeliveryStatus.SENT, sent_at=now, last_error="")
        if result.transient and delivery.attempts < self.max_attempts:
            return dict(status=DeliveryStatus.QUEUED, next_attempt_at=now + retry_delay(delivery.attempts),
                        last_error=result.error)
        return dict(status=DeliveryStatus.FAILED, last_error=result.error)

    def commit(self) -> None:
        recorded = [
            handled for handled, values in self.waiting
            if db.session.execute(
                update(Delivery).where(Delivery.id == handled.id, Delivery.claimed_by == self.worker)
                .values(claimed_until=None, **values).execution_options(synchronize_session=False)).rowcount == 1]
        db.session.commit()
        self.waiting.clear()
        buckets = {DeliveryStatus.SENT: self.report.sent, DeliveryStatus.QUEUED: self.report.retrying,
                   DeliveryStatus.FAILED: self.report.failed, DeliveryStatus.SKIPPED: self.report.skipped}
        for handled in recorded:
            buckets[handled.status].append(handled)


def text_of(delivery: Delivery, config, now: datetime) -> tuple[str, bool]:
    """(the message's text, whether it is a preview). A digest not sent yet has no text of its
    own: the preview is what it would say if it were sent at `now` ("" if nothing is left)."""
    if delivery.body_text or not digests.is_digest(delivery):
        return delivery.body_text, False
    written = digests.Writer(config["TRACKER_BASE_URL"], now).written(delivery)
    return (written[0] if written else ""), True


def resend(delivery: Delivery, now: datetime) -> Delivery:
    """The coordinator's resend button. A failed message is queued again under its key (should LINE
    have accepted it after all, it answers 409 rather than deliver twice). A sent one goes out as
    a new message with a key of its own: LINE would refuse the old retry key and mail clients
    drop a second copy of a Message-ID. Queued and sending messages are on their way already."""
    if delivery.status == DeliveryStatus.SENT:
        delivery = _copy(delivery, now)
    elif delivery.status == DeliveryStatus.FAILED:
        delivery.status, delivery.next_attempt_at, delivery.last_error = DeliveryStatus.QUEUED, now, ""
        delivery.attempts, delivery.claimed_by, delivery.claimed_until = 0, "", None
    db.session.flush()
    return delivery


def _copy(delivery: Delivery, now: datetime) -> Delivery:
    original_key = delivery.key.split(":resend:")[0]
    copy = Delivery(organization_id=delivery.organization_id, key=f"{original_key}:resend:{now:%Y%m%d%H%M%S%f}",
                    rule=delivery.rule, channel=delivery.channel, user_id=delivery.user_id,
                    address=delivery.address, subject=delivery.subject, body_text=delivery.body_text,
                    body_html=delivery.body_html, next_attempt_at=now)
    db.session.add(copy)
    return copy
