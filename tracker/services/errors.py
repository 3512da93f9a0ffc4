"""Errors that services raise and routes turn into Thai messages."""


class ServiceError(Exception):
    """A rule refused the change; str(error) is a Thai message for the user."""


class NotFound(ServiceError):
    pass


class Forbidden(ServiceError):
    pass


class EditConflict(ServiceError):
    """Somebody saved the task after this user opened it."""

    def __init__(self, task):
        super().__init__("มีผู้อื่นบันทึกงานนี้ไปแล้วระหว่างที่คุณกรอกข้อมูล")
        self.task = task
