"""LINE: one push through the Messaging API. Our own few lines rather than line-bot-sdk, whose
generated models took 1.3 s and some 20 MB to import in every process for this one request."""
import uuid

from tracker.channels.base import Result
from tracker.channels.http import is_tls_failure, post_json
from tracker.models import Delivery

PUSH_PATH = "/v2/bot/message/push"
TEXT_LIMIT = 5000  # LINE's limit for one text message
RETRY_KEY_NAMESPACE = uuid.UUID("6f1c8a52-3d7e-4c55-9a40-2f0d6f7b9e11")


def retry_key(key: str) -> str:
    """A UUID derived from the outbox key: a retry after a crash is answered 409, already sent."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, key))


def fit(text: str) -> str:
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT - 1] + "…"


class LineChannel:
    """Push through the LINE Messaging API (LINE Notify ended on 31 March 2025)."""

    name = "line"

    def __init__(self, config) -> None:
        self.config = config

    def send(self, delivery: Delivery) -> Result:
        token = self.config.get("LINE_CHANNEL_ACCESS_TOKEN")
        if not token:
            return Result.give_up("ยังไม่ได้ตั้งค่า LINE (LINE_CHANNEL_ACCESS_TOKEN)")
        url = self.config.get("LINE_API_BASE", "https://api.line.me").rstrip("/") + PUSH_PATH
        if not url.startswith(("https://", "http://")):
            return Result.give_up("LINE_API_BASE ต้องขึ้นต้นด้วย https://")
        message = {"to": delivery.address, "messages": [{"type": "text", "text": fit(delivery.body_text)}]}
        headers = {"Authorization": f"Bearer {token}", "X-Line-Retry-Key": retry_key(delivery.key)}
        try:
            status = post_json(url, message, headers)
        except OSError as error:
            if is_tls_failure(error):
                return Result.retry("เชื่อมต่อ LINE อย่างปลอดภัย (TLS) ไม่ได้ จะลองส่งใหม่อัตโนมัติ")
            return Result.retry(f"เชื่อมต่อ LINE ไม่ได้ ({type(error).__name__}) จะลองส่งใหม่อัตโนมัติ")
        return self._answer(status)

    @staticmethod
    def _answer(status: int) -> Result:
        if status < 300 or status == 409:  # 409: this retry key was accepted before, the message went out
            return Result.sent()
        if status == 429:
            return Result.retry("LINE แจ้งว่าส่งถี่เกินไปหรือเกินโควตารายเดือน (429) จะลองส่งใหม่ภายหลัง")
        if status >= 500:
            return Result.retry(f"ระบบ LINE ขัดข้องชั่วคราว ({status}) จะลองส่งใหม่อัตโนมัติ")
        if status in (401, 403):
            return Result.give_up(f"LINE ไม่ยอมรับ channel access token ({status}) กรุณาตรวจการตั้งค่า")
        return Result.give_up(f"LINE ปฏิเสธข้อความ ({status}) ผู้รับอาจยังไม่ได้เพิ่มบัญชีทางการเป็นเพื่อน")
