"""Recording payments between two people. Whoever records one confirms their own side; when the other
confirms, it completes: balances move (the ledger triggers) and the debtor's shares it pays off, oldest
first, are marked settled, and so is every expense whose shares all are. Either side may cancel a
pending one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden, NotFound, Unprocessable
from app.models import Currency, Expense, ExpenseShare, Group, GroupMembership, Settlement, User, UserFriendship
from app.models.enums import FriendshipStatus, PaymentStatus
from app.pagination import newest_first
from app.services.expenses.allocation import SplitError, to_units
from app.services.groups.service import record_activity
from app.services.notifications import inapp
from app.services.reference.queries import active_currency
from app.services.settlements.schemas import SettlementCreate, SettlementOut


def _visible_to(user_id: int):  # type: ignore[no-untyped-def]
    member = exists().where(
        GroupMembership.group_id == Settlement.group_id,
        GroupMembership.user_id == user_id,
        GroupMembership.is_active,
    )
    return or_(Settlement.payer_id == user_id, Settlement.payee_id == user_id, member)


async def _out(session: AsyncSession, row: Settlement) -> SettlementOut:
    currency = await session.get(Currency, row.currency_id)
    assert currency is not None
    return SettlementOut(
        id=row.id,
        payer_id=row.payer_id,
        payee_id=row.payee_id,
        amount=row.amount.quantize(Decimal(1).scaleb(-currency.decimal_places)),
        currency=currency.code,
        group_id=row.group_id,
        status=row.status,
        is_confirmed_by_payer=row.is_confirmed_by_payer,
        is_confirmed_by_payee=row.is_confirmed_by_payee,
        description=row.description,
        completed_at=row.completed_at,
        created_at=row.created_at,
    )


async def record(session: AsyncSession, user: User, data: SettlementCreate) -> SettlementOut:
    if user.id not in (data.payer_id, data.payee_id):
        raise Unprocessable("You can record payments you made or received.", field="payer_id")
    if data.payer_id == data.payee_id:
        raise Unprocessable("The payer and the payee must be two different people.", field="payee_id")
    other = data.payee_id if data.payer_id == user.id else data.payer_id
    group = await session.get(Group, data.group_id) if data.group_id else None
    if data.group_id is not None:
        members = set(
            await session.scalars(
                select(GroupMembership.user_id).where(
                    GroupMembership.group_id == data.group_id,
                    GroupMembership.is_active,
                    GroupMembership.user_id.in_([user.id, other]),
                )
            )
        )
        if group is None or user.id not in members:
            raise NotFound("No such group.")
        if other not in members:
            raise Unprocessable(f"User {other} is not a member of this group.", field="group_id")
    else:
        friends = await session.scalar(
            select(UserFriendship.id).where(
                or_(
                    and_(UserFriendship.from_user_id == user.id, UserFriendship.to_user_id == other),
                    and_(UserFriendship.from_user_id == other, UserFriendship.to_user_id == user.id),
                ),
                UserFriendship.status == FriendshipStatus.ACCEPTED,
            )
        )
        if friends is None:
            raise Unprocessable("Record payments with your friends, or within a group you share.", field="payee_id")
    if data.currency:
        currency = await active_currency(session, data.currency)
    elif group is not None:
        currency = await session.get(Currency, group.currency_id)
    else:
        currency = await active_currency(session, user.preferred_currency)
    assert currency is not None
    try:
        to_units(data.amount, currency.decimal_places)
    except SplitError as error:
        raise Unprocessable(str(error), field="amount") from None
    row = Settlement(
        id=uuid.uuid4(),
        created_at=datetime.now(UTC),  # the wall clock: lists sort by it, even within one transaction
        payer_id=data.payer_id,
        payee_id=data.payee_id,
        amount=data.amount,
        currency_id=currency.id,
        group_id=data.group_id,
        description=data.description,
        is_confirmed_by_payer=user.id == data.payer_id,
        is_confirmed_by_payee=user.id == data.payee_id,
    )
    session.add(row)
    await session.flush()
    if group is not None:
        await record_activity(
            session, group.id, user.id, "settlement_recorded",
            f"{user.username} recorded a payment of {data.amount} {currency.code}", {"settlement_id": str(row.id)},
        )  # fmt: skip
    action = "paid you" if user.id == data.payer_id else "says you paid them"
    await inapp.notify(session, other, "settlement", {"actor": user.username, "action": action,
                       "amount": data.amount.quantize(Decimal(1).scaleb(-currency.decimal_places)),
                       "currency": currency.code, "hint": "Confirm it to settle up, or cancel it if it is wrong."},
                       related=("settlement", str(row.id)))  # fmt: skip
    await session.flush()
    await session.refresh(row)
    return await _out(session, row)


async def visible_settlement(
    session: AsyncSession, user: User, settlement_id: uuid.UUID, *, for_update: bool = False
) -> Settlement:
    query = select(Settlement).where(Settlement.id == settlement_id, _visible_to(user.id))
    row = await session.scalar(query.with_for_update(of=Settlement) if for_update else query)
    if row is None:
        raise NotFound("No such settlement.")
    return row


async def _mine(session: AsyncSession, user: User, settlement_id: uuid.UUID) -> Settlement:
    row = await visible_settlement(session, user, settlement_id, for_update=True)
    if user.id not in (row.payer_id, row.payee_id):
        raise Forbidden("Only the two people in a payment can confirm or cancel it.")
    if row.status != PaymentStatus.PENDING:
        raise Unprocessable(f"This payment is already {row.status.value}.")
    return row


async def confirm(session: AsyncSession, user: User, settlement_id: uuid.UUID) -> SettlementOut:
    row = await _mine(session, user, settlement_id)
    if user.id == row.payer_id:
        row.is_confirmed_by_payer = True
    else:
        row.is_confirmed_by_payee = True
    if row.is_confirmed_by_payer and row.is_confirmed_by_payee:
        await complete(session, row, user.id, f"{user.username} confirmed a payment")
        other = row.payee_id if user.id == row.payer_id else row.payer_id
        currency = await session.get(Currency, row.currency_id)
        amount = row.amount.quantize(Decimal(1).scaleb(-currency.decimal_places))
        await inapp.notify(session, other, "settlement", {"actor": user.username, "action": "confirmed the payment of",
                           "amount": amount, "currency": currency.code, "hint": "Your balances have moved."},
                           related=("settlement", str(row.id)))  # fmt: skip
    await session.flush()
    await session.refresh(row)
    return await _out(session, row)


async def complete(session: AsyncSession, row: Settlement, actor_id: int, description: str) -> None:
    """Complete a pending settlement (the caller holds its row lock): balances move, covered shares settle."""
    now = datetime.now(UTC)
    row.is_confirmed_by_payer = row.is_confirmed_by_payee = True
    row.status, row.completed_at, row.confirmed_at = PaymentStatus.COMPLETED, now, now
    await session.flush()
    await _mark_shares(session, row, now)
    if row.group_id:
        await record_activity(
            session, row.group_id, actor_id, "settlement_completed", description, {"settlement_id": str(row.id)}
        )


async def reverse(session: AsyncSession, row: Settlement, status: PaymentStatus) -> None:
    """Undo a completed settlement (a refunded payment): balances move back, its shares are open again."""
    row.status = status
    await session.flush()
    await session.execute(
        update(Expense)
        .where(Expense.id.in_(select(ExpenseShare.expense_id).where(ExpenseShare.settlement_id == row.id)))
        .values(is_settled=False)
    )
    await session.execute(
        update(ExpenseShare)
        .where(ExpenseShare.settlement_id == row.id)
        .values(is_settled=False, settled_at=None, settlement_id=None)
    )


async def _mark_shares(session: AsyncSession, row: Settlement, now: datetime) -> None:
    """Mark settled the payer's open shares owed to the payee that this payment covers, oldest first."""
    scope = Expense.group_id == row.group_id if row.group_id else Expense.group_id.is_(None)
    shares = (
        await session.execute(
            select(ExpenseShare.id, ExpenseShare.amount, ExpenseShare.expense_id)
            .join(Expense, Expense.id == ExpenseShare.expense_id)
            .where(
                ExpenseShare.user_id == row.payer_id,
                ExpenseShare.paid_by_id == row.payee_id,
                ExpenseShare.currency_id == row.currency_id,
                ExpenseShare.is_settled.is_(False),
                Expense.is_deleted.is_(False),
                Expense.is_approved,
                scope,
            )
            .order_by(Expense.expense_date, Expense.created_at, ExpenseShare.id)
            # Locked: another payment between the two completing at the same time waits, then finds the
            # shares this one covered settled (a group's payments already queue on the group's lock).
            .with_for_update(of=ExpenseShare)
        )
    ).all()
    left: Decimal = row.amount
    covered, expenses = [], set()
    for share_id, amount, expense_id in shares:
        if amount > left:
            break
        left -= amount
        covered.append(share_id)
        expenses.add(expense_id)
    if not covered:
        return
    await session.execute(
        update(ExpenseShare)
        .where(ExpenseShare.id.in_(covered))
        .values(is_settled=True, settled_at=now, settlement_id=row.id)
    )
    # An expense is settled when every share someone owes on it is (the payer's own share owes nothing).
    open_share = exists().where(
        ExpenseShare.expense_id == Expense.id,
        ExpenseShare.user_id != ExpenseShare.paid_by_id,
        ExpenseShare.is_settled.is_(False),
    )
    await session.execute(update(Expense).where(Expense.id.in_(expenses), ~open_share).values(is_settled=True))


async def cancel(session: AsyncSession, user: User, settlement_id: uuid.UUID) -> SettlementOut:
    row = await _mine(session, user, settlement_id)
    row.status = PaymentStatus.CANCELLED
    await session.flush()
    await session.refresh(row)
    return await _out(session, row)


async def get(session: AsyncSession, user: User, settlement_id: uuid.UUID) -> SettlementOut:
    return await _out(session, await visible_settlement(session, user, settlement_id))


async def page(
    session: AsyncSession, user: User, *, group_id: uuid.UUID | None, cursor: str | None, limit: int
) -> tuple[list[SettlementOut], str | None]:
    query = select(Settlement).where(_visible_to(user.id))
    if group_id is not None:
        query = query.where(Settlement.group_id == group_id)
    rows, next_cursor = await newest_first(session, query, Settlement, cursor=cursor, limit=limit)
    return [await _out(session, row) for row in rows], next_cursor
