from urllib.parse import urlsplit

from tracker.channels.base import Result
from tracker.channels.http import post_json
from tracker.models import Delivery

RETRY_LATER = "จะลองส่งใหม่อัตโนมัติ"


class WebhookChannel:
    """A JSON POST for Google Chat, Teams, Discord and the like: "text" for the first two,
    "content" for Discord. The Idempotency-Key header lets a receiver drop a retry it already has."""

    name = "webhook"

    def __init__(self, config) -> None:
        self.config = config

    def send(self, delivery: Delivery) -> Result:
        url = urlsplit(delivery.address)
        if url.scheme not in ("https", "http") or not url.hostname:
            return Result.give_up("ที่อยู่ webhook ไม่ถูกต้อง (ต้องขึ้นต้นด้วย https://)")
        text = delivery.body_text[:3900]
        payload = {"text": text, "content": text[:1900], "subject": delivery.subject}
        try:
            status = post_json(delivery.address, payload, {"Idempotency-Key": delivery.key})
        except OSError as error:
            return Result.retry(f"เชื่อมต่อ webhook ไม่ได้ ({type(error).__name__}) {RETRY_LATER}")
        except ValueError:
            return Result.give_up("ที่อยู่ webhook ไม่ถูกต้อง")
        if status < 300:
            return Result.sent()
        if status == 429 or status >= 500:
            return Result.retry(f"ปลายทาง webhook ตอบกลับรหัส {status} {RETRY_LATER}")
        return Result.give_up(f"ปลายทาง webhook ตอบกลับรหัส {status}")
