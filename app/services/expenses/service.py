"""Expenses: create with exact shares and several payers, read, edit (shares recomputed), delete and
restore, approve; all scoped to what the caller may see.

Who sees an expense: members of its group; for an expense outside groups, whoever created, paid or
shares it. Who may change it: in a group, any member but viewers; outside groups, anyone involved.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, insert, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from app.db import DriverStatement
from app.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.models import (
    Category,
    Currency,
    Expense,
    ExpensePayer,
    ExpenseShare,
    Group,
    GroupMembership,
    User,
    UserFriendship,
)
from app.models.enums import ExpenseSource, ExpenseType, FriendshipStatus, MemberRole, SplitType
from app.services.analytics import stale
from app.services.expenses import tags
from app.services.expenses.allocation import Share, SplitEntry, SplitError, allocate, allocate_payers
from app.services.expenses.schemas import (
    ExpenseCreate,
    ExpenseOut,
    ExpensePatch,
    PayerIn,
    PayerOut,
    ShareOut,
    SplitIn,
)
from app.services.groups.access import lock_group
from app.services.groups.service import record_activity
from app.services.notifications import expense_events
from app.services.reference.queries import active_currency
from app.services.reference.units import units


def visible_to(user_id: int) -> ColumnElement[bool]:
    """SQL: the expense is one `user_id` may see."""
    in_my_group = exists().where(
        GroupMembership.group_id == Expense.group_id,
        GroupMembership.user_id == user_id,
        GroupMembership.is_active,
    )
    involved = or_(
        Expense.created_by_id == user_id,
        exists().where(ExpenseShare.expense_id == Expense.id, ExpenseShare.user_id == user_id),
        exists().where(ExpensePayer.expense_id == Expense.id, ExpensePayer.user_id == user_id),
    )
    return or_(in_my_group, Expense.group_id.is_(None) & involved)


async def membership_in(session: AsyncSession, group_id: uuid.UUID, user_id: int) -> GroupMembership | None:
    return await session.scalar(
        select(GroupMembership).where(
            GroupMembership.group_id == group_id, GroupMembership.user_id == user_id, GroupMembership.is_active
        )
    )


async def _currency(
    session: AsyncSession, *, code: str | None = None, currency_id: uuid.UUID | None = None
) -> Currency:
    if code is not None:
        return await active_currency(session, code)
    found = await session.get(Currency, currency_id)
    assert found is not None  # a foreign key of a row we hold
    return found


def today_for(user: User) -> date:
    """Today where the user lives (an expense may not be dated after it)."""
    return datetime.now(ZoneInfo(user.timezone)).date()


async def _allowed_people(session: AsyncSession, user: User, group: Group | None) -> set[int]:
    """Who may take part in an expense: the group's active members, or you and your friends."""
    if group is not None:
        rows = await session.scalars(
            select(GroupMembership.user_id).where(GroupMembership.group_id == group.id, GroupMembership.is_active)
        )
        return set(rows)
    rows = await session.execute(
        select(UserFriendship.from_user_id, UserFriendship.to_user_id).where(
            or_(UserFriendship.from_user_id == user.id, UserFriendship.to_user_id == user.id),
            UserFriendship.status == FriendshipStatus.ACCEPTED,
        )
    )
    return {user.id} | {b if a == user.id else a for a, b in rows.all()}


def _compute(
    amount: Decimal,
    places: int,
    split: SplitIn,
    payers: Sequence[PayerIn],
    allowed: set[int],
    in_group: bool,
) -> tuple[list[Share], dict[int, Decimal]]:
    people = [p.user_id for p in split.participants] + [p.user_id for p in payers]
    outsiders = sorted(set(people) - allowed)
    if outsiders:
        where = "a member of this group" if in_group else "you or one of your friends"
        raise Unprocessable(f"User {outsiders[0]} is not {where}.", field="split")
    try:
        shares = allocate(amount, places, split.method, [SplitEntry(p.user_id, p.value) for p in split.participants])
        paid = allocate_payers(amount, places, [SplitEntry(p.user_id, p.amount) for p in payers])
    except SplitError as error:
        raise Unprocessable(str(error), field="split") from None
    return shares, {user_id: value for user_id, value in paid.items() if value > 0}


@dataclass(frozen=True)
class Rows:
    """The payer and share rows of one expense, as plain values for a Core INSERT (and for the answer)."""

    main_payer: int
    payers: list[dict[str, Any]]
    shares: list[dict[str, Any]]


def _rows(
    expense_id: uuid.UUID, currency_id: uuid.UUID, shares: list[Share], paid: dict[int, Decimal], method: SplitType
) -> Rows:
    # The largest payer (ties: the smaller id) is the expense's paid_by and who the shares are owed to.
    main_payer = max(paid, key=lambda user_id: (paid[user_id], -user_id))
    return Rows(
        main_payer,
        [{"expense_id": expense_id, "user_id": user_id, "amount": amount} for user_id, amount in paid.items()],
        [
            {
                "expense_id": expense_id,
                "user_id": share.user_id,
                "amount": share.amount,
                "currency_id": currency_id,
                "paid_by_id": main_payer,
                "split_method": method,
                "split_value": share.split_value,
            }
            for share in shares
        ],
    )


async def _insert_rows(session: AsyncSession, rows: Rows) -> None:
    """One multi-row Core INSERT per table: the ORM's unit of work costs several times more per expense."""
    await session.execute(insert(ExpensePayer.__table__), rows.payers)
    await session.execute(insert(ExpenseShare.__table__), rows.shares)


async def _replace_rows(
    session: AsyncSession, expense: Expense, shares: list[Share], paid: dict[int, Decimal], method: SplitType
) -> None:
    await session.execute(delete(ExpenseShare).where(ExpenseShare.expense_id == expense.id))
    await session.execute(delete(ExpensePayer).where(ExpensePayer.expense_id == expense.id))
    rows = _rows(expense.id, expense.currency_id, shares, paid, method)
    expense.paid_by_id = rows.main_payer
    await _insert_rows(session, rows)


# The group, the caller's role in it, its currency and its members, in one query on the driver: this runs
# on every expense added to a group.
_GROUP_CONTEXT = DriverStatement(
    """
    SELECT g.id, g.is_archived, g.requires_approval, g.currency_id, c.code, c.decimal_places,
           c.exchange_rate_to_usd, m.role,
           (SELECT array_agg(o.user_id) FROM group_memberships o WHERE o.group_id = g.id AND o.is_active) AS member_ids
    FROM groups g
    JOIN group_memberships m ON m.group_id = g.id AND m.user_id = :user_id AND m.is_active
    JOIN currencies c ON c.id = g.currency_id
    WHERE g.id = :group_id
    """
)


async def create_expense(
    session: AsyncSession,
    user: User,
    data: ExpenseCreate,
    *,
    recurrence: tuple[uuid.UUID, date] | None = None,
    import_key: str | None = None,
    chat_message_id: uuid.UUID | None = None,
    statement: tuple[uuid.UUID, uuid.UUID] | None = None,
) -> ExpenseOut:
    """`recurrence` (template id, occurrence date) marks an expense made by the recurring job; `import_key`
    one read from a file (no activity row each: the import writes one for all); `chat_message_id` the chat
    message it was confirmed from; `statement` (account id, uploaded file id) a row of an imported statement
    (with its `import_key`)."""
    group, members = None, None
    if data.group_id is not None:
        found = await _GROUP_CONTEXT.fetchrow(session, {"group_id": data.group_id, "user_id": user.id})
        if found is None:
            raise NotFound("No such group.")
        group = found  # id, is_archived, requires_approval
        base = SimpleNamespace(
            id=found.currency_id, code=found.code, decimal_places=found.decimal_places,
            exchange_rate_to_usd=found.exchange_rate_to_usd,
        )  # fmt: skip
        role, members = found.role, set(found.member_ids)
        if role == MemberRole.VIEWER:
            raise Forbidden("Viewers cannot add expenses to this group.")
        if group.is_archived:
            raise Unprocessable("This group is archived; reopen it to add expenses.", field="group_id")
    else:
        base = await _currency(session, code=user.preferred_currency)
    same = data.currency is None or data.currency.upper() == base.code
    currency = base if same else await _currency(session, code=data.currency)
    expense_date = data.expense_date or today_for(user)
    if expense_date > today_for(user):
        raise Unprocessable("The expense date cannot be in the future.", field="expense_date")
    if data.category_id is not None:
        await _check_category(session, user, data.category_id)
    allowed = members if members is not None else await _allowed_people(session, user, None)
    split = data.split or SplitIn(
        participants=[{"user_id": m} for m in sorted(allowed)] if group else [{"user_id": user.id}]
    )
    payers = data.payers or [PayerIn(user_id=user.id)]
    shares, paid = _compute(data.amount, currency.decimal_places, split, payers, allowed, group is not None)
    needs_approval = bool(group and group.requires_approval)
    expense_id = uuid.uuid4()
    rows = _rows(expense_id, currency.id, shares, paid, split.method)
    now = datetime.now(UTC)  # the wall clock: lists sort by it, even within one transaction
    values: dict[str, Any] = {
        "created_at": now,
        "updated_at": now,
        "source": ExpenseSource.MANUAL.value,
        "import_key": None,
        "chat_message_id": chat_message_id,
        "account_id": statement[0] if statement else None,
        "uploaded_file_id": statement[1] if statement else None,
        "recurring_expense_id": None,
        "recurrence_date": None,
        "is_recurring": False,
        "id": expense_id,
        "title": data.title,
        "description": data.description,
        "amount": data.amount,
        "currency_id": currency.id,
        "category_id": data.category_id,
        "expense_type": (ExpenseType.GROUP if group else ExpenseType.INDIVIDUAL).value,
        "group_id": group.id if group else None,
        "paid_by_id": rows.main_payer,
        "created_by_id": user.id,
        "expense_date": expense_date,
        "split_type": split.method.value,
        "vendor": data.vendor,
        "location": data.location,
        "transaction_type": data.transaction_type.value,
        "expense_classification": data.expense_classification.value,
        "exclude_from_totals_override": data.exclude_from_totals_override,
        "exchange_rate": currency.exchange_rate_to_usd / base.exchange_rate_to_usd,
        "base_currency_id": base.id,
        "requires_approval": needs_approval,
        "is_approved": not needs_approval,
    }
    if recurrence is not None:
        values |= {"recurring_expense_id": recurrence[0], "recurrence_date": recurrence[1], "is_recurring": True}
        values["source"] = ExpenseSource.RECURRING.value
    if import_key is not None:
        values |= {"import_key": import_key, "source": ExpenseSource.IMPORT.value}
    if chat_message_id is not None:
        values["source"] = ExpenseSource.CHAT.value
    if statement is not None:
        values["source"] = ExpenseSource.STATEMENT.value
    values |= {
        "payer_ids": [payer["user_id"] for payer in rows.payers],
        "payer_amounts": [payer["amount"] for payer in rows.payers],
        "share_ids": [share["user_id"] for share in rows.shares],
        "share_amounts": [share["amount"] for share in rows.shares],
        "share_values": [share["split_value"] for share in rows.shares],
    }
    feed = group is not None and import_key is None  # an import writes one activity row for all its expenses
    values |= {
        "activity_group_id": group.id if feed else None,
        "activity_description": f"{user.username} added {data.title}",
        "activity_meta": json.dumps({"expense_id": str(expense_id), "amount": str(data.amount),
                                     "currency": currency.code}),
    }  # fmt: skip
    # One round trip: the expense, its payers and shares (the ledger triggers see all three at the end of the
    # statement) and the group's activity row; created_at and the generated exclude_from_totals come back.
    try:
        expense = await _CREATE_EXPENSE.fetchrow(session, values)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == "ETM01":  # checked_group_id's: someone left meanwhile
            raise Conflict("Someone in this expense has just left the group; reload the group and try again.") from None
        raise
    if data.tags:
        await tags.set_expense_tags(session, user, expense_id, data.tags)
    if import_key is None and recurrence is None and statement is None and len(rows.shares) + len(rows.payers) > 1:
        expense_events.notify_later(session, expense_id, user.id, "added")
    currencies = {currency.id: currency, base.id: base}
    share_rows = [SimpleNamespace(**share, is_settled=False) for share in rows.shares]
    payer_rows = [SimpleNamespace(**payer) for payer in rows.payers]
    tag_names = (await tags.names_by_expense(session, [expense_id]))[expense_id] if data.tags else []
    return _expense_out(expense, currencies, share_rows, payer_rows, tag_names)


async def _check_category(session: AsyncSession, user: User, category_id: uuid.UUID) -> None:
    found = await session.scalar(
        select(Category.id).where(
            Category.id == category_id, or_(Category.user_id.is_(None), Category.user_id == user.id)
        )
    )
    if found is None:
        raise Unprocessable("No such category.", field="category_id")


async def visible_expense(
    session: AsyncSession, user: User, expense_id: uuid.UUID, *, for_update: bool = False
) -> Expense:
    query = select(Expense).where(Expense.id == expense_id, visible_to(user.id))
    if for_update:
        query = query.with_for_update(of=Expense)
    expense = await session.scalar(query)
    if expense is None:
        raise NotFound("No such expense.")
    return expense


async def locked_for_change(session: AsyncSession, user: User, expense_id: uuid.UUID) -> Expense:
    """The expense, locked for a change after its group's lock. A payment completing in the group takes the
    group's lock and then marks expenses settled; a change taking the two the other way round could deadlock
    with it."""
    group_id = await session.scalar(select(Expense.group_id).where(Expense.id == expense_id, visible_to(user.id)))
    if group_id is not None:
        await lock_group(session, group_id)
    return await visible_expense(session, user, expense_id, for_update=True)


async def require_editor(session: AsyncSession, user: User, expense: Expense) -> Group | None:
    if expense.group_id is None:
        return None
    membership = await membership_in(session, expense.group_id, user.id)
    if membership is None or membership.role == MemberRole.VIEWER:
        raise Forbidden("Viewers cannot change expenses in this group.")
    return await session.get(Group, expense.group_id)


async def update_expense(session: AsyncSession, user: User, expense_id: uuid.UUID, patch: ExpensePatch) -> ExpenseOut:
    expense = await locked_for_change(session, user, expense_id)
    if expense.is_deleted:
        raise Unprocessable("Restore this expense before changing it.")
    group = await require_editor(session, user, expense)
    changes = patch.model_dump(exclude_unset=True, exclude={"split", "payers", "tags"})
    for required in ("title", "amount", "currency", "expense_date", "transaction_type", "expense_classification"):
        if required in changes and changes[required] is None:
            raise Unprocessable(f"{required} cannot be empty.", field=required)
    if changes.get("expense_date") and changes["expense_date"] > today_for(user):
        raise Unprocessable("The expense date cannot be in the future.", field="expense_date")
    if changes.get("category_id") is not None:
        await _check_category(session, user, changes["category_id"])
    if "currency" in changes:
        currency = await _currency(session, code=changes.pop("currency"))
        base = await _currency(session, currency_id=expense.base_currency_id or currency.id)
        expense.currency_id = currency.id
        expense.exchange_rate = currency.exchange_rate_to_usd / base.exchange_rate_to_usd
    money_changed = (
        {"amount", "currency"} & patch.model_fields_set or patch.split is not None or patch.payers is not None
    )
    old_day = expense.expense_date
    moved = "expense_date" in changes and changes["expense_date"] != old_day
    old_people = set(await session.scalars(select(ExpenseShare.user_id).where(ExpenseShare.expense_id == expense.id))
                     ) if moved or money_changed else set()  # fmt: skip
    for name, value in changes.items():
        setattr(expense, name, value)
    new_people = old_people
    if money_changed:
        currency = await _currency(session, currency_id=expense.currency_id)
        current = (await outputs(session, [expense]))[0]
        split = patch.split or SplitIn(
            method=expense.split_type,
            participants=[{"user_id": s.user_id, "value": s.split_value} for s in current.shares],
        )
        if patch.split is None and expense.split_type not in ("equal", "percentage", "shares"):
            raise Unprocessable(
                "Changing the amount of an exact or adjusted split needs the new split too.", field="split"
            )
        if patch.split is None and expense.split_type == "equal":
            split = SplitIn(participants=[{"user_id": s.user_id} for s in current.shares])
        payers = patch.payers or ([PayerIn(user_id=current.payers[0].user_id)] if len(current.payers) == 1 else None)
        if payers is None:
            raise Unprocessable("This expense has several payers: send how much each paid.", field="payers")
        allowed = await _allowed_people(session, user, group) | {s.user_id for s in current.shares}
        shares, paid = _compute(expense.amount, currency.decimal_places, split, payers, allowed, group is not None)
        expense.split_type = split.method
        await _replace_rows(session, expense, shares, paid, split.method)
        new_people = {share.user_id for share in shares}
    # The old day keeps analytics rows for whoever the expense no longer names there: the pass redoes it.
    if moved:
        stale.mark_after_commit(session, old_day, old_people, expense.group_id)
    elif old_people - new_people:
        stale.mark_after_commit(session, old_day, old_people - new_people)
    if patch.tags is not None:
        await tags.set_expense_tags(session, user, expense.id, patch.tags)
    if group:
        await record_activity(
            session, group.id, user.id, "expense_edited", f"{user.username} edited {expense.title}",
            {"expense_id": str(expense.id)},
        )  # fmt: skip
    expense_events.notify_later(session, expense.id, user.id, "edited")
    await session.flush()
    await session.refresh(expense)  # updated_at and the generated exclude_from_totals changed in the database
    return (await outputs(session, [expense]))[0]


async def set_deleted(session: AsyncSession, user: User, expense_id: uuid.UUID, deleted: bool) -> ExpenseOut:
    expense = await locked_for_change(session, user, expense_id)
    group = await require_editor(session, user, expense)
    expense.is_deleted = deleted
    expense.deleted_at = datetime.now(UTC) if deleted else None
    expense.deleted_by_id = user.id if deleted else None
    await session.flush()
    await tags.recount(session, await tags.tag_ids_of(session, expense.id))
    expense_events.notify_later(session, expense.id, user.id, "deleted" if deleted else "restored")
    if group:
        kind = "expense_deleted" if deleted else "expense_restored"
        await record_activity(
            session, group.id, user.id, kind, f"{user.username} {'deleted' if deleted else 'restored'} {expense.title}",
            {"expense_id": str(expense.id)},
        )  # fmt: skip
    await session.flush()
    await session.refresh(expense)  # updated_at and the generated exclude_from_totals changed in the database
    return (await outputs(session, [expense]))[0]


async def review(session: AsyncSession, user: User, expense_id: uuid.UUID, *, approve: bool) -> ExpenseOut:
    """A group admin approves (it starts counting) or rejects (it is deleted) a waiting expense."""
    expense = await locked_for_change(session, user, expense_id)
    membership = await membership_in(session, expense.group_id, user.id) if expense.group_id else None
    if membership is None or membership.role != MemberRole.ADMIN:
        raise Forbidden("Only group admins can approve or reject expenses.")
    if expense.is_approved or expense.is_deleted:
        raise Unprocessable("This expense is not waiting for approval.")
    now = datetime.now(UTC)
    if approve:
        expense.is_approved, expense.approved_by_id, expense.approved_at = True, user.id, now
    else:
        expense.is_deleted, expense.deleted_at, expense.deleted_by_id = True, now, user.id
        await session.flush()
        await tags.recount(session, await tags.tag_ids_of(session, expense.id))  # a rejected one counts no more
    kind = "expense_approved" if approve else "expense_rejected"
    verb = "approved" if approve else "rejected"
    assert expense.group_id is not None
    await record_activity(
        session, expense.group_id, user.id, kind, f"{user.username} {verb} {expense.title}",
        {"expense_id": str(expense.id)},
    )  # fmt: skip
    await session.flush()
    await session.refresh(expense)  # updated_at and the generated exclude_from_totals changed in the database
    return (await outputs(session, [expense]))[0]


# The columns an ExpenseOut shows: lists select just these (rows work wherever an Expense does here).
EXPENSE_COLUMNS = (
    Expense.id,
    Expense.title,
    Expense.description,
    Expense.amount,
    Expense.currency_id,
    Expense.expense_date,
    Expense.group_id,
    Expense.category_id,
    Expense.vendor,
    Expense.location,
    Expense.split_type,
    Expense.created_by_id,
    Expense.is_approved,
    Expense.is_settled,
    Expense.is_deleted,
    Expense.transaction_type,
    Expense.expense_classification,
    Expense.exclude_from_totals,
    Expense.exchange_rate,
    Expense.base_currency_id,
    Expense.created_at,
    Expense.updated_at,
)


_INSERTED = (
    "id", "title", "description", "amount", "currency_id", "category_id", "expense_type", "group_id", "paid_by_id",
    "created_by_id", "expense_date", "split_type", "vendor", "location", "transaction_type",
    "expense_classification", "exclude_from_totals_override", "exchange_rate", "base_currency_id",
    "requires_approval", "is_approved", "recurring_expense_id", "recurrence_date", "is_recurring", "source",
    "import_key", "chat_message_id", "account_id", "uploaded_file_id", "created_at", "updated_at",
)  # fmt: skip
# The group's lock is taken and its people checked inside the insert (migration 0006): a member who left
# after the request read the group cannot be given a share. (Edits take the group's lock before reading
# its members: `locked_for_change`.)
_CHECKED_GROUP = (
    "checked_group_id(CAST(:group_id AS uuid), CAST(:payer_ids AS bigint[]) || CAST(:share_ids AS bigint[]))"
)
_VALUES = [_CHECKED_GROUP if name == "group_id" else ":" + name for name in _INSERTED]
_CREATE_EXPENSE = DriverStatement(
    f"""
    WITH new_expense AS (
        INSERT INTO expenses ({", ".join(_INSERTED)}) VALUES ({", ".join(_VALUES)})
        RETURNING {", ".join(Expense.__table__.c[column.key].name for column in EXPENSE_COLUMNS)}
    ), payers AS (
        INSERT INTO expense_payers (expense_id, user_id, amount)
        SELECT :id, payer, paid FROM unnest(CAST(:payer_ids AS bigint[]), CAST(:payer_amounts AS numeric[]))
            AS t(payer, paid)
    ), shares AS (
        INSERT INTO expense_shares (expense_id, user_id, amount, currency_id, paid_by_id, split_method, split_value)
        SELECT :id, person, owed, :currency_id, :paid_by_id, CAST(:split_type AS split_type), split_value
        FROM unnest(CAST(:share_ids AS bigint[]), CAST(:share_amounts AS numeric[]), CAST(:share_values AS numeric[]))
            AS t(person, owed, split_value)
    ), activity AS (
        -- The row groups.service.record_activity writes, here in the expense's own statement (the hot path).
        INSERT INTO group_activities (id, created_at, updated_at, group_id, user_id, activity_type, description,
                                      metadata)
        SELECT gen_random_uuid(), :created_at, :created_at, CAST(:activity_group_id AS uuid), :created_by_id,
               'expense_added', :activity_description, CAST(:activity_meta AS jsonb)
        WHERE CAST(:activity_group_id AS uuid) IS NOT NULL
    )
    SELECT * FROM new_expense
    """  # noqa: S608 - built from constant column names; every value is a bound parameter
)


# The shares, payers and tag names of a page of expenses in one statement (kind 0, 1, 2), on the driver:
# a page has a few hundred of these rows, and SQLAlchemy's row handling cost more than the query.
_PAGE_DETAILS = DriverStatement(
    """
    SELECT 0 AS kind, expense_id, user_id, amount, split_value, is_settled, NULL AS name, NULL AS sort_name
    FROM expense_shares WHERE expense_id = ANY(CAST(:ids AS uuid[]))
    UNION ALL
    SELECT 1, expense_id, user_id, amount, NULL, NULL, NULL, NULL
    FROM expense_payers WHERE expense_id = ANY(CAST(:ids AS uuid[]))
    UNION ALL
    SELECT 2, et.expense_id, NULL, NULL, NULL, NULL, t.name, lower(t.name)
    FROM expense_tags et JOIN tags t ON t.id = et.tag_id WHERE et.expense_id = ANY(CAST(:ids AS uuid[]))
    ORDER BY kind, sort_name
    """
)


async def outputs(session: AsyncSession, expenses: Sequence[Any]) -> list[ExpenseOut]:
    """API shapes for a page of expenses: one query for all their shares, payers and tags; the currencies
    from the process's cache."""
    if not expenses:
        return []
    shares: dict[uuid.UUID, list[Any]] = defaultdict(list)
    payers: dict[uuid.UUID, list[Any]] = defaultdict(list)
    tag_names: dict[uuid.UUID, list[str]] = defaultdict(list)
    for kind, expense_id, user_id, amount, split_value, is_settled, name, _ in await _PAGE_DETAILS.fetch(
        session, {"ids": [expense.id for expense in expenses]}
    ):
        if kind == 0:
            shares[expense_id].append(
                SimpleNamespace(user_id=user_id, amount=amount, split_value=split_value, is_settled=is_settled)
            )
        elif kind == 1:
            payers[expense_id].append(SimpleNamespace(user_id=user_id, amount=amount))
        else:
            tag_names[expense_id].append(name)
    currency_ids = {e.currency_id for e in expenses} | {e.base_currency_id for e in expenses if e.base_currency_id}
    currencies = await units(session, currency_ids)
    return [_expense_out(e, currencies, shares[e.id], payers[e.id], tag_names[e.id]) for e in expenses]


def _by_user(row: Any) -> int:
    return int(row.user_id)


def _expense_out(
    e: Any,
    currencies: dict[uuid.UUID, Any],  # code and decimal_places
    shares: Sequence[Any],
    payers: Sequence[Any],
    tag_names: list[str],
) -> ExpenseOut:
    unit = Decimal(1).scaleb(-currencies[e.currency_id].decimal_places)
    return ExpenseOut(
        id=e.id,
        title=e.title,
        description=e.description,
        amount=e.amount.quantize(unit),
        currency=currencies[e.currency_id].code,
        expense_date=e.expense_date,
        group_id=e.group_id,
        category_id=e.category_id,
        vendor=e.vendor,
        location=e.location,
        split_type=e.split_type,
        shares=[
            ShareOut(
                user_id=s.user_id, amount=s.amount.quantize(unit), split_value=s.split_value, is_settled=s.is_settled
            )
            for s in sorted(shares, key=_by_user)
        ],
        payers=[PayerOut(user_id=p.user_id, amount=p.amount.quantize(unit)) for p in sorted(payers, key=_by_user)],
        created_by_id=e.created_by_id,
        is_approved=e.is_approved,
        is_settled=e.is_settled,
        is_deleted=e.is_deleted,
        transaction_type=e.transaction_type,
        expense_classification=e.expense_classification,
        exclude_from_totals=bool(e.exclude_from_totals),
        exchange_rate=e.exchange_rate.normalize(),
        base_currency=currencies[e.base_currency_id].code if e.base_currency_id else None,
        tags=tag_names,
        created_at=e.created_at,
        updated_at=e.updated_at,
    )
