import uuid

from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, PushMessageRequest, TextMessage
from linebot.v3.messaging.exceptions import ApiException
from urllib3.exceptions import HTTPError

from tracker.channels.base import Result
from tracker.models import Delivery

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
        configuration = Configuration(access_token=token, host=self.config.get("LINE_API_BASE"))
        request = PushMessageRequest(to=delivery.address, messages=[TextMessage(text=fit(delivery.body_text))])
        try:
            with ApiClient(configuration) as client:
                MessagingApi(client).push_message(request, x_line_retry_key=retry_key(delivery.key),
                                                  _request_timeout=15)
        except ApiException as error:
            return self._api_error(error.status)
        except HTTPError as error:
            return Result.retry(f"เชื่อมต่อ LINE ไม่ได้ ({type(error).__name__}) จะลองส่งใหม่อัตโนมัติ")
        return Result.sent()

    @staticmethod
    def _api_error(status: int) -> Result:
        if status == 409:  # this retry key was accepted before: the message went out
            return Result.sent()
        if not status:  # the SDK's way of saying the TLS connection failed
            return Result.retry("เชื่อมต่อ LINE อย่างปลอดภัย (TLS) ไม่ได้ จะลองส่งใหม่อัตโนมัติ")
        if status == 429:
            return Result.retry("LINE แจ้งว่าส่งถี่เกินไปหรือเกินโควตารายเดือน (429) จะลองส่งใหม่ภายหลัง")
        if status >= 500:
            return Result.retry(f"ระบบ LINE ขัดข้องชั่วคราว ({status}) จะลองส่งใหม่อัตโนมัติ")
        if status in (401, 403):
            return Result.give_up(f"LINE ไม่ยอมรับ channel access token ({status}) กรุณาตรวจการตั้งค่า")
        return Result.give_up(f"LINE ปฏิเสธข้อความ ({status}) ผู้รับอาจยังไม่ได้เพิ่มบัญชีทางการเป็นเพื่อน")
