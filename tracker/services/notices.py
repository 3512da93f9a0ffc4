"""Telling a user something outside the reminder digests (a draft is ready, a document waits for a
decision, a decision was made): one outbox row per channel the user receives on, keyed so that the
same notice is never queued twice."""
from datetime import datetime

from tracker.models import User
from tracker.services.reminders import channels_for, insert_once


def tell(user: User, rule: str, key: str, subject: str, text: str, config, now: datetime) -> None:
    """`key` names the notice for this user ("approval:12:5"); the channel is added to it."""
    for channel, address in channels_for(user, config):
        insert_once(dict(organization_id=user.organization_id, user_id=user.id, rule=rule, channel=channel,
                         key=f"{key}:{channel}", address=address, subject=subject, body_text=text,
                         next_attempt_at=now, created_at=now))
