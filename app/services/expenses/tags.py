"""Tags: each user's own labels, put on expenses by name (made on first use). `usage_count` is how many
live expenses carry the tag, recounted from `expense_tags` whenever that can change (tagging, untagging,
deleting or restoring an expense), so it never drifts."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import flush_unique
from app.errors import Conflict, NotFound
from app.models import Expense, Tag, User, expense_tags

HEX = r"^#[0-9A-Fa-f]{6}$"
NAME = {"min_length": 1, "max_length": 50, "pattern": r"^[^,#@]+$", "description": "No commas, # or @."}


class TagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(**NAME)  # type: ignore[arg-type]
    color: str | None = Field(default=None, pattern=HEX)
    description: str | None = Field(default=None, max_length=500)


class TagPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, **NAME)  # type: ignore[arg-type]
    color: str | None = Field(default=None, pattern=HEX)
    description: str | None = Field(default=None, max_length=500)


class TagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    color: str
    description: str | None
    usage_count: int


def clean_names(names: Iterable[str]) -> list[str]:
    """Trimmed, without a leading #, case-insensitively unique, in the order given."""
    seen: dict[str, str] = {}
    for raw in names:
        name = raw.strip().lstrip("#").strip()
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return list(seen.values())


async def _owned(session: AsyncSession, user: User, names: list[str]) -> list[uuid.UUID]:
    """The caller's tags with these names (case-insensitive), made where missing."""
    if not names:
        return []
    existing = {
        name.casefold(): tag_id
        for tag_id, name in await session.execute(
            select(Tag.id, Tag.name).where(Tag.user_id == user.id, func.lower(Tag.name).in_([n.lower() for n in names]))
        )
    }
    missing = [name for name in names if name.casefold() not in existing]
    if missing:
        now = datetime.now(UTC)
        await session.execute(
            insert(Tag)
            .values([{"id": uuid.uuid4(), "user_id": user.id, "name": name, "created_at": now} for name in missing])
            .on_conflict_do_nothing(index_elements=["user_id", "name"])
        )
        return await _owned(session, user, names)  # now every one exists
    return [existing[name.casefold()] for name in names]


async def recount(session: AsyncSession, tag_ids: Iterable[uuid.UUID]) -> None:
    ids = sorted(set(tag_ids))
    if not ids:
        return
    # Lock the tags first (in one order: no deadlocks), then count in a statement of its own: it sees the
    # rows of a transaction that held the lock before us. Counting inside the UPDATE would use the snapshot
    # from before the wait, and two expenses tagged at once would each leave out the other.
    await session.execute(select(Tag.id).where(Tag.id.in_(ids)).order_by(Tag.id).with_for_update())
    live = (
        select(func.count())
        .select_from(expense_tags.join(Expense, Expense.id == expense_tags.c.expense_id))
        .where(expense_tags.c.tag_id == Tag.id, Expense.is_deleted.is_(False))
        .scalar_subquery()
    )
    await session.execute(update(Tag).where(Tag.id.in_(ids)).values(usage_count=live))


async def tag_ids_of(session: AsyncSession, expense_id: uuid.UUID) -> list[uuid.UUID]:
    return list(await session.scalars(select(expense_tags.c.tag_id).where(expense_tags.c.expense_id == expense_id)))


async def set_expense_tags(session: AsyncSession, user: User, expense_id: uuid.UUID, names: list[str]) -> None:
    """The caller's tags on this expense become exactly `names`; other people's tags on it stay."""
    wanted = await _owned(session, user, clean_names(names))
    mine_now = list(
        await session.scalars(
            select(expense_tags.c.tag_id)
            .join(Tag, Tag.id == expense_tags.c.tag_id)
            .where(expense_tags.c.expense_id == expense_id, Tag.user_id == user.id)
        )
    )
    removed = [tag_id for tag_id in mine_now if tag_id not in wanted]
    added = [tag_id for tag_id in wanted if tag_id not in mine_now]
    if removed:
        await session.execute(
            delete(expense_tags).where(expense_tags.c.expense_id == expense_id, expense_tags.c.tag_id.in_(removed))
        )
    if added:
        await session.execute(insert(expense_tags).values([{"expense_id": expense_id, "tag_id": t} for t in added]))
    await recount(session, removed + added)


async def names_by_expense(session: AsyncSession, expense_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    rows = await session.execute(
        select(expense_tags.c.expense_id, Tag.name)
        .join(Tag, Tag.id == expense_tags.c.tag_id)
        .where(expense_tags.c.expense_id.in_(expense_ids))
        .order_by(func.lower(Tag.name))
    )
    for expense_id, name in rows:
        found[expense_id].append(name)
    return found


# --- /tags ---------------------------------------------------------------------------------------------


async def listing(session: AsyncSession, user: User) -> list[TagOut]:
    rows = await session.scalars(
        select(Tag).where(Tag.user_id == user.id).order_by(Tag.usage_count.desc(), func.lower(Tag.name))
    )
    return [TagOut.model_validate(row) for row in rows]


async def _mine(session: AsyncSession, user: User, tag_id: uuid.UUID) -> Tag:
    row = await session.scalar(select(Tag).where(Tag.id == tag_id, Tag.user_id == user.id))
    if row is None:
        raise NotFound("No such tag.")
    return row


async def _save(session: AsyncSession, row: Tag) -> TagOut:
    await flush_unique(session, f"You already have a tag named {row.name!r}.")
    await session.refresh(row)
    return TagOut.model_validate(row)


async def create(session: AsyncSession, user: User, data: TagCreate) -> TagOut:
    if await session.scalar(select(Tag.id).where(Tag.user_id == user.id, func.lower(Tag.name) == data.name.lower())):
        raise Conflict(f"You already have a tag named {data.name!r}.")
    row = Tag(id=uuid.uuid4(), user_id=user.id, name=data.name, description=data.description)
    if data.color:
        row.color = data.color
    session.add(row)
    return await _save(session, row)


async def patch(session: AsyncSession, user: User, tag_id: uuid.UUID, data: TagPatch) -> TagOut:
    row = await _mine(session, user, tag_id)
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is not None or name == "description":
            setattr(row, name, value)
    return await _save(session, row)


async def remove(session: AsyncSession, user: User, tag_id: uuid.UUID) -> None:
    row = await _mine(session, user, tag_id)
    await session.delete(row)  # expense_tags rows go with it (ON DELETE CASCADE)
    await session.flush()
