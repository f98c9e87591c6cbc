"""Every seed-000 rule the database itself enforces: bad rows are refused by PostgreSQL, not just the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import (
    Category,
    ExpenseAnalytics,
    ExpenseShare,
    NotificationPreference,
    Payment,
    PaymentMethod,
    RecurringExpense,
    Settlement,
    StatementPassword,
    Tag,
    UserFriendship,
)
from app.models.enums import PaymentMethodType, PeriodType, RecurrenceFrequency
from tests.factories import currency_id, join, make_expense, make_group, make_user


async def refused(session: AsyncSession, action: Callable[[], Awaitable[object]], constraint: str) -> None:
    """Run `action` in a savepoint; PostgreSQL must refuse it, naming `constraint`."""
    savepoint = await session.begin_nested()
    with pytest.raises((IntegrityError, DBAPIError)) as caught:
        await action()
        await session.flush()
    await savepoint.rollback()
    assert constraint in str(caught.value), str(caught.value)


async def add(session: AsyncSession, row: object) -> None:
    session.add(row)
    await session.flush()


async def test_amounts_must_be_positive(session: AsyncSession) -> None:
    payer = await make_user(session)
    usd = await currency_id(session)
    await refused(session, lambda: make_expense(session, payer, amount=Decimal("-5")), "ck_expenses_positive_amount")
    await refused(session, lambda: make_expense(session, payer, amount=Decimal("0")), "ck_expenses_positive_amount")
    expense = await make_expense(session, payer)
    share = ExpenseShare(
        expense_id=expense.id, user_id=payer.id, amount=Decimal("-1"), currency_id=usd, paid_by_id=payer.id
    )
    await refused(session, lambda: add(session, share), "ck_expense_shares_positive_share")
    other = await make_user(session)
    settlement = Settlement(payer_id=payer.id, payee_id=other.id, amount=Decimal("-3"), currency_id=usd)
    await refused(session, lambda: add(session, settlement), "ck_settlements_positive_settlement")
    recurring = RecurringExpense(
        title="Rent",
        amount=Decimal("-1"),
        currency_id=usd,
        frequency=RecurrenceFrequency.MONTHLY,
        created_by_id=payer.id,
        paid_by_id=payer.id,
        start_date=date.today(),
        next_due_date=date.today(),
    )
    await refused(session, lambda: add(session, recurring), "ck_recurring_expenses_positive_amount")


async def test_expense_date_cannot_be_in_the_future(session: AsyncSession) -> None:
    payer = await make_user(session)
    # Tomorrow in UTC is still today somewhere (UTC+14); the day after is the future everywhere.
    await make_expense(session, payer, expense_date=date.today() + timedelta(days=1))
    await refused(
        session,
        lambda: make_expense(session, payer, expense_date=date.today() + timedelta(days=2)),
        "ck_expenses_expense_date_not_future",
    )


async def test_friendship_rules(session: AsyncSession) -> None:
    alice, bob = await make_user(session), await make_user(session)
    await refused(
        session,
        lambda: add(session, UserFriendship(from_user_id=alice.id, to_user_id=alice.id)),
        "ck_user_friendships_different_users",
    )
    await add(session, UserFriendship(from_user_id=alice.id, to_user_id=bob.id))
    await refused(
        session,
        lambda: add(session, UserFriendship(from_user_id=alice.id, to_user_id=bob.id)),
        "uq_user_friendships_from_user_id_to_user_id",
    )
    await refused(
        session, lambda: add(session, UserFriendship(from_user_id=bob.id, to_user_id=alice.id)), "uq_friendship_pair"
    )


async def test_membership_rules(session: AsyncSession) -> None:
    owner, member = await make_user(session), await make_user(session)
    group = await make_group(session, owner)
    await join(session, group, member)
    await refused(session, lambda: join(session, group, member), "uq_group_memberships_user_id_group_id")
    await session.execute(text("SAVEPOINT s"))
    with pytest.raises(DBAPIError, match="ck_group_memberships_active_status"):
        await session.execute(
            text(
                "INSERT INTO group_memberships (user_id, group_id, status, is_active) "
                "VALUES (:user, :group, 'pending', true)"
            ),
            {"user": owner.id, "group": group.id},
        )
    await session.execute(text("ROLLBACK TO SAVEPOINT s"))


async def test_settlement_between_two_different_people(session: AsyncSession) -> None:
    payer = await make_user(session)
    usd = await currency_id(session)
    settlement = Settlement(payer_id=payer.id, payee_id=payer.id, amount=Decimal("5"), currency_id=usd)
    await refused(session, lambda: add(session, settlement), "ck_settlements_different_parties")


async def test_recurring_ranges(session: AsyncSession) -> None:
    user = await make_user(session)
    usd = await currency_id(session)

    def recurring(**changes: object) -> RecurringExpense:
        values: dict[str, object] = {
            "title": "Gym", "amount": Decimal("20"), "currency_id": usd, "frequency": RecurrenceFrequency.WEEKLY,
            "created_by_id": user.id, "paid_by_id": user.id, "start_date": date(2026, 5, 1),
            "next_due_date": date(2026, 5, 1),
        }  # fmt: skip
        values.update(changes)
        return RecurringExpense(**values)

    await refused(
        session, lambda: add(session, recurring(end_date=date(2026, 4, 1))), "ck_recurring_expenses_date_range"
    )
    await refused(session, lambda: add(session, recurring(interval=0)), "ck_recurring_expenses_positive_interval")


async def test_one_share_per_person_per_expense(session: AsyncSession) -> None:
    payer = await make_user(session)
    usd = await currency_id(session)
    expense = await make_expense(session, payer)

    def share() -> ExpenseShare:
        return ExpenseShare(
            expense_id=expense.id, user_id=payer.id, amount=Decimal("10"), currency_id=usd, paid_by_id=payer.id
        )

    await add(session, share())
    await refused(session, lambda: add(session, share()), "uq_expense_shares_expense_id_user_id")


async def test_uniques_per_owner(session: AsyncSession) -> None:
    alice, bob = await make_user(session), await make_user(session)
    # A user's category may share a system category's name; two of the user's own may not.
    await add(session, Category(name="Restaurants", slug="restaurants", user_id=alice.id))
    await refused(
        session,
        lambda: add(session, Category(name="Restaurants", slug="restaurants-2", user_id=alice.id)),
        "idx_category_user_name",
    )
    await refused(
        session, lambda: add(session, Category(name="Restaurants", slug="x-restaurants")), "idx_category_name"
    )
    await add(session, Tag(name="trip", user_id=alice.id))
    await add(session, Tag(name="trip", user_id=bob.id))
    await refused(session, lambda: add(session, Tag(name="trip", user_id=alice.id)), "uq_tags_user_id_name")
    await add(session, NotificationPreference(user_id=alice.id, notification_type="expense_added"))
    await refused(
        session,
        lambda: add(session, NotificationPreference(user_id=alice.id, notification_type="expense_added")),
        "uq_notification_preferences_user_id_notification_type",
    )


async def test_analytics_scope_is_unique_even_with_null_scopes(session: AsyncSession) -> None:
    user = await make_user(session)
    usd = await currency_id(session)

    def row() -> ExpenseAnalytics:
        return ExpenseAnalytics(
            user_id=user.id,
            period_type=PeriodType.MONTHLY,
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            currency_id=usd,
        )

    await add(session, row())
    await refused(session, lambda: add(session, row()), "uq_expense_analytics_scope")


async def test_one_default_statement_password_per_account(session: AsyncSession) -> None:
    user = await make_user(session)

    def password() -> StatementPassword:
        return StatementPassword(user_id=user.id, encrypted_password=b"x", is_default=True)

    await add(session, password())
    await refused(session, lambda: add(session, password()), "unique_default_per_account")


async def test_native_enums_and_checked_choices_refuse_unknown_values(session: AsyncSession) -> None:
    user = await make_user(session)
    for sql, name in (
        ("UPDATE auth_user SET role = 'god' WHERE id = :id", "user_role"),
        ("UPDATE auth_user SET profile_visibility = 'everyone' WHERE id = :id", "ck_auth_user_profile_visibility"),
    ):
        await session.execute(text("SAVEPOINT s"))
        with pytest.raises(DBAPIError, match=name):
            await session.execute(text(sql), {"id": user.id})
        await session.execute(text("ROLLBACK TO SAVEPOINT s"))
    with pytest.raises(StatementError):
        await add(session, PaymentMethod(user_id=user.id, method_type="bitcoin-maybe", name="x"))


async def test_payments_reference_a_settlement_and_keep_fees_non_negative(session: AsyncSession) -> None:
    payer, payee = await make_user(session), await make_user(session)
    usd = await currency_id(session)
    settlement = Settlement(payer_id=payer.id, payee_id=payee.id, amount=Decimal("10"), currency_id=usd)
    method = PaymentMethod(user_id=payer.id, method_type=PaymentMethodType.BANK, name="Checking")
    session.add_all([settlement, method])
    await session.flush()
    payment = Payment(
        settlement_id=settlement.id,
        amount=Decimal("10"),
        currency_id=usd,
        payment_method_id=method.id,
        payment_service="manual",
        processing_fee=Decimal("-1"),
    )
    await refused(session, lambda: add(session, payment), "ck_payments_fee_not_negative")
    # Money that moved stays on record: a settlement with payments cannot be deleted.
    await add(
        session,
        Payment(
            settlement_id=settlement.id,
            amount=Decimal("10"),
            currency_id=usd,
            payment_method_id=method.id,
            payment_service="manual",
        ),
    )
    await refused(session, lambda: session.delete(settlement), "fk_payments_settlement_id_settlements")


async def test_a_group_with_members_loses_them_when_deleted_but_not_its_expenses(session: AsyncSession) -> None:
    owner = await make_user(session)
    group = await make_group(session, owner)
    await join(session, group, owner)
    await make_expense(session, owner, group_id=group.id)
    await refused(session, lambda: session.delete(group), "fk_expenses_group_id_groups")
