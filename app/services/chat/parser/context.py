"""What the parser knows about the caller: the people, groups, categories and tags a mention can name.

Loaded once per request or socket (app/services/chat/directory.py) and read many times, so the lookup
tables are built here, once, rather than per message.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from app.models.enums import DateFormat, QuickAddMode


def squash(text: str) -> str:
    """'Goa Trip 2026' and '@goa-trip-2026' both become 'goatrip2026'."""
    return re.sub(r"[\W_]+", "", text.casefold())


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    username: str
    first_name: str | None = None
    last_name: str | None = None

    @property
    def display(self) -> str:
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or self.username

    def lookup_keys(self) -> set[str]:
        keys = {squash(self.username)}
        if self.first_name:
            keys.add(squash(self.first_name))
            if self.last_name:
                keys.add(squash(self.first_name + self.last_name))
        return keys - {""}


@dataclass(frozen=True, slots=True)
class Group:
    id: uuid.UUID
    name: str
    currency: str
    member_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class Category:
    id: uuid.UUID
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Tag:
    id: uuid.UUID
    name: str


@dataclass
class Directory:
    """The caller's friends (and fellow group members), groups, categories and tags."""

    people: list[Person] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    categories: list[Category] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)

    @cached_property
    def people_by_key(self) -> dict[str, list[Person]]:
        index: dict[str, list[Person]] = {}
        for person in self.people:
            for key in person.lookup_keys():
                index.setdefault(key, []).append(person)
        return index

    @cached_property
    def groups_by_key(self) -> dict[str, list[Group]]:
        index: dict[str, list[Group]] = {}
        for group in self.groups:
            index.setdefault(squash(group.name), []).append(group)
        return index

    @cached_property
    def categories_by_key(self) -> dict[str, Category]:
        # A user's own category with the same name as a default one wins (it is listed later).
        index: dict[str, Category] = {}
        for category in self.categories:
            index[squash(category.slug)] = category
            index[squash(category.name)] = category
        return index

    @cached_property
    def categories_by_slug(self) -> dict[str, Category]:
        return {category.slug: category for category in self.categories}

    @cached_property
    def tags_by_key(self) -> dict[str, Tag]:
        return {squash(tag.name): tag for tag in self.tags}

    def group(self, group_id: uuid.UUID | None) -> Group | None:
        return next((group for group in self.groups if group.id == group_id), None)


@dataclass
class ParseContext:
    user_id: int
    today: date
    preferred_currency: str = "USD"
    date_format: DateFormat = DateFormat.ISO
    locale: str = "en"
    directory: Directory = field(default_factory=Directory)
    # Active currencies a written code may name, with their decimal places (amounts are rounded to them).
    currency_places: dict[str, int] = field(default_factory=dict)
    group_id: uuid.UUID | None = None
    # Not the parser's concern: which parser to use first (user_preferences.quick_add_mode).
    quick_add_mode: QuickAddMode = QuickAddMode.NORMAL
