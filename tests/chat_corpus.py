"""The chat-parser corpus (tests/data/chat_messages.jsonl) and how a parse is scored against it.

Shared by tests/test_chat_parser.py (the accuracy floor) and `python -m bench chat-parser` (the figures).
Each line names only what differs from the defaults: currency USD, today's date, a split of one (me),
paid by me, no group, no category, no mentions, regular_monthly.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from app.services.chat.parser import parse
from app.services.chat.parser.context import Category, Directory, Group, ParseContext, Person, Tag
from app.services.chat.schemas import ParseResult
from app.services.reference.categories import DEFAULT_CATEGORIES

DATA = Path(__file__).parent / "data"
CORE_FIELDS = ("amount", "currency", "mentions")


def _id(kind: str, name: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"chat-corpus/{kind}/{name}")


def load_context() -> ParseContext:
    spec = json.loads((DATA / "chat_directory.json").read_text())
    categories = [Category(_id("category", c.slug), c.slug, c.name) for c in DEFAULT_CATEGORIES]
    categories += [Category(_id("category", slug), slug, name) for c in DEFAULT_CATEGORIES for slug, name in c.children]
    directory = Directory(
        people=[Person(p["id"], p["username"], p["first_name"], p["last_name"]) for p in spec["people"]],
        groups=[
            Group(_id("group", g["name"]), g["name"], g["currency"], frozenset(g["members"])) for g in spec["groups"]
        ],
        categories=categories,
        tags=[Tag(_id("tag", name), name) for name in spec["tags"]],
    )
    return ParseContext(
        user_id=spec["me"]["id"],
        today=date.fromisoformat(spec["today"]),
        preferred_currency=spec["me"]["preferred_currency"],
        directory=directory,
        currency_places=spec["currencies"],
    )


@dataclass
class Case:
    message: str
    expected: dict[str, Any]


# The corpus the parser was developed against, and messages written afterwards and never tuned for.
DEVELOPMENT, HOLDOUT = "chat_messages.jsonl", "chat_messages_holdout.jsonl"


def load_cases(name: str = DEVELOPMENT) -> list[Case]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [Case(row["m"], row) for row in map(json.loads, lines) if row]


def _names(context: ParseContext) -> dict[int, str]:
    names = {person.id: person.username for person in context.directory.people}
    names[context.user_id] = "me"
    return names


def _mention_value(mention: Any, context: ParseContext) -> str | None:
    if mention.user_id is not None:
        return _names(context).get(mention.user_id, str(mention.user_id))
    if mention.group_id is not None:
        return f"group:{context.directory.group(mention.group_id).name}"
    if mention.category_id is not None:
        return f"category:{mention.name}"
    if mention.tag_id is not None:
        return f"tag:{mention.name}"
    if mention.type == "tag" and mention.name:
        return f"newtag:{mention.name}"
    return None


def _squash_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def field_results(case: Case, result: ParseResult, context: ParseContext) -> dict[str, bool]:
    want = case.expected
    names = _names(context)
    group = next((g for g in context.directory.groups if g.name == want.get("group")), None)
    mentions = {m.text: _mention_value(m, context) for m in result.mentions}
    classification_mentions = {"#reimbursable", "#charity"}
    expected_mentions = {k: v for k, v in want.get("mentions", {}).items() if k not in classification_mentions}
    return {
        "amount": (str(result.amount) if result.amount is not None else None) == want["amount"],
        "currency": result.currency == want.get("cur", "USD"),
        "mentions": mentions == expected_mentions,
        "description": _squash_spaces(result.description) == _squash_spaces(want["desc"]),
        "category": result.category == want.get("cat"),
        "date": result.expense_date.isoformat() == want.get("date", context.today.isoformat()),
        "participants": sorted(names.get(i, str(i)) for i in result.split.participants)
        == sorted(want.get("split", ["me"])),
        "paid_by": names.get(result.split.paid_by) == want.get("paid", "me"),
        "group": result.group_id == (group.id if group else None),
        "classification": result.expense_classification.value == want.get("class", "regular_monthly"),
        "tags": sorted(result.tags) == sorted(want.get("tags", [])),
    }


@dataclass
class Report:
    cases: int
    core_right: int
    all_right: int
    by_field: dict[str, int]
    microseconds_per_message: float
    failures: list[tuple[str, list[str], dict[str, Any]]] = field(default_factory=list)

    @property
    def core_rate(self) -> float:
        return self.core_right / self.cases

    @property
    def all_rate(self) -> float:
        return self.all_right / self.cases


def evaluate(name: str = DEVELOPMENT, repeat: int = 1) -> Report:
    context, cases = load_context(), load_cases(name)
    results = [parse(case.message, context) for case in cases]
    started = time.perf_counter()
    for _ in range(repeat):
        for case in cases:
            parse(case.message, context)
    per_message = (time.perf_counter() - started) / (repeat * len(cases)) * 1e6
    report = Report(len(cases), 0, 0, {}, per_message)
    for case, result in zip(cases, results, strict=True):
        fields = field_results(case, result, context)
        for name, ok in fields.items():
            report.by_field[name] = report.by_field.get(name, 0) + ok
        report.core_right += all(fields[name] for name in CORE_FIELDS)
        report.all_right += all(fields.values())
        if not all(fields.values()):
            wrong = [name for name, ok in fields.items() if not ok]
            report.failures.append((case.message, wrong, result.model_dump(mode="json", exclude={"mentions"})))
    return report
