"""Chat entry (seed 002's ChatMessage): messages and what they turned into."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Timestamps, UUIDPrimaryKey, choice, fk, json_object, user_fk
from app.models.enums import ChatMessageStatus, ChatMessageType


class ChatMessage(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        # Also serve seed 002's (user, conversation_id, created_at) and (user, status).
        Index("idx_chat_user_conversation", "user_id", "conversation_id", text("created_at DESC")),
        Index("idx_chat_user_status", "user_id", "status", text("created_at DESC")),
        Index("idx_chat_created", "created_at"),
        # A client resending a message after a reconnect gets the stored one back, not a second copy.
        Index(
            "uq_chat_client_message",
            "user_id",
            "client_message_id",
            unique=True,
            postgresql_where=text("client_message_id IS NOT NULL"),
        ),
    )

    user_id: Mapped[int] = user_fk("CASCADE")
    expense_id: Mapped[uuid.UUID | None] = fk("expenses.id", "SET NULL")
    uploaded_file_id: Mapped[uuid.UUID | None] = fk("uploaded_files.id", "SET NULL")
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    message_type: Mapped[ChatMessageType] = choice(ChatMessageType, "message_type", ChatMessageType.USER)
    content: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = json_object(name="metadata")
    status: Mapped[ChatMessageStatus] = choice(ChatMessageStatus, "chat_status", ChatMessageStatus.DRAFT)
    client_message_id: Mapped[str | None] = mapped_column(String(100))
