"""Typed models, one module per aggregate. Every row belongs to an organization."""
from tracker.models.audit import AuditEvent
from tracker.models.notify import (
    Delivery, DeliveryStatus, Holiday, NotificationPreference, ReminderSettings, SchedulerLease,
)
from tracker.models.ita import AssessmentItem, AssessmentYear, ItemScore
from tracker.models.org import Division, Organization, Role, User
from tracker.models.pdf_job import PdfJob, PdfJobPriority, PdfJobStatus
from tracker.models.plan import FiscalYear, Measure, MeasureStep, Topic
from tracker.models.publish import ApiToken, DocumentFile, DocumentVersion, VersionStatus
from tracker.models.report import ReportDraft, ReportSettings
from tracker.models.security import LoginAttempt, LoginGuard, LoginSession
from tracker.models.task import Evidence, ProgressUpdate, Task, TaskStatus

__all__ = [
    "ApiToken", "AssessmentItem", "AssessmentYear", "AuditEvent", "Delivery", "DeliveryStatus", "Division", "DocumentFile", "DocumentVersion", "Evidence",
    "Holiday", "NotificationPreference", "ReminderSettings", "SchedulerLease", "FiscalYear", "ItemScore",
    "LoginAttempt", "LoginGuard", "LoginSession", "Measure", "MeasureStep", "Organization", "PdfJob", "PdfJobPriority", "PdfJobStatus",
    "ProgressUpdate", "ReportDraft", "ReportSettings",
    "Role", "Task", "TaskStatus", "Topic", "User", "VersionStatus",
]
