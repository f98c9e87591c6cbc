"""Each user's own categories, beside (and under) the defaults. Slugs come from the name. Deleting one
loses nothing: its expenses and subcategories move up to its parent (or to no category)."""

from __future__ import annotations

import re
import unicodedata
import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import flush_unique
from app.errors import NotFound, Unprocessable
from app.models import Category, Expense, RecurringExpense, User
from app.services.reference.schemas import CategoryOut

HEX = r"^#[0-9A-Fa-f]{6}$"


class CategoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    parent_id: uuid.UUID | None = Field(default=None, description="A default category or one of yours.")
    icon: str | None = Field(default=None, max_length=50)
    color: str | None = Field(default=None, pattern=HEX)
    description: str | None = Field(default=None, max_length=500)


class CategoryPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: uuid.UUID | None = None
    icon: str | None = Field(default=None, max_length=50)
    color: str | None = Field(default=None, pattern=HEX)
    description: str | None = Field(default=None, max_length=500)


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:100] or "category"


async def _usable(session: AsyncSession, user: User, category_id: uuid.UUID) -> Category:
    row = await session.scalar(
        select(Category).where(Category.id == category_id, or_(Category.user_id.is_(None), Category.user_id == user.id))
    )
    if row is None:
        raise Unprocessable("No such parent category.", field="parent_id")
    return row


async def _mine(session: AsyncSession, user: User, category_id: uuid.UUID) -> Category:
    row = await session.scalar(select(Category).where(Category.id == category_id, Category.user_id == user.id))
    if row is None:
        raise NotFound("No such category of yours (the defaults cannot be changed).")
    return row


_DESCENDANTS = text(
    """
    WITH RECURSIVE below(id) AS (
        SELECT id FROM categories WHERE parent_id = :root
        UNION SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id
    ) SELECT id FROM below
    """
)


async def _save(session: AsyncSession, row: Category) -> CategoryOut:
    await flush_unique(session, f"You already have a category named {row.name!r}.")
    await session.refresh(row)
    return CategoryOut.model_validate(row)


async def create(session: AsyncSession, user: User, data: CategoryCreate) -> CategoryOut:
    if data.parent_id is not None:
        await _usable(session, user, data.parent_id)
    row = Category(
        id=uuid.uuid4(),
        user_id=user.id,
        name=data.name,
        slug=slugify(data.name),
        parent_id=data.parent_id,
        icon=data.icon,
        description=data.description,
    )
    if data.color:
        row.color = data.color
    session.add(row)
    return await _save(session, row)


async def patch(session: AsyncSession, user: User, category_id: uuid.UUID, data: CategoryPatch) -> CategoryOut:
    row = await _mine(session, user, category_id)
    changes = data.model_dump(exclude_unset=True)
    if "parent_id" in changes and changes["parent_id"] is not None:
        parent_id = changes["parent_id"]
        await _usable(session, user, parent_id)
        below = set(await session.scalars(_DESCENDANTS, {"root": row.id}))
        if parent_id == row.id or parent_id in below:
            raise Unprocessable("A category cannot sit under itself or one of its subcategories.", field="parent_id")
    if changes.get("name"):
        changes["slug"] = slugify(changes["name"])
    for name, value in changes.items():
        if value is not None or name in ("parent_id", "icon", "description"):
            setattr(row, name, value)
    return await _save(session, row)


async def remove(session: AsyncSession, user: User, category_id: uuid.UUID) -> None:
    row = await _mine(session, user, category_id)
    await session.execute(update(Category).where(Category.parent_id == row.id).values(parent_id=row.parent_id))
    for model in (Expense, RecurringExpense):
        await session.execute(update(model).where(model.category_id == row.id).values(category_id=row.parent_id))
    await session.delete(row)
    await session.flush()
