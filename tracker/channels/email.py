import hashlib
import smtplib
from email import policy
from email.charset import BASE64, Charset
from email.header import Header

from flask import current_app
from flask_mail import Connection, Message

from tracker.channels.base import Result
from tracker.models import Delivery

SMTP_TIMEOUT = 30  # seconds; a server that stops answering must not hold the outbox
RETRY_LATER = "จะลองส่งใหม่อัตโนมัติ"


def message_id(key: str) -> str:
    """The same outbox row always carries the same Message-ID: should a crash fall between the
    server's "250 OK" and our commit, the resent copy is recognisably the same message."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@ita-tracker>"


def thai_charset() -> Charset:
    """UTF-8 with base64 bodies. Flask-Mail sends UTF-8 as 8bit, which breaks on servers without
    8BITMIME and on lines over 998 bytes (a long Thai measure title is one)."""
    charset = Charset("utf-8")
    charset.body_encoding = BASE64
    return charset


class ThaiMessage(Message):
    """Flask-Mail's message, written out under the classic policy with CRLF line ends. Flask-Mail
    writes under policy.SMTP, which parses again every header it has just encoded: three times
    the time of the whole message, and the outbox writes tens of thousands of them in a run. The
    classic policy would fold the subject Flask-Mail encoded into a string, so it gets a Header."""

    WIRE = policy.compat32.clone(linesep="\r\n")

    def as_bytes(self) -> bytes:
        message = self._message()
        message.policy = self.WIRE  # the headers were stored under it; Flask-Mail switches at the end
        if self.subject:
            message.replace_header("Subject", Header(self.subject, "utf-8"))
        return message.as_bytes()


class TimedConnection(Connection):
    """Flask-Mail's connection with a time-out, and a goodbye that cannot undo a delivery."""

    def configure_host(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=SMTP_TIMEOUT)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host

    def __exit__(self, exc_type, exc_value, tb) -> None:
        # After the server's 250 the message is delivered: a QUIT that fails must not turn it
        # into an error, or the retry would send it twice.
        if self.host is not None:
            try:
                self.host.quit()
            except (OSError, smtplib.SMTPException):
                self.host.close()


def _refused(code: int, text: str) -> Result:
    """SMTP's 4xx replies are temporary, 5xx permanent."""
    if 400 <= code < 500:
        return Result.retry(f"{text} (รหัส {code}) {RETRY_LATER}")
    return Result.give_up(f"{text} (รหัส {code})")


class EmailChannel:
    """Email through Flask-Mail. One SMTP connection serves a whole delivery run; after an error
    that may have broken it, the next message opens a new one."""

    name = "email"

    def __init__(self, config) -> None:
        self.config = config
        self.connection: TimedConnection | None = None

    def send(self, delivery: Delivery) -> Result:
        if not self.config.get("MAIL_SERVER"):
            return Result.give_up("ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมล (MAIL_SERVER)")
        message = ThaiMessage(subject=delivery.subject, recipients=[delivery.address], body=delivery.body_text,
                              html=delivery.body_html or None, sender=self.config.get("MAIL_DEFAULT_SENDER"),
                              charset=thai_charset())
        message.msgId = message_id(delivery.key)
        try:
            self._connected().send(message)
        except smtplib.SMTPRecipientsRefused as error:
            [(code, _)] = error.recipients.values()  # one recipient per message
            return _refused(code, f"เซิร์ฟเวอร์อีเมลไม่รับอีเมลถึง {delivery.address}")
        except smtplib.SMTPSenderRefused as error:
            return _refused(error.smtp_code, "เซิร์ฟเวอร์อีเมลไม่ยอมรับผู้ส่ง (MAIL_DEFAULT_SENDER)")
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            return _refused(error.smtp_code, "ชื่อผู้ใช้หรือรหัสผ่านของเซิร์ฟเวอร์อีเมลไม่ถูกต้อง "
                                             "(MAIL_USERNAME/MAIL_PASSWORD)")
        except smtplib.SMTPResponseException as error:
            self.close()
            return _refused(error.smtp_code, "เซิร์ฟเวอร์อีเมลไม่รับข้อความ")
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            return Result.retry(f"เชื่อมต่อเซิร์ฟเวอร์อีเมลไม่ได้ ({type(error).__name__}) {RETRY_LATER}")
        return Result.sent()

    def _connected(self) -> TimedConnection:
        if self.connection is None:
            self.connection = TimedConnection(current_app.extensions["mail"]).__enter__()
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            connection.__exit__(None, None, None)
