"""Splitting money exactly: worked examples and properties over random splits (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.models.enums import SplitType
from app.services.expenses.allocation import SplitEntry, SplitError, allocate, allocate_payers


def amounts(shares):  # type: ignore[no-untyped-def]
    return [str(share.amount) for share in shares]


def equal(amount: str, places: int, people: int) -> list[str]:
    return amounts(allocate(Decimal(amount), places, SplitType.EQUAL, [SplitEntry(i) for i in range(1, people + 1)]))


def test_worked_examples() -> None:
    assert equal("100.00", 2, 3) == ["33.34", "33.33", "33.33"]
    assert sum(Decimal(a) for a in equal("30.00", 2, 7)) == Decimal("30.00")
    assert equal("30.00", 2, 7) == ["4.29", "4.29", "4.29", "4.29", "4.28", "4.28", "4.28"]
    assert equal("1000", 0, 3) == ["334", "333", "333"]
    assert equal("1.000", 3, 3) == ["0.334", "0.333", "0.333"]


def test_tie_break_does_not_depend_on_the_order_given() -> None:
    forwards = allocate(Decimal("100.00"), 2, SplitType.EQUAL, [SplitEntry(7), SplitEntry(3), SplitEntry(5)])
    backwards = allocate(Decimal("100.00"), 2, SplitType.EQUAL, [SplitEntry(5), SplitEntry(3), SplitEntry(7)])
    assert {s.user_id: s.amount for s in forwards} == {s.user_id: s.amount for s in backwards}
    assert {s.user_id: s.amount for s in forwards}[3] == Decimal("33.34")  # smallest id wins the tie


def test_methods() -> None:
    pct = allocate(
        Decimal("10.00"),
        2,
        SplitType.PERCENTAGE,
        [SplitEntry(1, Decimal("33.3333")), SplitEntry(2, Decimal("66.6667"))],
    )
    assert amounts(pct) == ["3.33", "6.67"] and pct[0].split_value == Decimal("33.3333")
    shares = allocate(Decimal("90"), 0, SplitType.SHARES, [SplitEntry(1, Decimal(2)), SplitEntry(2, Decimal(1))])
    assert amounts(shares) == ["60", "30"]
    exact = allocate(
        Decimal("12.50"), 2, SplitType.EXACT, [SplitEntry(1, Decimal("10")), SplitEntry(2, Decimal("2.5"))]
    )
    assert amounts(exact) == ["10.00", "2.50"]
    adjusted = allocate(
        Decimal("100.00"), 2, SplitType.ADJUSTMENT, [SplitEntry(1, Decimal("10")), SplitEntry(2), SplitEntry(3)]
    )
    assert amounts(adjusted) == ["40.00", "30.00", "30.00"]
    # A zero share has no row (shares are always positive), but still counts as a participant.
    zero = allocate(Decimal("5.00"), 2, SplitType.EXACT, [SplitEntry(1, Decimal("5")), SplitEntry(2, Decimal("0"))])
    assert [s.user_id for s in zero] == [1]


@pytest.mark.parametrize(
    ("method", "entries", "amount", "message"),
    [
        (
            SplitType.PERCENTAGE,
            [SplitEntry(1, Decimal(50)), SplitEntry(2, Decimal(40))],
            "10.00",
            "add up to 90, not 100",
        ),
        (SplitType.EXACT, [SplitEntry(1, Decimal(5)), SplitEntry(2, Decimal(4))], "10.00", "add up to 9.00, not"),
        (SplitType.EXACT, [SplitEntry(1, Decimal("9.999")), SplitEntry(2, Decimal(0))], "10.00", "decimal places"),
        (SplitType.EQUAL, [SplitEntry(1), SplitEntry(1)], "10.00", "appears twice"),
        (SplitType.EQUAL, [SplitEntry(1)], "10.005", "decimal places"),
        (SplitType.SHARES, [SplitEntry(1, Decimal(0))], "10.00", "at least one"),
        (SplitType.ADJUSTMENT, [SplitEntry(1, Decimal(20)), SplitEntry(2)], "10.00", "more than the amount"),
        (SplitType.EQUAL, [], "10.00", "at least one participant"),
    ],
)
def test_invalid_splits_are_explained(method, entries, amount, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SplitError, match=message):
        allocate(Decimal(amount), 2, method, entries)


def test_payers() -> None:
    assert allocate_payers(Decimal("20.00"), 2, [SplitEntry(4)]) == {4: Decimal("20.00")}
    both = allocate_payers(Decimal("20.00"), 2, [SplitEntry(4, Decimal("15")), SplitEntry(5, Decimal("5"))])
    assert both == {4: Decimal("15.00"), 5: Decimal("5.00")}
    with pytest.raises(SplitError, match="add up to"):
        allocate_payers(Decimal("20.00"), 2, [SplitEntry(4, Decimal("15")), SplitEntry(5, Decimal("4"))])


places_st = st.sampled_from([0, 2, 3])


@st.composite
def split_cases(draw):  # type: ignore[no-untyped-def]
    places = draw(places_st)
    units = draw(st.integers(min_value=1, max_value=10**9))
    amount = Decimal(units).scaleb(-places)
    people = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=25, unique=True))
    method = draw(st.sampled_from([SplitType.EQUAL, SplitType.PERCENTAGE, SplitType.SHARES, SplitType.ADJUSTMENT]))
    if method == SplitType.EQUAL:
        entries = [SplitEntry(p) for p in people]
    elif method == SplitType.SHARES:
        entries = [SplitEntry(p, Decimal(draw(st.integers(1, 1000))) / 4) for p in people]
    elif method == SplitType.PERCENTAGE:
        cuts = sorted(draw(st.lists(st.integers(0, 1_000_000), min_size=len(people) - 1, max_size=len(people) - 1)))
        bounds = [0, *cuts, 1_000_000]
        entries = [SplitEntry(p, Decimal(bounds[i + 1] - bounds[i]) / 10_000) for i, p in enumerate(people)]
    else:
        adjustments = [draw(st.integers(0, units // (2 * len(people)))) for _ in people]
        entries = [SplitEntry(p, Decimal(a).scaleb(-places)) for p, a in zip(people, adjustments, strict=True)]
    return amount, places, method, entries


@settings(max_examples=400, deadline=None)
@given(split_cases())
def test_shares_always_sum_to_the_amount(case) -> None:  # type: ignore[no-untyped-def]
    amount, places, method, entries = case
    try:
        shares = allocate(amount, places, method, entries)
    except SplitError as error:
        assert (method == SplitType.PERCENTAGE and "not 100" in str(error)) or "positive weights" in str(error)
        return
    assert sum(share.amount for share in shares) == amount
    assert all(share.amount > 0 and share.amount.as_tuple().exponent == -places for share in shares)
    if method == SplitType.EQUAL:
        assert max(s.amount for s in shares) - min(s.amount for s in shares) <= Decimal(1).scaleb(-places)
