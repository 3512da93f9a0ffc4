"""PDFs made away from the web request: what to convert, where the PDF goes, and how its making went."""
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.models.base import OrgOwned, utcnow


class PdfJobStatus:
    QUEUED = "queued"  # waiting for the scheduler or `tracker documents`
    MAKING = "making"  # claimed by a process that is converting it
    DONE = "done"
    FAILED = "failed"  # its Thai error says why; the Word file is there, and the job can be queued again


class PdfJobPriority:
    """Which jobs go first: those someone waits for (a PDF asked for on a page, an approval, a draft
    the coordinator compiled), then those a schedule made (the scheduled drafts of every agency)."""
    WAITED_FOR = 0
    SCHEDULED = 1


class PdfJob(OrgOwned, db.Model):
    """One PDF to make from a Word file (written in Laksaman, the font the PDF embeds). The PDF goes
    to a version's files (its document, "pdf", or its memo, "memo-pdf"), to a draft, or, for a
    document of today's data, into this row. The key says what the PDF is made from
    ("version:12:pdf", "draft:3", "live:1:<sha256 of the report's data and letterhead>"), so asking
    again for the same thing queues nothing new."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("document_version.id", ondelete="CASCADE"), index=True)
    fmt: Mapped[str] = mapped_column(String(10), default="pdf")  # the version's file: "pdf" or "memo-pdf"
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("report_draft.id", ondelete="CASCADE"), index=True)
    source: Mapped[bytes | None] = mapped_column(LargeBinary)  # the Word file; let go once the PDF is made
    content: Mapped[bytes | None] = mapped_column(LargeBinary)  # the PDF of a live document
    sha256: Mapped[str] = mapped_column(String(64), default="")  # of the PDF
    status: Mapped[str] = mapped_column(String(10), default=PdfJobStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    priority: Mapped[int] = mapped_column(default=PdfJobPriority.WAITED_FOR, server_default="0")  # lower first
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_until: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def waiting(self) -> bool:
        """Queued or being made: the page says so and looks again."""
        return self.status in (PdfJobStatus.QUEUED, PdfJobStatus.MAKING)

    @property
    def failed(self) -> bool:
        return self.status == PdfJobStatus.FAILED
