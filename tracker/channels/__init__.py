"""Notification channels behind one interface: send(delivery) -> Result. A delivery
run opens each channel once (email keeps its SMTP connection for the run and closes it after)."""
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tracker.channels.base import Channel, Result
from tracker.channels.email import EmailChannel
from tracker.channels.inbox import InboxChannel
from tracker.channels.line import LineChannel
from tracker.channels.webhook import WebhookChannel

__all__ = ["Channel", "EmailChannel", "InboxChannel", "LineChannel", "Result", "WebhookChannel", "for_name", "opened"]


def for_name(name: str, config) -> Channel:
    return {"email": EmailChannel, "line": LineChannel, "webhook": WebhookChannel, "inbox": InboxChannel}[name](config)


@contextmanager
def opened(config) -> Iterator[Callable[[str], Channel]]:
    """For one delivery run: a channel by name, each made once and closed at the end."""
    made: dict[str, Channel] = {}

    def channel_for(name: str) -> Channel:
        if name not in made:
            made[name] = for_name(name, config)
        return made[name]

    try:
        yield channel_for
    finally:
        for channel in made.values():
            if hasattr(channel, "close"):  # only email holds a connection
                channel.close()
