"""Raw-body uploads (an attachment is sent as the request body with its image or audio content type)."""

from __future__ import annotations

from typing import Any

from core.records.cases import CONTENT_TYPES

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the file itself as the body (no multipart); recognised by its content, size-limited "
        "(BANGFU_CASE_ATTACHMENT_MAX_BYTES); anything else is refused with 422",
        "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in CONTENT_TYPES},
    }
}
UPLOAD_PATH = r"^/v1/(?:me/reports|cases)/[^/]+/attachments$"
