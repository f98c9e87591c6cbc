"""From parsed rows to transactions: stable import keys, de-duplication against the account, and the
expenses themselves (source=statement), each row at most once however often a file is processed.

Keys: the bank's own id when the file has one (`fitid:<id>`), else the date, the signed amount and the
row's occurrence among identical (date, amount) rows of the file (`row:2026-02-03:-4.50:2`): two coffees
on one day stay two coffees, and the February rows of a January-February and a February-March statement
get the same keys. Keys of deleted transactions stay in the table, so a re-import does not bring them back.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, String, any_, bindparam, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Category, Currency, Expense, User
from app.models.enums import AccountType, SplitType, TransactionType
from app.services.chat.parser.keywords import category_for as keyword_category
from app.services.expenses.allocation import SplitEntry, allocate
from app.services.statements.parsers.common import ParsedRow

# Words that say how a payment was made rather than to whom.
_NOISE = frozenset(
    re.findall(
        r"\w+",
        "card payment to from pos purchase direct debit dd sepa ref visa mastercard credit transfer the "
        "ltd inc llc gmbh plc co com www online contactless",
    )
)
_CARD_PAYMENT = re.compile(r"\b(payment|autopay|thank you|pymt|paiement|zahlung)\b", re.IGNORECASE)


def _key(prefix: str, value: str) -> str:
    key = f"{prefix}:{value}"
    return key if len(key) <= 128 else f"{prefix}#" + hashlib.sha256(value.encode()).hexdigest()


def import_keys(rows: list[ParsedRow]) -> list[str]:
    seen: Counter[tuple[date, str]] = Counter()
    keys = []
    for row in rows:
        if row.bank_id:
            keys.append(_key("fitid", row.bank_id))
            continue
        amount = format(row.amount.normalize(), "f")
        seen[(row.booked_on, amount)] += 1
        keys.append(_key("row", f"{row.booked_on.isoformat()}:{amount}:{seen[(row.booked_on, amount)]}"))
    return keys


def key_among(column: Any, keys: Collection[str]) -> ColumnElement[bool]:
    """`column = ANY(:keys)`: one array parameter, so the statement is compiled and prepared once whatever
    the number of rows (IN would bind, and compile, one parameter per key)."""
    return column == any_(bindparam(None, list(keys), type_=ARRAY(String)))


_LETTERS = re.compile(r"[a-z]+")


@lru_cache(maxsize=16_384)  # every import reads the user's recent titles again; payees repeat
def payee_key(description: str) -> str:
    """What identifies the payee across statements: the first three meaningful words, without numbers
    ('CARD PAYMENT TO CORNER SHOP 4471 LONDON' and 'Corner Shop London' are both 'corner shop london')."""
    words = [w for w in _LETTERS.findall(description.casefold()) if w not in _NOISE and len(w) > 1]
    return " ".join(words[:3])


async def category_rules(session: AsyncSession, user_id: int) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    """The user's own rules, learnt from the categories they gave (or corrected on) their recent
    transactions, payee by payee, the latest winning; and the category ids by slug for keyword guesses."""
    recent = await session.execute(
        select(Expense.title, Expense.category_id)
        .where(Expense.created_by_id == user_id, Expense.category_id.is_not(None), ~Expense.is_deleted)
        .order_by(Expense.updated_at.desc())
        .limit(5000)
    )
    learned: dict[str, uuid.UUID] = {}
    for title, category_id in recent.all():
        learned.setdefault(payee_key(title), category_id)
    learned.pop("", None)
    slugs = await session.execute(
        select(Category.slug, Category.id)
        .where(or_(Category.user_id.is_(None), Category.user_id == user_id))
        .order_by(Category.user_id.nulls_first())
    )
    return learned, {slug: category_id for slug, category_id in slugs.all()}


def category_for(description: str, learned: dict[str, uuid.UUID], by_slug: dict[str, uuid.UUID]) -> uuid.UUID | None:
    """The user's rule for this payee first, then the words of the description; else none (never a guess
    the user would have to undo without knowing why)."""
    if (found := learned.get(payee_key(description))) is not None:
        return found
    slug = keyword_category(description)
    return by_slug.get(slug) if slug else None


def transaction_type(row: ParsedRow, account_type: AccountType) -> TransactionType:
    if row.amount < 0:
        return TransactionType.EXPENSE
    if account_type == AccountType.CREDIT_CARD:
        return TransactionType.TRANSFER if _CARD_PAYMENT.search(row.description) else TransactionType.REFUND
    return TransactionType.INCOME


@dataclass
class Plan:
    new: list[tuple[ParsedRow, str]]
    already_there: int
    repeated_in_file: int
    in_future: int


async def plan(session: AsyncSession, account_id: uuid.UUID, rows: list[ParsedRow], today: date) -> Plan:
    keys = import_keys(rows)
    existing = set(
        await session.scalars(
            select(Expense.import_key).where(Expense.account_id == account_id, key_among(Expense.import_key, keys))
        )
    )
    new, future = [], 0
    for row, key in zip(rows, keys, strict=True):
        if key in existing or row.amount == 0:
            continue
        if row.booked_on > today:
            future += 1
            continue
        new.append((row, key))
    repeated = sum(1 for key in keys if not key.startswith("fitid") and not key.endswith(":1"))
    return Plan(new, len(rows) - len(new) - future, repeated, future)


# A statement row is a personal expense paid by the owner with one share, theirs. Thousands of them go in
# one statement (expense, payer and share rows from the same arrays), not one API-sized insert each.
_BULK_INSERT = text(
    """
    WITH rows AS (
        SELECT * FROM unnest(
            CAST(:ids AS uuid[]), CAST(:titles AS text[]), CAST(:descriptions AS text[]),
            CAST(:amounts AS numeric[]), CAST(:dates AS date[]), CAST(:types AS text[]), CAST(:keys AS text[]),
            CAST(:split_values AS numeric[]), CAST(:categories AS uuid[])
        ) AS t(id, title, description, amount, expense_date, transaction_type, import_key, split_value, category_id)
    ), new_expenses AS (
        INSERT INTO expenses (
            id, title, description, amount, currency_id, category_id, expense_type, paid_by_id, created_by_id,
            expense_date, split_type, transaction_type, expense_classification, exchange_rate, base_currency_id,
            requires_approval, is_approved, is_recurring, source, import_key, account_id, uploaded_file_id,
            created_at, updated_at
        )
        SELECT id, title, description, amount, :currency_id, category_id, CAST('individual' AS expense_type),
               :user_id, :user_id, expense_date, CAST('equal' AS split_type), transaction_type, 'regular_monthly',
               :rate, :base_currency_id, false, true, false, 'statement', import_key, :account_id, :file_id, :now, :now
        FROM rows
        RETURNING id, amount
    ), payers AS (
        INSERT INTO expense_payers (expense_id, user_id, amount) SELECT id, :user_id, amount FROM new_expenses
    )
    INSERT INTO expense_shares (expense_id, user_id, amount, currency_id, paid_by_id, split_method, split_value)
    SELECT n.id, :user_id, n.amount, :currency_id, :user_id, CAST('equal' AS split_type), r.split_value
    FROM new_expenses n JOIN rows r ON r.id = n.id
    """
)


async def create_transactions(
    session: AsyncSession,
    user: User,
    account_id: uuid.UUID,
    account_type: AccountType,
    currency: str,
    file_id: uuid.UUID,
    rows: list[tuple[ParsedRow, str]],
) -> int:
    if not rows:
        return 0
    found = (
        await session.execute(
            select(Currency.code, Currency.id, Currency.exchange_rate_to_usd, Currency.decimal_places).where(
                Currency.code.in_([currency, user.preferred_currency])
            )
        )
    ).all()
    by_code = {row.code: row for row in found}
    own, base = by_code[currency], by_code.get(user.preferred_currency, by_code[currency])
    places = own.decimal_places
    # A one-person equal split: the whole amount is the owner's, and its split value is the same for every row.
    split_value = allocate(Decimal(1), places, SplitType.EQUAL, [SplitEntry(user.id)])[0].split_value
    values: dict[str, list[object]] = {name: [] for name in
                                       ("ids", "titles", "descriptions", "amounts", "dates", "types", "keys",
                                        "split_values", "categories")}  # fmt: skip
    learned, by_slug = await category_rules(session, user.id)
    for row, key in rows:
        description = " ".join(row.description.split()) or "Transaction"
        amount = abs(row.amount).quantize(Decimal(1).scaleb(-places))
        values["ids"].append(uuid.uuid4())
        values["titles"].append(description[:200])
        values["descriptions"].append(description if len(description) > 200 else None)
        values["amounts"].append(amount)
        values["dates"].append(row.booked_on)
        values["types"].append(transaction_type(row, account_type).value)
        values["keys"].append(key)
        values["split_values"].append(split_value)
        values["categories"].append(category_for(description, learned, by_slug))
    now = datetime.now(UTC)
    await session.execute(
        _BULK_INSERT,
        {
            **values, "currency_id": own.id, "user_id": user.id, "base_currency_id": base.id,
            "rate": own.exchange_rate_to_usd / base.exchange_rate_to_usd,
            "account_id": account_id, "file_id": file_id, "now": now,
        },
    )  # fmt: skip
    return len(rows)
