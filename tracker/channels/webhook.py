import json
import urllib.error
import urllib.request

from tracker.channels.base import Result
from tracker.models import Delivery


class WebhookChannel:
    """A JSON POST for Google Chat, Teams, Discord and the like: "text" for the first two,
    "content" for Discord."""

    name = "webhook"

    def __init__(self, config) -> None:
        self.config = config

    def send(self, delivery: Delivery) -> Result:
        text = delivery.body_text[:3900]
        payload = json.dumps({"text": text, "content": text[:1900], "subject": delivery.subject}).encode()
        request = urllib.request.Request(delivery.address, data=payload, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=15):
                return Result.sent()
        except urllib.error.HTTPError as error:
            text = f"ปลายทาง webhook ตอบกลับรหัส {error.code}"
            return Result.retry(text) if error.code == 429 or error.code >= 500 else Result.give_up(text)
        except (urllib.error.URLError, OSError) as error:
            return Result.retry(f"เชื่อมต่อ webhook ไม่ได้ ({type(error).__name__}) จะลองส่งใหม่อัตโนมัติ")
        except ValueError:
            return Result.give_up("ที่อยู่ webhook ไม่ถูกต้อง")
