"""Chat entry: store a message, parse it into a suggestion, and turn a confirmed suggestion into exactly
one expense (with its `expense_mentions`), whichever socket or request confirms it and however often.

Message statuses: draft (a suggestion waiting for the user), completed (the expense exists), failed
(confirming failed, or the user cancelled; `metadata.error` says why). A failed message can be
confirmed again with edits.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import AppError, Conflict, NotFound, Unprocessable
from app.models import ChatMessage, ExpenseMention, Tag, User
from app.models.enums import ChatMessageStatus, MentionType, QuickAddMode
from app.pagination import newest_first
from app.services.ai import chat_parser, structured
from app.services.ai.structured import AIFailed
from app.services.chat import directory
from app.services.chat.parser import parse
from app.services.chat.schemas import (
    ChatMessageOut,
    ConversationOut,
    MentionOut,
    MentionSuggestion,
    ParseRequest,
    ParseResult,
    SuggestionEdits,
)
from app.services.expenses import service as expenses
from app.services.expenses.schemas import ExpenseCreate, ExpenseOut, PayerIn, SplitIn
from app.services.expenses.tags import clean_names

# Shortcut mode takes only '@person $amount description'.
SHORTCUT = re.compile(r"^\s*@\S+\s+\S*\d\S*\s+\S")


async def parse_message(
    session: AsyncSession, settings: Settings, user: User, request: ParseRequest
) -> tuple[ParseResult, dict[str, Any] | None]:
    """The suggestion for a message, and what the AI call cost when one was made (for the metadata).

    normal mode: the system parser, then the AI when its confidence is below the threshold and a key is
    set up; ai mode: the AI first; shortcut mode: the system parser, strict about the form. An AI failure
    of any kind falls back to the system parser's answer with a warning."""
    context = await directory.load_context(session, user, request.group_id)
    if request.group_id is not None and context.directory.group(request.group_id) is None:
        raise NotFound("No such group (or you cannot add expenses to it).")
    system = parse(request.content, context)
    mode = request.mode or context.quick_add_mode
    if mode == QuickAddMode.SHORTCUT:
        if not SHORTCUT.match(request.content):
            system.warnings.append("Shortcut mode expects '@person $amount description'.")
            system.confidence = min(system.confidence, 0.5)
        return system, None
    if mode == QuickAddMode.NORMAL and system.confidence >= settings.ai_confidence_threshold:
        return system, None
    choice = await structured.choose_provider(session, settings, user.id)
    if choice is None:
        if mode == QuickAddMode.AI:
            system.warnings.append("No AI provider is set up (see /ai-settings); the system parser answered.")
        return system, None
    try:
        result, usage = await chat_parser.ask(settings, choice, request.content, context)
    except AIFailed as failure:
        system.warnings.append(f"The {choice.provider} parser failed ({failure.reason}); the system parser answered.")
        spent = failure.usage.as_metadata() if failure.usage else {"provider": choice.provider}
        return system, {**spent, "fallback": True, "error": failure.reason}
    return result, usage.as_metadata()


def message_out(message: ChatMessage) -> ChatMessageOut:
    return ChatMessageOut(
        id=message.id,
        conversation_id=message.conversation_id,
        message_type=message.message_type,
        content=message.content,
        status=message.status,
        expense_id=message.expense_id,
        client_message_id=message.client_message_id,
        metadata=message.meta,
        created_at=message.created_at,
        updated_at=message.updated_at,
    )


async def _by_client_id(session: AsyncSession, user: User, client_message_id: str) -> ChatMessage | None:
    return await session.scalar(
        select(ChatMessage).where(ChatMessage.user_id == user.id, ChatMessage.client_message_id == client_message_id)
    )


async def submit(
    session: AsyncSession,
    settings: Settings,
    user: User,
    request: ParseRequest,
    client_message_id: str | None = None,
) -> ChatMessage:
    """Store the message and its parse. The same `client_message_id` sent again (a resend after a
    reconnect) gets the stored message back instead of a second one."""
    if client_message_id is not None and (found := await _by_client_id(session, user, client_message_id)):
        return found
    result, ai_call = await parse_message(session, settings, user, request)
    now = datetime.now(UTC)
    message = ChatMessage(
        id=uuid.uuid4(),
        user_id=user.id,
        conversation_id=request.conversation_id,
        content=request.content,
        client_message_id=client_message_id,
        status=ChatMessageStatus.DRAFT,
        meta=_metadata(result, ai_call),
        created_at=now,
        updated_at=now,
    )
    session.add(message)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # the same resend racing on another socket: that one stored it
        found = await _by_client_id(session, user, client_message_id or "")
        if found is None:
            raise
        return found
    return message


def _metadata(result: ParseResult, ai_call: dict[str, Any] | None) -> dict[str, Any]:
    parsed = result.model_dump(mode="json")
    # Seed 002 keeps mentions and confidence beside the parse; so do we. `ai`: tokens, latency, attempts.
    meta = {"parsed": parsed, "mentions": parsed["mentions"], "confidence": result.confidence, "parser": result.parser}
    return meta | ({"ai": ai_call} if ai_call else {})


def suggestion_of(message: ChatMessage) -> ParseResult:
    return ParseResult.model_validate(message.meta["parsed"])


async def _locked_message(session: AsyncSession, user: User, message_id: uuid.UUID) -> ChatMessage:
    message = await session.scalar(
        select(ChatMessage)
        .where(ChatMessage.id == message_id, ChatMessage.user_id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if message is None:
        raise NotFound("No such chat message.")
    return message


def _expense_from(parsed: ParseResult, edits: SuggestionEdits) -> ExpenseCreate:
    amount = edits.amount or parsed.amount
    if amount is None:
        raise Unprocessable("No amount was found in the message: send one in the edits.", field="amount")
    split = edits.split
    unresolved = [m.text for m in parsed.mentions if m.type == MentionType.USER and m.user_id is None]
    if unresolved and not (split and split.participants):
        names = ", ".join(unresolved)
        raise Unprocessable(f"Who is {names}? Pick the people in the edits, or remove the mention.", field="split")
    participants = (split.participants if split and split.participants else None) or parsed.split.participants
    paid_by = split.paid_by if split and split.paid_by is not None else parsed.split.paid_by
    title = edits.description or parsed.description or (parsed.category or "Expense").replace("-", " ").capitalize()
    return ExpenseCreate(
        title=title[:200],
        amount=amount,
        currency=edits.currency or parsed.currency,
        expense_date=edits.expense_date or parsed.expense_date,
        group_id=edits.group_id or parsed.group_id,
        category_id=edits.category_id or parsed.category_id,
        split=SplitIn(participants=[{"user_id": person} for person in dict.fromkeys(participants)]),
        payers=[PayerIn(user_id=paid_by)],
        tags=edits.tags if edits.tags is not None else parsed.tags,
        expense_classification=edits.expense_classification or parsed.expense_classification,
    )


async def _record_mentions(
    session: AsyncSession, user: User, expense_id: uuid.UUID, mentions: list[MentionOut]
) -> None:
    new_tags = [m.name for m in mentions if m.type == MentionType.TAG and m.tag_id is None and m.name]
    made: dict[str, uuid.UUID] = {}
    if new_tags:
        wanted = {name.casefold() for name in clean_names(new_tags)}
        rows = await session.execute(select(Tag.name, Tag.id).where(Tag.user_id == user.id))
        made = {name.casefold(): tag_id for name, tag_id in rows if name.casefold() in wanted}
    columns = {
        MentionType.USER: "mentioned_user_id",
        MentionType.GROUP: "mentioned_group_id",
        MentionType.CATEGORY: "mentioned_category_id",
        MentionType.TAG: "mentioned_tag_id",
    }
    for mention in mentions:
        target = mention.user_id or mention.group_id or mention.category_id or mention.tag_id
        if target is None and mention.type == MentionType.TAG and mention.name:
            target = made.get(mention.name.casefold())
        if target is None:
            continue
        session.add(
            ExpenseMention(
                expense_id=expense_id,
                created_by_id=user.id,
                mention_type=mention.type,
                mentioned_text=mention.text[:100],
                **{columns[mention.type]: target},
            )
        )
    await session.flush()


async def confirm(
    session: AsyncSession, user: User, message_id: uuid.UUID, edits: SuggestionEdits | None = None
) -> tuple[ChatMessage, ExpenseOut]:
    """Make the expense a suggestion describes. Confirming again (a double tap, a resend after a
    reconnect, another of the user's sockets) returns the same expense: the message row is locked and
    already names it."""
    message = await _locked_message(session, user, message_id)
    if message.status == ChatMessageStatus.COMPLETED and message.expense_id is not None:
        expense = await expenses.visible_expense(session, user, message.expense_id)
        return message, (await expenses.outputs(session, [expense]))[0]
    if message.meta.get("cancelled"):
        raise Conflict("This suggestion was cancelled; send the message again.")
    edits = edits or SuggestionEdits()
    parsed = suggestion_of(message)
    try:
        async with session.begin_nested():
            data = _expense_from(parsed, edits)
            created = await expenses.create_expense(session, user, data, chat_message_id=message.id)
            await _record_mentions(session, user, created.id, parsed.mentions)
    except AppError as error:
        message.status = ChatMessageStatus.FAILED
        message.meta = {**message.meta, "error": error.detail}
        message.updated_at = datetime.now(UTC)
        await session.flush()
        error.keep_changes = True  # the failure is recorded on the message; the expense was not made
        raise
    message.status = ChatMessageStatus.COMPLETED
    message.expense_id = created.id
    meta = {k: v for k, v in message.meta.items() if k != "error"}
    if edits.model_fields_set:
        meta["edits"] = edits.model_dump(mode="json", exclude_unset=True)
    message.meta = meta
    message.updated_at = datetime.now(UTC)
    await session.flush()
    return message, created


async def cancel(session: AsyncSession, user: User, message_id: uuid.UUID) -> ChatMessage:
    message = await _locked_message(session, user, message_id)
    if message.status == ChatMessageStatus.COMPLETED:
        raise Conflict("This suggestion is already an expense; delete the expense instead.")
    message.status = ChatMessageStatus.FAILED
    message.meta = {**message.meta, "cancelled": True, "error": "Cancelled."}
    message.updated_at = datetime.now(UTC)
    await session.flush()
    return message


async def messages_page(
    session: AsyncSession, user: User, conversation_id: str, *, cursor: str | None, limit: int
) -> tuple[list[ChatMessage], str | None]:
    query = select(ChatMessage).where(ChatMessage.user_id == user.id, ChatMessage.conversation_id == conversation_id)
    rows, next_cursor = await newest_first(session, query, ChatMessage, cursor=cursor, limit=limit)
    if not rows and cursor is None:
        raise NotFound("No such conversation: it starts with its first message.")
    return rows, next_cursor


async def changed_since(session: AsyncSession, user: User, since: datetime, limit: int = 200) -> list[ChatMessage]:
    """Messages stored or changed after `since`, oldest first: what a reconnecting socket missed."""
    query = (
        select(ChatMessage)
        .where(ChatMessage.user_id == user.id, ChatMessage.updated_at > since)
        .order_by(ChatMessage.updated_at, ChatMessage.id)
        .limit(limit)
    )
    return list(await session.scalars(query))


_CONVERSATIONS = text(
    """
    SELECT DISTINCT ON (conversation_id) conversation_id, content AS last_message, created_at AS last_message_at,
           count(*) OVER (PARTITION BY conversation_id) AS message_count
    FROM chat_messages WHERE user_id = :me
    ORDER BY conversation_id, created_at DESC, id DESC
    """
)


async def conversations(session: AsyncSession, user: User) -> list[ConversationOut]:
    rows = (await session.execute(_CONVERSATIONS, {"me": user.id})).mappings().all()
    found = [ConversationOut(**row) for row in rows]
    return sorted(found, key=lambda conversation: conversation.last_message_at, reverse=True)


async def mention_suggestions(
    session: AsyncSession, user: User, query: str, *, limit: int = 20
) -> list[MentionSuggestion]:
    """Friends and groups for '@', categories and tags for '#', by prefix of any of their names."""
    sigil = query[:1] if query[:1] in ("@", "#") else ""
    prefix = query[len(sigil) :].strip().casefold()
    found = await directory.load_directory(session, user.id)
    results: list[MentionSuggestion] = []

    def add(kind: MentionType, item_id: Any, handle: str, name: str, *names: str | None) -> None:
        if any(n and n.casefold().startswith(prefix) for n in (handle, name, *names)):
            sign = "@" if kind in (MentionType.USER, MentionType.GROUP) else "#"
            results.append(MentionSuggestion(type=kind, id=str(item_id), text=sign + handle, name=name))

    if sigil in ("", "@"):
        for person in found.people:
            add(MentionType.USER, person.id, person.username, person.display, person.first_name, person.last_name)
        for group in found.groups:
            add(MentionType.GROUP, group.id, re.sub(r"\W+", "", group.name.casefold()), group.name)
    if sigil in ("", "#"):
        for category in found.categories:
            add(MentionType.CATEGORY, category.id, category.slug, category.name)
        for tag in found.tags:
            add(MentionType.TAG, tag.id, re.sub(r"\s+", "-", tag.name), tag.name)
    results.sort(key=lambda item: (len(item.text), item.text))
    return results[:limit]
