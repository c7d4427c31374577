"""Attachments of a case: photos (JPEG, PNG, WebP) and voice notes (Ogg, as Telegram records them), recognised
by their first bytes rather than by what the caller says they are, size-limited, stored in the database."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput
from core.records.cases.base import CaseBase
from core.records.cases.tables import Case, CaseAttachment
from core.records.cases.views import AttachmentView

# (magic bytes at offset 0, further magic at offset 8 or None, content type)
_KINDS: tuple[tuple[bytes, bytes | None, str], ...] = (
    (b"\xff\xd8\xff", None, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", None, "image/png"),
    (b"RIFF", b"WEBP", "image/webp"),
    (b"OggS", None, "audio/ogg"),
)
CONTENT_TYPES = tuple(kind for _, _, kind in _KINDS)


def sniff(data: bytes) -> str | None:
    """The content type `data` is, by its first bytes, among those a case takes; None for anything else."""
    for head, at8, kind in _KINDS:
        if data.startswith(head) and (at8 is None or data[8:12] == at8):
            return kind
    return None


class CaseFiles(CaseBase):
    """Storing and reading attachments (a part of `CaseRecords`)."""

    def check_file(self, data: bytes) -> str:
        """The content type of an acceptable attachment; InvalidInput (plain words) otherwise."""
        limit = self._settings.case_attachment_max_bytes
        if not data:
            raise InvalidInput("the attachment is empty")
        if len(data) > limit:
            raise InvalidInput(f"the attachment is larger than {limit // 1024} KB; send a smaller photo")
        kind = sniff(data)
        if kind is None:
            raise InvalidInput("only photos (JPEG, PNG, WebP) and voice notes (Ogg) can be attached")
        return kind

    def store_file(self, session: Session, case: Case, *, data: bytes, uploaded_by: str) -> AttachmentView:
        kind = self.check_file(data)
        held = session.scalar(
            select(func.count()).select_from(CaseAttachment).where(CaseAttachment.case_id == case.id)
        )
        if (held or 0) >= self._settings.case_attachments_max:
            raise InvalidInput(f"a case holds at most {self._settings.case_attachments_max} attachments")
        row = CaseAttachment(
            case_id=case.id,
            step_id=None,
            uploaded_by=uploaded_by[:120],
            content_type=kind,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_at=self.now(),
        )
        session.add(row)
        session.flush()
        return AttachmentView(row.id, row.content_type, row.size, row.uploaded_by, row.created_at)

    @staticmethod
    def read_file(session: Session, case: Case, attachment_id: int) -> CaseAttachment | None:
        return session.scalar(
            select(CaseAttachment).where(
                CaseAttachment.case_id == case.id, CaseAttachment.id == attachment_id
            )
        )
