import hashlib
import smtplib

from flask_mail import Message

from tracker.channels.base import Result
from tracker.extensions import mail
from tracker.models import Delivery


def message_id(key: str) -> str:
    """The same outbox row always carries the same Message-ID: should a crash fall between the
    server's "250 OK" and our commit, the resent copy is recognisably the same message."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@ita-tracker>"


class EmailChannel:
    name = "email"

    def __init__(self, config) -> None:
        self.config = config

    def send(self, delivery: Delivery) -> Result:
        if not self.config.get("MAIL_SERVER"):
            return Result.give_up("ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมล (MAIL_SERVER)")
        message = Message(subject=delivery.subject, recipients=[delivery.address], body=delivery.body_text,
                          html=delivery.body_html or None, sender=self.config.get("MAIL_DEFAULT_SENDER"))
        message.msgId = message_id(delivery.key)
        try:
            mail.send(message)
        except smtplib.SMTPRecipientsRefused:
            return Result.give_up(f"เซิร์ฟเวอร์อีเมลปฏิเสธผู้รับ {delivery.address} (ที่อยู่อาจไม่ถูกต้อง)")
        except smtplib.SMTPAuthenticationError:
            return Result.give_up("ชื่อผู้ใช้หรือรหัสผ่านของเซิร์ฟเวอร์อีเมลไม่ถูกต้อง (MAIL_USERNAME/MAIL_PASSWORD)")
        except smtplib.SMTPSenderRefused:
            return Result.give_up("เซิร์ฟเวอร์อีเมลไม่ยอมรับผู้ส่ง (MAIL_DEFAULT_SENDER)")
        except smtplib.SMTPResponseException as error:
            text = f"เซิร์ฟเวอร์อีเมลตอบกลับรหัส {error.smtp_code}"
            return Result.retry(text) if error.smtp_code < 500 else Result.give_up(text)
        except (OSError, smtplib.SMTPException) as error:
            return Result.retry(f"เชื่อมต่อเซิร์ฟเวอร์อีเมลไม่ได้ ({type(error).__name__}) จะลองส่งใหม่อัตโนมัติ")
        return Result.sent()
