"""The outbox: claim due deliveries, send them through their channel, record what happened.
A claim is a conditional UPDATE, so two delivery runs never send the same row; a row whose
claim has expired (its process died mid-send) is claimed again and retried."""
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
    report = DeliveryReport()
    due_ids = list(db.session.scalars(
        select(Delivery.id).where(_claimable(now)).order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)))
    for delivery_id in due_ids:
        if not claim(delivery_id, worker, now):
            continue
        delivery = db.session.get(Delivery, delivery_id, populate_existing=True)
        result = channels.for_name(delivery.channel, config).send(delivery)
        _record(delivery, result, worker, now, config.get("TRACKER_MAX_ATTEMPTS", 8), report)
    return report


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
    db.session.execute(
        update(Delivery).where(Delivery.id == delivery.id, Delivery.claimed_by == worker)
        .values(claimed_until=None, **values).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(delivery)
    bucket.append(delivery)


def resend(delivery: Delivery, now: datetime) -> Delivery:
    """Queue a delivery again (the coordinator's button); its key stays, so it is still one message."""
    delivery.status, delivery.next_attempt_at, delivery.last_error = DeliveryStatus.QUEUED, now, ""
    delivery.attempts, delivery.claimed_by, delivery.claimed_until = 0, "", None
    db.session.commit()
    return delivery


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
