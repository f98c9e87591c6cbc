"""Receipts and other attachments on an expense.

The type comes from the file's first bytes, never its name or declared type: JPEG, PNG, GIF, WebP,
HEIC and PDF are accepted. Files live under DATA_DIR/media/expenses/<expense id>/ with a random name;
the expense's `attachments` JSON lists them and `receipt` points at the latest receipt. They are served
only to people who can see the expense, as downloads with the sniffed type (never rendered inline as
something else).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType
from app.models import User
from app.services.expenses.service import require_editor, visible_expense
from app.services.storage import write_atomically

Kind = Literal["receipt", "attachment"]


class AttachmentOut(BaseModel):
    id: uuid.UUID
    kind: Kind
    filename: str
    content_type: str
    size: int
    uploaded_by: int
    uploaded_at: datetime


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the magic bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "image/heic", "heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    return None


def _safe_filename(name: str | None, extension: str) -> str:
    stem = Path(name or "").name.strip().replace('"', "")[:150]
    return stem or f"attachment.{extension}"


def _out(entry: dict[str, Any]) -> AttachmentOut:
    return AttachmentOut.model_validate({key: entry[key] for key in AttachmentOut.model_fields})


async def listing(session: AsyncSession, user: User, expense_id: uuid.UUID) -> list[AttachmentOut]:
    expense = await visible_expense(session, user, expense_id)
    return [_out(entry) for entry in expense.attachments]


async def add(
    session: AsyncSession,
    settings: Settings,
    user: User,
    expense_id: uuid.UUID,
    data: bytes,
    filename: str | None,
    kind: Kind,
) -> AttachmentOut:
    expense = await visible_expense(session, user, expense_id, for_update=True)
    await require_editor(session, user, expense)
    if len(data) > settings.attachment_max_bytes:
        raise PayloadTooLarge(f"The file is larger than {settings.attachment_max_mb} MB.")
    if len(expense.attachments) >= settings.attachments_per_expense:
        raise Conflict(f"An expense can have at most {settings.attachments_per_expense} files; remove one first.")
    found = sniff(data[:16])
    if found is None:
        raise UnsupportedMediaType("Upload a photo (JPEG, PNG, GIF, WebP, HEIC) or a PDF.")
    content_type, extension = found
    attachment_id = uuid.uuid4()
    path = f"expenses/{expense.id}/{attachment_id.hex}.{extension}"
    await asyncio.to_thread(write_atomically, settings.media_dir / path, data)
    entry = {
        "id": str(attachment_id),
        "kind": kind,
        "filename": _safe_filename(filename, extension),
        "content_type": content_type,
        "size": len(data),
        "path": path,
        "uploaded_by": user.id,
        "uploaded_at": datetime.now(UTC).isoformat(),
    }
    expense.attachments = [*expense.attachments, entry]  # a new list, so the JSON column is written
    if kind == "receipt":
        expense.receipt = path
    await session.flush()
    return _out(entry)


def _find(attachments: list[dict[str, Any]], attachment_id: uuid.UUID) -> dict[str, Any]:
    for entry in attachments:
        if entry["id"] == str(attachment_id):
            return entry
    raise NotFound("No such attachment.")


async def file_of(
    session: AsyncSession, settings: Settings, user: User, expense_id: uuid.UUID, attachment_id: uuid.UUID
) -> tuple[Path, AttachmentOut]:
    expense = await visible_expense(session, user, expense_id)
    entry = _find(expense.attachments, attachment_id)
    path = settings.media_dir / entry["path"]
    if not path.is_file():
        raise NotFound("This attachment's file is missing from storage.")
    return path, _out(entry)


async def remove(
    session: AsyncSession, settings: Settings, user: User, expense_id: uuid.UUID, attachment_id: uuid.UUID
) -> None:
    expense = await visible_expense(session, user, expense_id, for_update=True)
    await require_editor(session, user, expense)
    entry = _find(expense.attachments, attachment_id)
    expense.attachments = [item for item in expense.attachments if item is not entry]
    if expense.receipt == entry["path"]:
        receipts = [item["path"] for item in expense.attachments if item["kind"] == "receipt"]
        expense.receipt = receipts[-1] if receipts else None
    await session.flush()
    (settings.media_dir / entry["path"]).unlink(missing_ok=True)
