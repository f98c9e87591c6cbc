"""Seed 000's two triggers: the group member count and the payer's expense totals stay right."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Group, UserProfile
from app.models.enums import MembershipStatus, TransactionType
from tests.factories import join, make_expense, make_group, make_user


async def member_count(session: AsyncSession, group: Group) -> int:
    return await session.scalar(
        select(Group.member_count).where(Group.id == group.id).execution_options(populate_existing=True)
    )  # type: ignore[return-value]


async def test_member_count_follows_active_memberships(session: AsyncSession) -> None:
    owner, alice, bob = await make_user(session), await make_user(session), await make_user(session)
    group = await make_group(session, owner)
    other = await make_group(session, owner)
    await join(session, group, owner)
    alice_membership = await join(session, group, alice)
    await join(session, group, bob, active=False)
    assert await member_count(session, group) == 2

    bob_id = bob.id
    await session.execute(
        text("UPDATE group_memberships SET status = 'accepted', is_active = true WHERE user_id = :id"), {"id": bob_id}
    )
    assert await member_count(session, group) == 3

    alice_membership.status = MembershipStatus.LEFT
    alice_membership.is_active = False
    await session.flush()
    assert await member_count(session, group) == 2

    # Moving a membership to another group moves the count with it.
    await session.execute(
        text("UPDATE group_memberships SET group_id = :other WHERE user_id = :id"), {"other": other.id, "id": bob_id}
    )
    assert (await member_count(session, group), await member_count(session, other)) == (1, 1)

    await session.execute(text("DELETE FROM group_memberships WHERE group_id = :g"), {"g": group.id})
    assert await member_count(session, group) == 0


async def test_user_totals_follow_live_spending(session: AsyncSession) -> None:
    payer = await make_user(session)

    async def totals() -> tuple[Decimal, int]:
        profile = await session.scalar(
            select(UserProfile).where(UserProfile.user_id == payer.id).execution_options(populate_existing=True)
        )
        assert profile is not None
        return profile.total_expenses, profile.expense_count

    first = await make_expense(session, payer, amount=Decimal("30.00"))
    second = await make_expense(session, payer, amount=Decimal("12.50"))
    await make_expense(session, payer, amount=Decimal("1000"), transaction_type=TransactionType.INCOME)
    assert await totals() == (Decimal("42.50"), 2)

    second.amount = Decimal("10.00")
    await session.flush()
    assert await totals() == (Decimal("40.00"), 2)

    await session.execute(
        text("UPDATE expenses SET is_deleted = true, deleted_at = now() WHERE id = :id"), {"id": first.id}
    )
    assert await totals() == (Decimal("10.00"), 1)

    await session.execute(text("DELETE FROM expenses WHERE id = :id"), {"id": second.id})
    assert await totals() == (Decimal("0"), 0)


async def test_group_balance_ledger_follows_every_kind_of_change(session: AsyncSession) -> None:
    from app.services.balances.queries import group_balances
    from tests.factories import currency_id
    from tests.test_balances import add_expense

    a, b = await make_user(session), await make_user(session)
    group = await make_group(session, a)
    for member in (a, b):
        await join(session, group, member)
    await add_expense(session, group, [a, b], "USD", 1000, [0, 1], [0])  # a paid 10.00 for both

    async def usd() -> dict[int, Decimal]:
        found = {entry.currency: entry.balances for entry in await group_balances(session, group.id)}
        return found.get("USD", {})

    assert await usd() == {a.id: Decimal("5.00"), b.id: Decimal("-5.00")}
    expense_id = await session.scalar(text("SELECT id FROM expenses WHERE group_id = :g"), {"g": group.id})
    eur = await currency_id(session, "EUR")
    await session.execute(text("UPDATE expenses SET currency_id = :c WHERE id = :e"), {"c": eur, "e": expense_id})
    assert await usd() == {}
    eur_balances = {entry.currency: entry.balances for entry in await group_balances(session, group.id)}["EUR"]
    assert eur_balances == {a.id: Decimal("5.00"), b.id: Decimal("-5.00")}
    await session.execute(text("UPDATE expense_shares SET amount = 4 WHERE user_id = :b"), {"b": b.id})
    await session.execute(text("UPDATE expense_shares SET amount = 6 WHERE user_id = :a"), {"a": a.id})
    eur_balances = {entry.currency: entry.balances for entry in await group_balances(session, group.id)}["EUR"]
    assert eur_balances == {a.id: Decimal("4.00"), b.id: Decimal("-4.00")}
    await session.execute(text("DELETE FROM expenses WHERE id = :e"), {"e": expense_id})
    assert await group_balances(session, group.id) == []
