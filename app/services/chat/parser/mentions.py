"""@user, @group, #category and #tag: found in the text and matched against the caller's directory,
exactly first (username, first name, full name, group name, category slug or name, tag name) and then
fuzzily when one candidate is clearly the best."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from app.models.enums import MentionType
from app.services.chat.parser.context import Directory, Group, Person, squash
from app.services.chat.schemas import MentionOut

MENTION = re.compile(r"(?<![\w@#&])(?P<sigil>[@#])(?P<name>[^\W_](?:[\w.'&+-]*\w)?)(?:'s)?")
_FUZZY_CUTOFF = 75
_FUZZY_MARGIN = 8  # the best match must beat the next by this much to be taken


@dataclass
class FoundMention:
    out: MentionOut
    start: int
    end: int
    person: Person | None = None
    group: Group | None = None


def _unique(candidates: list, text: str, warnings: list[str]) -> object | None:
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        names = ", ".join(sorted(getattr(c, "display", None) or getattr(c, "name", "") for c in candidates))
        warnings.append(f"{text} could be {names}; pick one.")
    return None


def _fuzzy(key: str, index: dict[str, list]) -> list | None:
    """The entries whose key is clearly the closest to `key`, or None."""
    if len(key) < 3 or not index:
        return None
    best = process.extract(key, list(index), scorer=fuzz.ratio, limit=2, score_cutoff=_FUZZY_CUTOFF)
    if not best:
        return None
    if len(best) > 1 and best[0][1] - best[1][1] < _FUZZY_MARGIN and index[best[0][0]] != index[best[1][0]]:
        return None
    return index[best[0][0]]


def _resolve_at(text: str, key: str, directory: Directory, me: int, warnings: list[str]) -> FoundMention:
    if key in ("me", "myself", "i"):
        return FoundMention(MentionOut(type=MentionType.USER, text=text, user_id=me, name="you"), 0, 0)
    people = directory.people_by_key.get(key, [])
    groups = directory.groups_by_key.get(key, [])
    if people and groups:
        warnings.append(f"{text} is both a person and a group; the person was taken.")
    if not people and not groups:
        people = _fuzzy(key, directory.people_by_key) or []
        groups = [] if people else (_fuzzy(key, directory.groups_by_key) or [])
    if people or not groups:
        person = _unique(people, text, warnings)
        out = MentionOut(type=MentionType.USER, text=text)
        if isinstance(person, Person):
            out.user_id, out.name = person.id, person.display
        elif not people:
            warnings.append(f"No friend or group called {text}.")
        return FoundMention(out, 0, 0, person=person if isinstance(person, Person) else None)
    group = _unique(groups, text, warnings)
    out = MentionOut(type=MentionType.GROUP, text=text)
    if isinstance(group, Group):
        out.group_id, out.name = group.id, group.name
    return FoundMention(out, 0, 0, group=group if isinstance(group, Group) else None)


def _resolve_hash(text: str, key: str, raw: str, directory: Directory, warnings: list[str]) -> FoundMention:
    category = directory.categories_by_key.get(key)
    if category is not None:
        out = MentionOut(type=MentionType.CATEGORY, text=text, category_id=category.id, name=category.slug)
        return FoundMention(out, 0, 0)
    tag = directory.tags_by_key.get(key)
    if tag is not None:
        return FoundMention(MentionOut(type=MentionType.TAG, text=text, tag_id=tag.id, name=tag.name), 0, 0)
    warnings.append(f"{text} is a new tag; it will be made when you confirm.")
    return FoundMention(MentionOut(type=MentionType.TAG, text=text, name=raw), 0, 0)


def find_mentions(text: str, directory: Directory, me: int, warnings: list[str]) -> list[FoundMention]:
    found = []
    for match in MENTION.finditer(text):
        raw, key = match.group("name"), squash(match.group("name"))
        if not key:
            continue
        typed = match.group(0)
        if match.group("sigil") == "@":
            mention = _resolve_at(typed, key, directory, me, warnings)
        else:
            mention = _resolve_hash(typed, key, raw, directory, warnings)
        mention.start, mention.end = match.start(), match.end()
        found.append(mention)
    return found
