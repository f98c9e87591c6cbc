"""Recurring expenses: month ends, catching up, pausing, and never the same occurrence twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.models import Expense
from app.models.enums import RecurrenceFrequency as F
from app.services.recurring.schedule import due_dates, next_after, occurrence, occurrences
from app.services.recurring.service import run_due
from tests.factories import auth_headers, make_account
from tests.test_expenses import trio

API = "/api/v1/recurring-expenses"


@pytest.mark.parametrize(
    ("start", "frequency", "interval", "expected"),
    [
        (date(2026, 1, 31), F.MONTHLY, 1, [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]),
        (
            date(2024, 2, 29),
            F.YEARLY,
            1,
            [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2028, 2, 29)][:3],
        ),
        (date(2026, 11, 30), F.QUARTERLY, 1, [date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 30)]),
        (date(2026, 1, 5), F.WEEKLY, 2, [date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2)]),
        (date(2026, 1, 30), F.DAILY, 3, [date(2026, 1, 30), date(2026, 2, 2), date(2026, 2, 5)]),
    ],
)
def test_schedule(start, frequency, interval, expected) -> None:  # type: ignore[no-untyped-def]
    assert [occurrence(start, frequency, interval, n) for n in range(len(expected))] == expected


def test_catch_up_and_end_dates() -> None:
    days = due_dates(date(2026, 1, 31), F.MONTHLY, 1, next_due=date(2026, 2, 28), today=date(2026, 6, 1), end=None)
    assert days == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    ended = due_dates(
        date(2026, 1, 1), F.DAILY, 1, next_due=date(2026, 1, 1), today=date(2026, 3, 1), end=date(2026, 1, 3)
    )
    assert ended == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    assert next_after(date(2026, 1, 31), F.MONTHLY, 1, date(2026, 4, 30)) == date(2026, 5, 31)
    # Years later, the jump ahead still lands on the first occurrence wanted.
    assert due_dates(date(2001, 1, 31), F.MONTHLY, 1, next_due=date(2026, 2, 1), today=date(2026, 3, 1), end=None) == [
        date(2026, 2, 28)
    ]


async def test_the_job_makes_each_occurrence_once_and_catches_up(client, session, settings) -> None:
    (a, b, _), (ha, _, _), group = await trio(client, session, settings)
    await client.patch(f"/api/v1/groups/{group['id']}", json={"currency": "EUR"}, headers=ha)
    today = date.today()
    body = {
        "title": "Rent",
        "amount": "900.00",
        "group_id": group["id"],
        "frequency": "daily",
        "start_date": (today - timedelta(days=3)).isoformat(),
        "split": {"method": "equal", "participants": [{"user_id": a.id}, {"user_id": b.id}]},
    }
    created = await client.post(API, json=body, headers=ha)
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["next_due_date"] == body["start_date"]
    assert template["currency"] == "EUR"  # the group's currency when none is given

    assert await run_due(session, today) == 4  # three missed days and today
    assert await run_due(session, today) == 0  # the same day again: nothing new
    count = await session.scalar(select(func.count()).where(Expense.recurring_expense_id == template["id"]))
    assert count == 4
    shown = (await client.get(f"{API}/{template['id']}", headers=ha)).json()
    assert shown["next_due_date"] == (today + timedelta(days=1)).isoformat()
    expenses = (await client.get("/api/v1/expenses", params={"group_id": group["id"]}, headers=ha)).json()["items"]
    assert {e["expense_date"] for e in expenses} == {(today - timedelta(days=n)).isoformat() for n in range(4)}
    assert all([s["amount"] for s in e["shares"]] == ["450.00", "450.00"] for e in expenses)
    assert {e["currency"] for e in expenses} == {"EUR"}


async def test_pause_skips_and_bad_templates_are_refused(client, session, settings) -> None:
    _, (ha, hb, _), group = await trio(client, session, settings)
    stranger = await make_account(session)
    today = date.today()
    bad = {
        "title": "x",
        "amount": "10.00",
        "group_id": group["id"],
        "frequency": "weekly",
        "start_date": today.isoformat(),
        "split": {"participants": [{"user_id": stranger.id}]},
    }
    refused = await client.post(API, json=bad, headers=ha)
    assert refused.status_code == 422 and "not a member" in refused.json()["detail"]

    body = {
        "title": "Netflix",
        "amount": "15.99",
        "frequency": "daily",
        "start_date": (today - timedelta(days=2)).isoformat(),
    }
    template = (await client.post(API, json=body, headers=ha)).json()
    paused = await client.patch(f"{API}/{template['id']}", json={"paused_until": today.isoformat()}, headers=ha)
    assert paused.json()["is_paused"] is True
    assert await run_due(session, today) == 1  # the paused days are skipped; today is made
    other = await auth_headers(session, settings, await make_account(session))
    assert (await client.get(f"{API}/{template['id']}", headers=other)).status_code == 404
    assert (await client.delete(f"{API}/{template['id']}", headers=hb)).status_code == 404  # not in a group of b's
    assert (await client.delete(f"{API}/{template['id']}", headers=ha)).status_code == 204
    assert (await client.get(API, headers=ha)).json() == []


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    gap=st.integers(0, 20_000),
    frequency=st.sampled_from(list(F)),
    interval=st.integers(1, 12),
)
def test_jumping_ahead_finds_the_same_occurrence_as_walking(start, gap, frequency, interval) -> None:  # type: ignore[no-untyped-def]
    after = start + timedelta(days=gap)
    walked = next(d for d in (occurrence(start, frequency, interval, n) for n in range(100_000)) if d >= after)
    assert next(occurrences(start, frequency, interval, after=after)) == walked


async def test_occurrences_wait_for_the_authors_own_today(client, session, settings) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    user = await make_account(session, timezone="Etc/GMT+12")  # twelve hours behind UTC
    headers = await auth_headers(session, settings, user)
    utc_today = datetime.now(UTC).date()
    local_today = datetime.now(ZoneInfo("Etc/GMT+12")).date()
    start = (utc_today - timedelta(days=2)).isoformat()
    body = {"title": "Paper", "amount": "2.00", "frequency": "daily", "start_date": start}
    template = (await client.post(API, json=body, headers=headers)).json()
    made = await run_due(session, utc_today)
    assert made == (local_today - (utc_today - timedelta(days=2))).days + 1
    shown = (await client.get(f"{API}/{template['id']}", headers=headers)).json()
    assert shown["is_active"] is True and shown["next_due_date"] == (local_today + timedelta(days=1)).isoformat()
