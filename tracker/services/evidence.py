"""Evidence files: checked, stored outside static/ under a random name, served only through a route
that checks who may see the task."""
import secrets
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from tracker.extensions import db
from tracker.models import Evidence, Task, User
from tracker.services.errors import ServiceError

# Leading bytes of the binary formats we accept; a renamed executable is refused.
SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF8",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "ppt": (b"\xd0\xcf\x11\xe0",),
}
# A file is served as the type of its checked extension, never as the type the uploader's browser
# claimed (which could say text/html for a page with script in it).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "zip": "application/zip",
}
UNKNOWN_TYPE = "application/octet-stream"
# Shown in the browser: kinds whose leading bytes were checked and that cannot carry a page's script.
# Every other kind (text, office files, archives) is downloaded.
INLINE_KINDS = ("pdf", "png", "jpg", "jpeg", "gif")


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def check_upload(upload: FileStorage, allowed: tuple[str, ...], max_bytes: int) -> bytes:
    """The file's bytes, or ServiceError with a Thai message naming the file."""
    name = upload.filename or ""
    ext = extension(name)
    if ext not in allowed:
        raise ServiceError(f"ไฟล์ “{name}” เป็นชนิดที่ไม่รับ (รับเฉพาะ {', '.join(allowed)})")
    content = upload.stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ServiceError(f"ไฟล์ “{name}” ใหญ่เกิน {max_bytes // (1024 * 1024)} MB")
    if not content:
        raise ServiceError(f"ไฟล์ “{name}” ว่างเปล่า")
    signatures = SIGNATURES.get(ext)
    if signatures and not content.startswith(signatures):
        raise ServiceError(f"เนื้อหาไฟล์ “{name}” ไม่ตรงกับนามสกุล .{ext}")
    return content


def save_uploads(task: Task, uploader: User, uploads: list[FileStorage], upload_dir: str,
                 allowed: tuple[str, ...], max_bytes: int) -> list[Evidence]:
    """Check every file first, so one bad file stores none; then save them as Evidence rows not yet
    tied to an update (record_progress ties them)."""
    checked = [(upload, check_upload(upload, allowed, max_bytes)) for upload in uploads if upload.filename]
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for upload, content in checked:
        stored_name = f"{secrets.token_hex(16)}.{extension(upload.filename)}"
        (folder / stored_name).write_bytes(content)
        saved.append(Evidence(
            organization_id=task.organization_id, task_id=task.id, uploader_id=uploader.id,
            filename=upload.filename[:255], stored_name=stored_name,
            content_type=_checked_type(stored_name), size=len(content),
        ))
    if saved:
        db.session.add_all(saved)
        db.session.flush()
    return saved


def file_path(evidence: Evidence, upload_dir: str) -> Path:
    return Path(upload_dir) / evidence.stored_name


def _checked_type(stored_name: str) -> str:
    return CONTENT_TYPES.get(extension(stored_name), UNKNOWN_TYPE)


def served_type(evidence: Evidence) -> str:
    """The type to serve a stored file as: its checked kind's (rows saved before this rule kept the
    uploader's claim in content_type, so that column is not trusted)."""
    return _checked_type(evidence.stored_name)


def shows_inline(evidence: Evidence) -> bool:
    return extension(evidence.stored_name) in INLINE_KINDS


def display_filename(evidence: Evidence) -> str:
    """A safe name for the download header; Thai names survive through the UTF-8 filename*."""
    return evidence.filename or secure_filename(evidence.stored_name)
