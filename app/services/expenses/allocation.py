"""Splitting an amount into exact shares, in the currency's minor units.

One function, `allocate`, for every split method. Amounts are whole minor units (cents, yen, fils)
while splitting, so shares always add up to the amount. When a split does not divide evenly, the
leftover units go one each to the participants with the largest remainders (largest-remainder /
Hamilton method). Tie-break, documented and deterministic: a larger remainder first, then a larger
weight, then the smaller user id; so the same split always gives the same cents to the same people,
whatever order the client listed them in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.models.enums import SplitType

HUNDRED = Decimal(100)


class SplitError(ValueError):
    """The split cannot be applied; the message is a sentence for the user."""


@dataclass(frozen=True)
class SplitEntry:
    """One participant and, depending on the method, their amount, percentage, share count or adjustment."""

    user_id: int
    value: Decimal | None = None


@dataclass(frozen=True)
class Share:
    user_id: int
    amount: Decimal
    split_value: Decimal  # what the share was computed from: percentage, share count, exact amount, adjustment


def to_units(amount: Decimal, places: int, *, what: str = "The amount") -> int:
    """Whole minor units of `amount`; refuses more decimals than the currency has."""
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise SplitError(f"{what} {amount} has more than {places} decimal places for this currency.")
    return int(scaled)


def from_units(units: int, places: int) -> Decimal:
    return Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def whole_weights(values: Sequence[Decimal | int]) -> list[int]:
    """The same proportions as whole numbers (all scaled by one power of ten): integer arithmetic stays exact
    and several times cheaper than Fraction's."""
    places = max([0] + [-int(Decimal(value).as_tuple().exponent) for value in values])
    return [int(Decimal(value).scaleb(places)) for value in values]


def largest_remainder(total: int, weights: Sequence[tuple[int, Decimal | int]]) -> dict[int, int]:
    """Split `total` units in proportion to the weights (user id, weight > 0); sums exactly to `total`."""
    scaled = whole_weights([weight for _, weight in weights])
    weight_sum = sum(scaled)
    if weight_sum <= 0:
        raise SplitError("The split has no positive weights.")
    floors: dict[int, int] = {}
    ranking = []
    for (user_id, _), weight in zip(weights, scaled, strict=True):
        # total * weight / weight_sum = floor + remainder / weight_sum: remainders compare as the quotas' parts.
        floors[user_id], remainder = divmod(total * weight, weight_sum)
        ranking.append((-remainder, -weight, user_id))
    leftover = total - sum(floors.values())
    for _, _, user_id in sorted(ranking)[:leftover]:
        floors[user_id] += 1
    return floors


def allocate(amount: Decimal, places: int, method: SplitType, entries: Sequence[SplitEntry]) -> list[Share]:
    """The shares of `amount` among `entries`; zero shares are left out (a share row is always positive)."""
    if amount <= 0:
        raise SplitError("The amount must be greater than zero.")
    if not entries:
        raise SplitError("The split needs at least one participant.")
    ids = [entry.user_id for entry in entries]
    if len(set(ids)) != len(ids):
        raise SplitError("A participant appears twice in the split.")
    total = to_units(amount, places)
    units, values = _UNITS_BY_METHOD[method](total, places, entries)
    assert sum(units.values()) == total  # the invariant everything else relies on
    return [
        Share(user_id=entry.user_id, amount=from_units(units[entry.user_id], places), split_value=values[entry.user_id])
        for entry in entries
        if units[entry.user_id] > 0
    ]


def _require_values(entries: Sequence[SplitEntry], what: str) -> list[Decimal]:
    missing = [entry.user_id for entry in entries if entry.value is None]
    if missing:
        raise SplitError(f"Give {what} for every participant (missing for user {missing[0]}).")
    return [entry.value for entry in entries]  # type: ignore[misc]


def _equal(total: int, _places: int, entries: Sequence[SplitEntry]) -> tuple[dict[int, int], dict[int, Decimal]]:
    units = largest_remainder(total, [(entry.user_id, 1) for entry in entries])
    return units, {entry.user_id: Decimal(1) for entry in entries}


def _exact(total: int, places: int, entries: Sequence[SplitEntry]) -> tuple[dict[int, int], dict[int, Decimal]]:
    values = _require_values(entries, "an amount")
    units = {}
    for entry, value in zip(entries, values, strict=True):
        if value < 0:
            raise SplitError(f"The amount for user {entry.user_id} cannot be negative.")
        units[entry.user_id] = to_units(value, places, what=f"The amount for user {entry.user_id},")
    given = sum(units.values())
    if given != total:
        raise SplitError(
            f"The exact amounts add up to {from_units(given, places)}, not the expense's {from_units(total, places)}."
        )
    return units, {entry.user_id: value for entry, value in zip(entries, values, strict=True)}


def _percentage(total: int, _places: int, entries: Sequence[SplitEntry]) -> tuple[dict[int, int], dict[int, Decimal]]:
    values = _require_values(entries, "a percentage")
    if any(value < 0 for value in values):
        raise SplitError("Percentages cannot be negative.")
    if sum(values) != HUNDRED:
        raise SplitError(f"The percentages add up to {sum(values)}, not 100.")
    weights = [(entry.user_id, value) for entry, value in zip(entries, values, strict=True) if value > 0]
    units = {entry.user_id: 0 for entry in entries} | largest_remainder(total, weights)
    return units, {entry.user_id: value for entry, value in zip(entries, values, strict=True)}


def _shares(total: int, _places: int, entries: Sequence[SplitEntry]) -> tuple[dict[int, int], dict[int, Decimal]]:
    values = _require_values(entries, "a number of shares")
    if any(value < 0 for value in values) or not any(value > 0 for value in values):
        raise SplitError("Share counts must be zero or more, and at least one must be more than zero.")
    weights = [(entry.user_id, value) for entry, value in zip(entries, values, strict=True) if value > 0]
    units = {entry.user_id: 0 for entry in entries} | largest_remainder(total, weights)
    return units, {entry.user_id: value for entry, value in zip(entries, values, strict=True)}


def _adjustment(total: int, places: int, entries: Sequence[SplitEntry]) -> tuple[dict[int, int], dict[int, Decimal]]:
    """An equal split of what is left after each person's adjustment (+ pays more, - pays less)."""
    adjustments = {
        entry.user_id: to_units(entry.value or Decimal(0), places, what=f"The adjustment for user {entry.user_id},")
        for entry in entries
    }
    rest = total - sum(adjustments.values())
    if rest < 0:
        raise SplitError("The adjustments add up to more than the amount.")
    base = largest_remainder(rest, [(entry.user_id, 1) for entry in entries]) if rest else {}
    units = {user_id: base.get(user_id, 0) + adjustment for user_id, adjustment in adjustments.items()}
    negative = [user_id for user_id, value in units.items() if value < 0]
    if negative:
        raise SplitError(f"The adjustment for user {negative[0]} would make their share negative.")
    return units, {user_id: from_units(adjustment, places) for user_id, adjustment in adjustments.items()}


_UNITS_BY_METHOD = {
    SplitType.EQUAL: _equal,
    SplitType.EXACT: _exact,
    SplitType.PERCENTAGE: _percentage,
    SplitType.SHARES: _shares,
    SplitType.ADJUSTMENT: _adjustment,
}


def allocate_payers(amount: Decimal, places: int, payers: Sequence[SplitEntry]) -> dict[int, Decimal]:
    """Who paid how much: one payer without an amount paid it all; several must add up to the amount."""
    if not payers:
        raise SplitError("Say who paid.")
    if len(payers) == 1 and payers[0].value is None:
        return {payers[0].user_id: amount}
    shares = allocate(amount, places, SplitType.EXACT, payers)
    return {share.user_id: share.amount for share in shares}
