"""What a user's messages can name, read from the database in one round trip per table: the people they
share with (friends and fellow group members, minus anyone blocked either way), their groups, the
categories they see and their tags, the active currencies, and their parsing preferences."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import User
from app.models.enums import DateFormat, QuickAddMode
from app.services.chat.parser.context import Category, Directory, Group, ParseContext, Person, Tag

# Everything in one round trip (a chat message must feel instant): JSON arrays of rows, decoded once.
_DIRECTORY = text(
    """
    WITH mine AS (
        SELECT CASE WHEN f.from_user_id = :me THEN f.to_user_id ELSE f.from_user_id END AS user_id, f.status
        FROM user_friendships f WHERE f.from_user_id = :me OR f.to_user_id = :me
    ), memberships AS (
        SELECT m.group_id, m.role FROM group_memberships m WHERE m.user_id = :me AND m.is_active
    )
    SELECT
      (SELECT coalesce(json_agg(json_build_array(u.id, u.username, u.first_name, u.last_name)), '[]')
       FROM auth_user u
       WHERE u.is_active AND u.id <> :me
         AND u.id IN (
           SELECT user_id FROM mine WHERE status = 'accepted'
           UNION
           SELECT o.user_id FROM memberships m JOIN group_memberships o ON o.group_id = m.group_id AND o.is_active
         )
         AND u.id NOT IN (SELECT user_id FROM mine WHERE status = 'blocked')) AS people,
      (SELECT coalesce(json_agg(json_build_array(g.id, g.name, c.code,
                (SELECT array_agg(o.user_id) FROM group_memberships o WHERE o.group_id = g.id AND o.is_active))), '[]')
       FROM memberships m JOIN groups g ON g.id = m.group_id JOIN currencies c ON c.id = g.currency_id
       WHERE NOT g.is_archived AND m.role <> 'viewer') AS groups,
      -- The user's own categories come last so that one named like a default wins the name lookup.
      (SELECT json_agg(json_build_array(id, slug, name) ORDER BY user_id NULLS FIRST, slug)
       FROM categories WHERE user_id IS NULL OR user_id = :me) AS categories,
      (SELECT coalesce(json_agg(json_build_array(id, name)), '[]') FROM tags WHERE user_id = :me) AS tags,
      (SELECT json_build_array(quick_add_mode, date_format, locale)
       FROM user_preferences WHERE user_id = :me) AS preferences
    """
).columns(people=JSON, groups=JSON, categories=JSON, tags=JSON, preferences=JSON)
_CURRENCIES = text("SELECT code, decimal_places FROM currencies WHERE is_active")
_CURRENCY_CACHE_SECONDS = 60
_currencies: tuple[float, dict[str, int]] = (0.0, {})


async def _active_currencies(session: AsyncSession) -> dict[str, int]:
    """Active currency codes and their decimal places, re-read once a minute (they change rarely)."""
    global _currencies
    read_at, found = _currencies
    if time.monotonic() - read_at > _CURRENCY_CACHE_SECONDS or not found:
        found = {code: places for code, places in (await session.execute(_CURRENCIES)).all()}
        _currencies = (time.monotonic(), found)
    return found


async def _read(session: AsyncSession, user_id: int) -> tuple[Directory, list[str] | None]:
    row = (await session.execute(_DIRECTORY, {"me": user_id})).one()
    directory = Directory(
        people=[Person(*person) for person in row.people],
        groups=[Group(uuid.UUID(g[0]), g[1], g[2], frozenset(g[3] or ())) for g in row.groups],
        categories=[Category(uuid.UUID(c[0]), c[1], c[2]) for c in row.categories or ()],
        tags=[Tag(uuid.UUID(t[0]), t[1]) for t in row.tags],
    )
    return directory, row.preferences


async def load_directory(session: AsyncSession, user_id: int) -> Directory:
    return (await _read(session, user_id))[0]


async def load_context(session: AsyncSession, user: User, group_id: uuid.UUID | None = None) -> ParseContext:
    directory, preferences = await _read(session, user.id)
    mode, date_format, locale = preferences or (QuickAddMode.NORMAL, DateFormat.ISO, "en")
    return ParseContext(
        user_id=user.id,
        today=datetime.now(ZoneInfo(user.timezone)).date(),
        preferred_currency=user.preferred_currency,
        date_format=DateFormat(date_format),
        locale=locale,
        directory=directory,
        currency_places=await _active_currencies(session),
        group_id=group_id,
        quick_add_mode=QuickAddMode(mode),
    )
