"""Fewest transfers that clear a set of balances (in whole minor units of one currency).

A balance is positive for someone who is owed, negative for someone who owes; they sum to zero. If the
people can be split into k groups that each sum to zero, k groups settle with n - k transfers, and no
plan does better, so the minimum is n minus the largest such k.

- People whose balances cancel exactly (+x and -x) are paired first: some optimal plan always pays
  them to each other (if they sat in different zero-sum groups A+x and B-x, then {x, -x} and A+B are
  two zero-sum groups too).
- Up to EXACT_LIMIT people remain: every zero-sum subset is found by meet in the middle (two halves of
  at most 2^10 sums each), then the partition into the most of them by a memoised search that treats
  equal balances as interchangeable. Exact, unless a crafted input needs more than SEARCH_BUDGET
  states, when it falls back to the greedy pairing below.
- Above that: largest debtor pays largest creditor, repeatedly (at most n - 1 transfers; not always
  the minimum).
Inside each zero-sum group the same greedy pairing needs at most (group size - 1) transfers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

EXACT_LIMIT = 20


@dataclass(frozen=True, order=True)
class Transfer:
    from_user_id: int
    to_user_id: int
    units: int


def settle(balances: Mapping[int, int]) -> list[Transfer]:
    """Transfers that bring every balance to zero, as few as possible (see the module docstring)."""
    if sum(balances.values()) != 0:
        raise ValueError("balances must sum to zero")
    return list(_settle(tuple(sorted((user, units) for user, units in balances.items() if units))))


# Balances change far less often than people look at the plan: the same balances give the same plan.
@lru_cache(maxsize=1024)
def _settle(balances: tuple[tuple[int, int], ...]) -> tuple[Transfer, ...]:
    open_balances = dict(balances)
    transfers = _pair_opposites(open_balances)
    people = sorted(open_balances, key=lambda user: (open_balances[user], user))
    if len(people) <= EXACT_LIMIT:
        groups = _largest_zero_sum_partition([open_balances[user] for user in people])
        for group in groups:
            transfers += _greedy({people[index]: open_balances[people[index]] for index in group})
    else:
        transfers += _greedy(open_balances)
    return tuple(transfers)


def _pair_opposites(balances: dict[int, int]) -> list[Transfer]:
    """Settle +x/-x pairs directly and remove them from `balances`."""
    by_amount: dict[int, list[int]] = defaultdict(list)
    for user in sorted(balances):
        by_amount[balances[user]].append(user)
    transfers = []
    for amount in sorted(a for a in by_amount if a > 0):
        creditors, debtors = by_amount[amount], by_amount.get(-amount, [])
        while creditors and debtors:
            creditor, debtor = creditors.pop(0), debtors.pop(0)
            transfers.append(Transfer(debtor, creditor, amount))
            del balances[creditor], balances[debtor]
    return transfers


def _greedy(balances: Mapping[int, int]) -> list[Transfer]:
    debtors = sorted(((-units, user) for user, units in balances.items() if units < 0), reverse=True)
    creditors = sorted(((units, user) for user, units in balances.items() if units > 0), reverse=True)
    transfers = []
    while debtors and creditors:
        owe, debtor = debtors[0]
        due, creditor = creditors[0]
        paid = min(owe, due)
        transfers.append(Transfer(debtor, creditor, paid))
        debtors[0], creditors[0] = (owe - paid, debtor), (due - paid, creditor)
        if owe == paid:
            debtors.pop(0)
        if due == paid:
            creditors.pop(0)
        debtors.sort(reverse=True)
        creditors.sort(reverse=True)
    return transfers


def _zero_sum_masks(values: list[int]) -> list[int]:
    """Every non-empty subset (as a bit mask) whose values sum to zero, by meet in the middle."""
    half = len(values) // 2
    left, right = values[:half], values[half:]
    left_sums: dict[int, list[int]] = defaultdict(list)
    for mask, total in _subset_sums(left):
        left_sums[total].append(mask)
    found = []
    for mask, total in _subset_sums(right):
        for left_mask in left_sums.get(-total, ()):
            combined = left_mask | (mask << half)
            if combined:
                found.append(combined)
    return found


def _subset_sums(values: list[int]) -> list[tuple[int, int]]:
    sums = [0] * (1 << len(values))
    for index, value in enumerate(values):
        bit = 1 << index
        for mask in range(bit):
            sums[mask | bit] = sums[mask] + value
    return list(enumerate(sums))


class _SearchTooLarge(Exception):
    pass


SEARCH_BUDGET = 50_000  # distinct states; far above what real groups need, a guard against crafted ones


def _largest_zero_sum_partition(values: list[int]) -> list[list[int]]:
    """Indices of `values` split into the most groups that each sum to zero.

    A partition is built by always placing the lowest person not yet placed, so only zero-sum subsets
    holding that person are tried. People with equal balances are interchangeable: states and choices
    are compared by the multiset of balances, not by who holds them, which keeps groups with many equal
    balances (the common case: equal splits) small. Beyond SEARCH_BUDGET states it gives up and the
    whole set is one group (greedy pairing: n - 1 transfers at most).
    """
    if not values:
        return []
    everyone = (1 << len(values)) - 1
    by_lowest: dict[int, list[int]] = defaultdict(list)
    for mask in _zero_sum_masks(values):
        by_lowest[(mask & -mask).bit_length() - 1].append(mask)
    for masks in by_lowest.values():
        masks.sort(key=int.bit_count)  # small groups first: they leave room for more groups

    def signature(mask: int) -> tuple[int, ...]:
        return tuple(sorted(values[index] for index in range(len(values)) if mask >> index & 1))

    def choices(remaining: int) -> list[int]:
        lowest = (remaining & -remaining).bit_length() - 1
        seen: set[tuple[int, ...]] = set()
        found = []
        for mask in by_lowest[lowest]:
            if mask & ~remaining:
                continue
            key = signature(mask)
            if key not in seen:
                seen.add(key)
                found.append(mask)
        return found

    memo: dict[tuple[int, ...], int] = {}

    def most_groups(remaining: int) -> int:
        if not remaining:
            return 0
        key = signature(remaining)
        if key in memo:
            return memo[key]
        if len(memo) >= SEARCH_BUDGET:
            raise _SearchTooLarge
        best = 1  # the remaining people always sum to zero: one group at least
        limit = remaining.bit_count() // 2  # every group has 2+ people
        for mask in choices(remaining):
            if mask != remaining:
                best = max(best, 1 + most_groups(remaining & ~mask))
            if best >= limit:
                break
        memo[key] = best
        return best

    try:
        target = most_groups(everyone)
        groups = []
        remaining = everyone
        while remaining:
            for mask in choices(remaining):
                rest = remaining & ~mask
                if mask == remaining or 1 + most_groups(rest) == target:
                    groups.append([index for index in range(len(values)) if mask >> index & 1])
                    remaining, target = rest, target - 1
                    break
    except _SearchTooLarge:
        return [list(range(len(values)))]
    return groups
