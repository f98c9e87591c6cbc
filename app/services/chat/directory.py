"""What a user's messages can name, read from the database in one round trip per table: the people they
share with (friends and fellow group members, minus anyone blocked either way), their groups, the
categories they see and their tags, the active currencies, and their parsing preferences."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from app.models.enums import DateFormat, QuickAddMode
from app.services.chat.parser.context import Category, Directory, Group, ParseContext, Person, Tag

_PEOPLE = text(
    """
    WITH mine AS (
        SELECT CASE WHEN f.from_user_id = :me THEN f.to_user_id ELSE f.from_user_id END AS user_id, f.status
        FROM user_friendships f WHERE f.from_user_id = :me OR f.to_user_id = :me
    )
    SELECT u.id, u.username, u.first_name, u.last_name FROM auth_user u
    WHERE u.is_active AND u.id <> :me
      AND u.id IN (
        SELECT user_id FROM mine WHERE status = 'accepted'
        UNION
        SELECT other.user_id FROM group_memberships m
        JOIN group_memberships other ON other.group_id = m.group_id AND other.is_active
        WHERE m.user_id = :me AND m.is_active
      )
      AND u.id NOT IN (SELECT user_id FROM mine WHERE status = 'blocked')
    """
)
_GROUPS = text(
    """
    SELECT g.id, g.name, c.code,
           (SELECT array_agg(o.user_id) FROM group_memberships o WHERE o.group_id = g.id AND o.is_active) AS members
    FROM group_memberships m JOIN groups g ON g.id = m.group_id JOIN currencies c ON c.id = g.currency_id
    WHERE m.user_id = :me AND m.is_active AND NOT g.is_archived AND m.role <> 'viewer'
    """
)
# The user's own categories come last so that one named like a default wins the name lookup.
_CATEGORIES = text(
    "SELECT id, slug, name FROM categories WHERE user_id IS NULL OR user_id = :me ORDER BY user_id NULLS FIRST, slug"
)
_TAGS = text("SELECT id, name FROM tags WHERE user_id = :me")
_CURRENCIES = text("SELECT code, decimal_places FROM currencies WHERE is_active")
_PREFERENCES = text("SELECT quick_add_mode, date_format, locale FROM user_preferences WHERE user_id = :me")


async def load_directory(session: AsyncSession, user_id: int) -> Directory:
    params = {"me": user_id}
    people = [Person(*row) for row in (await session.execute(_PEOPLE, params)).all()]
    groups = [
        Group(row.id, row.name, row.code, frozenset(row.members or ()))
        for row in (await session.execute(_GROUPS, params)).all()
    ]
    categories = [Category(*row) for row in (await session.execute(_CATEGORIES, params)).all()]
    tags = [Tag(*row) for row in (await session.execute(_TAGS, params)).all()]
    return Directory(people=people, groups=groups, categories=categories, tags=tags)


async def load_context(session: AsyncSession, user: User, group_id: uuid.UUID | None = None) -> ParseContext:
    preferences = (await session.execute(_PREFERENCES, {"me": user.id})).one_or_none()
    currencies = {code: places for code, places in (await session.execute(_CURRENCIES)).all()}
    return ParseContext(
        user_id=user.id,
        today=datetime.now(ZoneInfo(user.timezone)).date(),
        preferred_currency=user.preferred_currency,
        date_format=DateFormat(preferences.date_format) if preferences else DateFormat.ISO,
        locale=preferences.locale if preferences else "en",
        directory=await load_directory(session, user.id),
        currency_places=currencies,
        group_id=group_id,
    )


async def quick_add_mode(session: AsyncSession, user_id: int) -> QuickAddMode:
    row = (await session.execute(_PREFERENCES, {"me": user_id})).one_or_none()
    return QuickAddMode(row.quick_add_mode) if row else QuickAddMode.NORMAL
