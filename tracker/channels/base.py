from dataclasses import dataclass
from typing import Protocol

from tracker.models import Delivery


@dataclass
class Result:
    """What a send did. An error is a Thai sentence for the deliveries page; transient errors
    (connection refused, time-outs, 429, 5xx) are retried, permanent ones are not."""
    ok: bool
    error: str = ""
    transient: bool = False

    @classmethod
    def sent(cls) -> "Result":
        return cls(ok=True)

    @classmethod
    def retry(cls, error: str) -> "Result":
        return cls(ok=False, error=error, transient=True)

    @classmethod
    def give_up(cls, error: str) -> "Result":
        return cls(ok=False, error=error, transient=False)


class Channel(Protocol):
    name: str

    def __init__(self, config) -> None: ...

    def send(self, delivery: Delivery) -> Result: ...
