"""The outbox: claim due deliveries, send them through their channel, record what happened.
A claim is a conditional UPDATE, so two delivery runs never send the same row; a row whose
claim has expired (its process died mid-send) is claimed again and retried."""
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from tracker import channels
from tracker.extensions import db
from tracker.models import Delivery, DeliveryStatus, SchedulerLease

CLAIM_TIME = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
log = logging.getLogger("tracker.outbox")


@dataclass
class DeliveryReport:
    sent: list[Delivery] = field(default_factory=list)
    retrying: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _claimable(now: datetime):
    waiting = and_(Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at <= now)
    abandoned = and_(Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_until < now)
    return or_(waiting, abandoned)


def claim(delivery_id: int, worker: str, now: datetime) -> bool:
    """Take one row for sending, if nobody else holds it. True when this worker got it."""
    result = db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id, _claimable(now))
        .values(status=DeliveryStatus.SENDING, claimed_by=worker, claimed_until=now + CLAIM_TIME,
                attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def deliver_due(config, worker: str, now: datetime, limit: int = 200) -> DeliveryReport:
    """Send what is due at `now`. Claims and records are stamped with `now` plus the time this run
    has taken, so a claim made late in a long run still lasts CLAIM_TIME."""
    report = DeliveryReport()
    started = time.monotonic()
    due_ids = list(db.session.scalars(
        select(Delivery.id).where(_claimable(now)).order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)))
    for delivery_id in due_ids:
        moment = now + timedelta(seconds=time.monotonic() - started)
        if not claim(delivery_id, worker, moment):
            continue
        delivery = db.session.get(Delivery, delivery_id, populate_existing=True)
        result = _send(delivery, config)
        moment = now + timedelta(seconds=time.monotonic() - started)
        _record(delivery, result, worker, moment, config.get("TRACKER_MAX_ATTEMPTS", 8), report)
    return report


def _send(delivery: Delivery, config) -> channels.Result:
    """A channel returns its errors; anything it raises is a fault of ours, recorded on the row
    so that one bad message does not stop the rest of the outbox."""
    try:
        return channels.for_name(delivery.channel, config).send(delivery)
    except Exception as error:
        log.exception("delivery %s failed unexpectedly", delivery.key)
        return channels.Result.give_up(f"ระบบขัดข้องขณะส่ง ({type(error).__name__}) กรุณาแจ้งผู้ดูแลระบบ")


def _record(delivery: Delivery, result, worker: str, now: datetime, max_attempts: int,
            report: DeliveryReport) -> None:
    if result.ok:
        values = dict(status=DeliveryStatus.SENT, sent_at=now, last_error="")
        bucket = report.sent
    elif result.transient and delivery.attempts < max_attempts:
        values = dict(status=DeliveryStatus.QUEUED, next_attempt_at=now + retry_delay(delivery.attempts),
                      last_error=result.error)
        bucket = report.retrying
    else:
        values = dict(status=DeliveryStatus.FAILED, last_error=result.error)
        bucket = report.failed
    # Only the claim holder records: a process that lost its claim (it was too slow) stays silent.
    recorded = db.session.execute(
        update(Delivery).where(Delivery.id == delivery.id, Delivery.claimed_by == worker)
        .values(claimed_until=None, **values).execution_options(synchronize_session=False))
    db.session.commit()
    if recorded.rowcount == 1:
        db.session.refresh(delivery)
        bucket.append(delivery)


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
    db.session.commit()
    return delivery


def _copy(delivery: Delivery, now: datetime) -> Delivery:
    original_key = delivery.key.split(":resend:")[0]
    copy = Delivery(organization_id=delivery.organization_id, key=f"{original_key}:resend:{now:%Y%m%d%H%M%S%f}",
                    rule=delivery.rule, channel=delivery.channel, user_id=delivery.user_id,
                    address=delivery.address, subject=delivery.subject, body_text=delivery.body_text,
                    body_html=delivery.body_html, next_attempt_at=now)
    db.session.add(copy)
    return copy


def hold_lease(name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the named lease. Only one process holds it; when its holder stops renewing,
    another takes over after ttl."""
    if db.session.get(SchedulerLease, name) is None:
        try:
            db.session.add(SchedulerLease(name=name, holder=holder, expires_at=now + ttl))
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
    result = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=now + ttl).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1
