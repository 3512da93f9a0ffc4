"""Notification channels behind one interface: send(delivery) -> Result."""
from tracker.channels.base import Channel, Result
from tracker.channels.email import EmailChannel
from tracker.channels.inbox import InboxChannel
from tracker.channels.line import LineChannel
from tracker.channels.webhook import WebhookChannel

__all__ = ["Channel", "EmailChannel", "InboxChannel", "LineChannel", "Result", "WebhookChannel", "for_name"]


def for_name(name: str, config) -> Channel:
    return {"email": EmailChannel, "line": LineChannel, "webhook": WebhookChannel, "inbox": InboxChannel}[name](config)
