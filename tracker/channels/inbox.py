from tracker.channels.base import Result
from tracker.models import Delivery


class InboxChannel:
    """The in-app mailbox: the message is already stored, so delivering it is marking it sent.
    It works with nothing configured, so the demo shows reminders without any server."""

    name = "inbox"

    def __init__(self, config) -> None:
        self.config = config

    def send(self, delivery: Delivery) -> Result:
        return Result.sent()
