"""CSV in and out.

Export: a group in Splitwise's layout (Date, Description, Category, Cost, Currency, then one column per
member with what that expense did to their balance: paid minus share), completed payments as
"Payment" rows and a "Total balance" line per currency; or a person's own expenses, one row each.

Import: a Splitwise group export into one of your groups (admins). People in the file's columns are
matched to members by name (full name, first name or username, case-insensitive) or by the mapping
given; anyone left unmatched stops the import with their names. Each row becomes an exact split that
reproduces every person's balance change to the cent (payers are those the row credits; the credited
people's own shares are split equally between them); "Payment" rows become completed settlements.
Rows are keyed by their content, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import AppError, Unprocessable
from app.models import Category, Currency, Expense, Group, GroupMembership, Settlement, User
from app.models.enums import PaymentStatus, SplitType
from app.services.expenses.allocation import SplitEntry, allocate, from_units, to_units
from app.services.expenses.schemas import ExpenseCreate, PayerIn, SplitIn, SplitParticipantIn
from app.services.expenses.service import create_expense
from app.services.groups.service import record_activity, require_admin

FIXED_COLUMNS = ["Date", "Description", "Category", "Cost", "Currency"]
PAYMENT = "Payment"
MAX_ROWS = 20_000


def csv_line(values: list[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)
    return out.getvalue()


def neutralise(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def _member_names(session: AsyncSession, group_id: uuid.UUID) -> dict[int, str]:
    """Every user who ever belonged to the group, with a column name unique in the file."""
    rows = (
        await session.execute(
            select(User.id, User.first_name, User.last_name, User.username)
            .join(GroupMembership, GroupMembership.user_id == User.id)
            .where(GroupMembership.group_id == group_id)
            .order_by(User.id)
        )
    ).all()
    names: dict[int, str] = {}
    for user_id, first, last, username in rows:
        full = " ".join(part for part in (first, last) if part)
        name = full or username
        names[user_id] = username if name in names.values() else name
    return names


_GROUP_LEDGER = text(
    """
    SELECT e.expense_date AS day, e.title, cat.name AS category, e.amount, c.code, c.decimal_places, e.id, x.user_id,
           sum(x.delta) AS delta, e.created_at
    FROM expenses e
    JOIN currencies c ON c.id = e.currency_id
    LEFT JOIN categories cat ON cat.id = e.category_id
    JOIN LATERAL (
        SELECT p.user_id, p.amount AS delta FROM expense_payers p WHERE p.expense_id = e.id
        UNION ALL SELECT s.user_id, -s.amount FROM expense_shares s WHERE s.expense_id = e.id
    ) x ON true
    WHERE e.group_id = :group_id AND NOT e.is_deleted AND e.is_approved
    GROUP BY e.id, cat.name, c.code, c.decimal_places, x.user_id
    UNION ALL
    SELECT st.completed_at::date, 'Payment', 'Payment', st.amount, c.code, c.decimal_places, st.id, x.user_id,
           x.delta, st.created_at
    FROM settlements st
    JOIN currencies c ON c.id = st.currency_id
    JOIN LATERAL (VALUES (st.payer_id, st.amount), (st.payee_id, -st.amount)) AS x(user_id, delta) ON true
    WHERE st.group_id = :group_id AND st.status = 'completed'
    ORDER BY 1, 10, 7
    """
)


async def group_csv(session: AsyncSession, group_id: uuid.UUID) -> AsyncIterator[str]:
    names = await _member_names(session, group_id)
    people = list(names)
    yield csv_line(FIXED_COLUMNS + [names[p] for p in people])
    totals: dict[tuple[str, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    current: tuple[object, ...] | None = None
    deltas: dict[int, Decimal] = {}

    def line(key: tuple[object, ...], moves: dict[int, Decimal]) -> str:
        day, title, category, amount, code, places = key[:6]
        unit = Decimal(1).scaleb(-int(places))  # type: ignore[arg-type]
        for person, delta in moves.items():
            totals[(str(code), int(places))][person] += to_units(delta, int(places))  # type: ignore[arg-type]
        cells = [moves.get(p, Decimal(0)).quantize(unit) for p in people]
        return csv_line(
            [
                day,
                neutralise(str(title)),
                neutralise(str(category or "")),
                Decimal(amount).quantize(unit),
                code,
                *cells,
            ]  # type: ignore[arg-type]
        )

    result = await session.stream(_GROUP_LEDGER, {"group_id": group_id})
    async for row in result:
        key = (row.day, row.title, row.category, row.amount, row.code, row.decimal_places, row.id)
        if current is not None and key != current:
            yield line(current, deltas)
            deltas = {}
        current = key
        deltas[row.user_id] = deltas.get(row.user_id, Decimal(0)) + Decimal(row.delta)
    if current is not None:
        yield line(current, deltas)
    yield csv_line([])
    for (code, places), balance in sorted(totals.items()):
        cells = [from_units(balance.get(p, 0), places) for p in people]
        yield csv_line([date.today().isoformat(), "Total balance", "", "", code, *cells])


# What :user_id paid of an expense `e` and their share of it; and whether they take part in it at all
# (paid, has a share, or made it outside a group). Shared by this export and the reports.
PAID_AND_SHARE_SQL = """
           coalesce((SELECT sum(p.amount) FROM expense_payers p WHERE p.expense_id = e.id AND p.user_id = :user_id), 0)
               AS paid,
           coalesce((SELECT sum(s.amount) FROM expense_shares s WHERE s.expense_id = e.id AND s.user_id = :user_id), 0)
               AS share"""
TAKES_PART_SQL = """(
        EXISTS (SELECT 1 FROM expense_payers p WHERE p.expense_id = e.id AND p.user_id = :user_id)
        OR EXISTS (SELECT 1 FROM expense_shares s WHERE s.expense_id = e.id AND s.user_id = :user_id)
        OR (e.group_id IS NULL AND e.created_by_id = :user_id)
      )"""
# Live expenses `e` between two optional dates, with their currency `c`, category `cat` and group `g`; more
# conditions follow with AND. Shared by this export and the reports.
LIVE_EXPENSES_BETWEEN_SQL = """FROM expenses e
    JOIN currencies c ON c.id = e.currency_id
    LEFT JOIN categories cat ON cat.id = e.category_id
    LEFT JOIN groups g ON g.id = e.group_id
    WHERE NOT e.is_deleted
      AND (CAST(:date_from AS date) IS NULL OR e.expense_date >= CAST(:date_from AS date))
      AND (CAST(:date_to AS date) IS NULL OR e.expense_date <= CAST(:date_to AS date))"""
_MY_EXPENSES = text(
    f"""
    SELECT e.expense_date, e.title, cat.name AS category, e.amount, c.code, c.decimal_places, g.name AS group_name,
           {PAID_AND_SHARE_SQL},
           e.expense_classification, e.description
    {LIVE_EXPENSES_BETWEEN_SQL}
      AND {TAKES_PART_SQL}
    ORDER BY e.expense_date, e.created_at, e.id
    """  # the fragments are constants of this module; every value is a bound parameter
)
MY_COLUMNS = ["Date", "Title", "Category", "Amount", "Currency", "Group", "You paid", "Your share", "Your balance",
              "Classification", "Notes"]  # fmt: skip


async def my_csv(session: AsyncSession, user: User, date_from: date | None, date_to: date | None) -> AsyncIterator[str]:
    yield csv_line(MY_COLUMNS)
    result = await session.stream(_MY_EXPENSES, {"user_id": user.id, "date_from": date_from, "date_to": date_to})
    async for row in result:
        unit = Decimal(1).scaleb(-row.decimal_places)
        paid, share = Decimal(row.paid).quantize(unit), Decimal(row.share).quantize(unit)
        amount = Decimal(row.amount).quantize(unit)
        yield csv_line(
            [
                row.expense_date,
                neutralise(row.title),
                neutralise(row.category or ""),
                amount,
                row.code,
                neutralise(row.group_name or ""),
                paid,
                share,
                paid - share,
                row.expense_classification,
                neutralise(row.description or ""),
            ]
        )


# --- Import -------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    expenses_created: int = 0
    payments_created: int = 0
    already_imported: int = 0
    skipped: list[str] = field(default_factory=list)


def _rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = data.decode("cp1252", errors="replace")
    rows = list(csv.reader(io.StringIO(content)))
    if not rows or [cell.strip() for cell in rows[0][:5]] != FIXED_COLUMNS or len(rows[0]) < 7:
        raise Unprocessable(
            "This is not a Splitwise group export: the first line must be Date, Description, Category, Cost, "
            "Currency and then two or more people.",
            field="file",
        )
    if len(rows) > MAX_ROWS:
        raise Unprocessable(f"The file has more than {MAX_ROWS} lines; split it.", field="file")
    return [cell.strip() for cell in rows[0][5:]], rows[1:]


async def _match_people(
    session: AsyncSession, group_id: uuid.UUID, names: list[str], mapping: dict[str, int]
) -> list[int]:
    members = (
        await session.execute(
            select(User.id, User.first_name, User.last_name, User.username)
            .join(GroupMembership, GroupMembership.user_id == User.id)
            .where(GroupMembership.group_id == group_id, GroupMembership.is_active)
        )
    ).all()
    by_name: dict[str, set[int]] = defaultdict(set)
    for user_id, first, last, username in members:
        for alias in (" ".join(p for p in (first, last) if p), first, username):
            if alias:
                by_name[alias.casefold()].add(user_id)
    member_ids = {row[0] for row in members}
    matched, unmatched = [], []
    for name in names:
        if name in mapping:
            if mapping[name] not in member_ids:
                raise Unprocessable(
                    f"User {mapping[name]} (for {name!r}) is not a member of this group.", field="people"
                )
            matched.append(mapping[name])
            continue
        candidates = by_name.get(name.casefold(), set())
        if len(candidates) == 1:
            matched.append(next(iter(candidates)))
        else:
            unmatched.append(name)
    if unmatched:
        raise Unprocessable(
            f"Match these people to members of the group (add or invite them first, then send "
            f'people={{"name": user_id}}): {", ".join(unmatched)}.',
            field="people",
            unmatched=unmatched,
        )
    if len(set(matched)) != len(matched):
        raise Unprocessable("Two columns of the file are matched to the same member.", field="people")
    return matched


def _import_key(group_id: uuid.UUID, line: list[str], occurrence: int) -> str:
    return "splitwise:" + hashlib.sha256(f"{group_id}|{occurrence}|{'|'.join(line)}".encode()).hexdigest()


async def _already_imported(session: AsyncSession, group_id: uuid.UUID, key: str) -> bool:
    expense = await session.scalar(select(Expense.id).where(Expense.group_id == group_id, Expense.import_key == key))
    payment = await session.scalar(
        select(Settlement.id).where(Settlement.group_id == group_id, Settlement.external_transaction_id == key)
    )
    return expense is not None or payment is not None


async def import_splitwise(
    session: AsyncSession, admin: User, group: Group, membership: GroupMembership, data: bytes, mapping: dict[str, int]
) -> ImportReport:
    require_admin(membership)
    names, lines = _rows(data)
    people = await _match_people(session, group.id, names, mapping)
    await session.execute(select(Group.id).where(Group.id == group.id).with_for_update())  # one import at a time
    categories = {
        name.casefold(): category_id
        for category_id, name in await session.execute(
            select(Category.id, Category.name).where(Category.user_id.is_(None) | (Category.user_id == admin.id))
        )
    }
    currencies = {row.code: row for row in await session.scalars(select(Currency).where(Currency.is_active))}
    report = ImportReport()
    occurrences: dict[str, int] = defaultdict(int)
    for number, line in enumerate(lines, start=2):
        if not any(cell.strip() for cell in line) or (len(line) > 1 and line[1].strip() == "Total balance"):
            continue
        # Identical lines (two coffees on one day) are told apart by how many came before.
        occurrences["|".join(line)] += 1
        key = _import_key(group.id, line, occurrences["|".join(line)])
        if await _already_imported(session, group.id, key):
            report.already_imported += 1
            continue
        try:
            day, title, category, cost, currency, moves = _parse_line(line, people, currencies)
            if category == PAYMENT:
                await _import_payment(session, admin, group, day, currency, moves, key)
                report.payments_created += 1
            else:
                category_id = categories.get(category.casefold())
                await _import_expense(session, admin, group, key, day, title, category_id, cost, currency, moves)
                report.expenses_created += 1
        except ValueError as problem:
            report.skipped.append(f"line {number}: {problem}")
        except AppError as problem:
            report.skipped.append(f"line {number}: {problem.detail}")
    await record_activity(
        session, group.id, admin.id, "expenses_imported",
        f"{admin.username} imported {report.expenses_created} expenses and {report.payments_created} payments",
        {"source": "splitwise"},
    )  # fmt: skip
    return report


def _parse_line(
    line: list[str], people: list[int], currencies: dict[str, Currency]
) -> tuple[date, str, str, Decimal, Currency, dict[int, int]]:
    if len(line) < 5 + len(people):
        raise ValueError("it has fewer columns than the header")
    try:
        day = date.fromisoformat(line[0].strip())
    except ValueError:
        raise ValueError(f"{line[0]!r} is not a date (YYYY-MM-DD)") from None
    if day > date.today():
        raise ValueError(f"{day} is in the future")
    currency = currencies.get(line[4].strip().upper())
    if currency is None:
        raise ValueError(f"{line[4]!r} is not an active currency")
    try:
        cost = abs(Decimal(line[3].strip() or "0"))  # a refund is written with a negative cost
        values = [Decimal(cell.strip() or "0") for cell in line[5 : 5 + len(people)]]
        moves = {person: to_units(value, currency.decimal_places) for person, value in zip(people, values, strict=True)}
    except (InvalidOperation, ValueError):
        raise ValueError("an amount is not a number in the currency's minor units") from None
    if sum(moves.values()) != 0:
        raise ValueError("the people's amounts do not add up to zero")
    if not any(moves.values()):
        raise ValueError("it moves no money between people")
    return day, line[1].strip() or "Imported expense", line[2].strip(), cost, currency, moves


async def _import_expense(
    session: AsyncSession,
    admin: User,
    group: Group,
    key: str,
    day: date,
    title: str,
    category_id: uuid.UUID | None,
    cost: Decimal,
    currency: Currency,
    moves: dict[int, int],
) -> None:
    places = currency.decimal_places
    cost_units = to_units(cost, places)
    owed = {person: -units for person, units in moves.items() if units < 0}
    credited = sorted(person for person, units in moves.items() if units > 0)
    rest = cost_units - sum(owed.values())
    if rest < 0:
        cost_units, rest = sum(owed.values()), 0  # the cost column disagrees with the people: trust the people
    # The credited people's own shares: the rest of the cost, split equally between them.
    own = allocate(from_units(rest, places), places, SplitType.EQUAL, [SplitEntry(p) for p in credited]) if rest else []
    shares = {person: units for person, units in owed.items()}
    for share in own:
        shares[share.user_id] = to_units(share.amount, places)
    paid = {person: moves[person] + shares.get(person, 0) for person in credited}
    data = ExpenseCreate(
        title=title[:200],
        amount=from_units(cost_units, places),
        currency=currency.code,
        expense_date=day,
        group_id=group.id,
        category_id=category_id,
        split=SplitIn(
            method=SplitType.EXACT,
            participants=[SplitParticipantIn(user_id=p, value=from_units(u, places)) for p, u in shares.items() if u],
        ),
        payers=[PayerIn(user_id=p, amount=from_units(u, places)) for p, u in paid.items() if u],
    )
    await create_expense(session, admin, data, import_key=key)


async def _import_payment(
    session: AsyncSession, admin: User, group: Group, day: date, currency: Currency, moves: dict[int, int], key: str
) -> None:
    payers = [p for p, units in moves.items() if units > 0]
    payees = [p for p, units in moves.items() if units < 0]
    if len(payers) != 1 or len(payees) != 1:
        raise ValueError("a Payment row must move money from one person to one other")
    when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    session.add(
        Settlement(
            payer_id=payers[0],
            payee_id=payees[0],
            amount=from_units(moves[payers[0]], currency.decimal_places),
            currency_id=currency.id,
            group_id=group.id,
            status=PaymentStatus.COMPLETED,
            is_confirmed_by_payer=True,
            is_confirmed_by_payee=True,
            completed_at=when,
            confirmed_at=when,
            description="Imported from Splitwise",
            external_transaction_id=key,
            payment_service="splitwise-import",
            created_by_id=admin.id,
        )
    )
    await session.flush()
