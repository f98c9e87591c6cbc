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
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Expense, User
from app.models.enums import AccountType, TransactionType
from app.services.expenses import service as expenses
from app.services.expenses.schemas import ExpenseCreate
from app.services.statements.parsers.common import ParsedRow

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
            select(Expense.import_key).where(Expense.account_id == account_id, Expense.import_key.in_(keys))
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


async def create_transactions(
    session: AsyncSession,
    user: User,
    account_id: uuid.UUID,
    account_type: AccountType,
    currency: str,
    file_id: uuid.UUID,
    rows: list[tuple[ParsedRow, str]],
) -> int:
    for row, key in rows:
        description = " ".join(row.description.split()) or "Transaction"
        data = ExpenseCreate(
            title=description[:200],
            description=description if len(description) > 200 else None,
            amount=abs(row.amount),
            currency=currency,
            expense_date=row.booked_on,
            transaction_type=transaction_type(row, account_type),
        )
        await expenses.create_expense(session, user, data, import_key=key, statement=(account_id, file_id))
    return len(rows)
