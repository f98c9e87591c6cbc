"""The system budget templates seeded into `budget_templates`: shares of income by default category
slug (system categories have the same slugs everywhere; their ids differ per installation), plus what
the template sets aside as savings, which is not spending and stays out of the budget itself.

Percentages are strings, like every number we keep in JSON.
"""

from __future__ import annotations

from typing import Any

SAVINGS = "savings"  # the allocation key of what is set aside, not spent


def _template(name: str, description: str, shares: dict[str, str], income: tuple[int, int | None, str],
              tags: list[str]) -> dict[str, Any]:  # fmt: skip
    low, high, currency = income
    return {
        "name": name,
        "description": description,
        "category_allocations": {key: {"percentage": value} for key, value in shares.items()},
        "target_income_range": {"min": low, "max": high, "currency": currency},
        "location_tags": tags,
    }


SYSTEM_TEMPLATES: list[dict[str, Any]] = [
    # Seed 002's example, with its Food share split between groceries and eating out.
    _template(
        "Urban Professional (50-75k/year)",
        "For urban professionals earning $50k-75k a year: housing near work, some eating out, steady saving.",
        {
            "housing": "30",
            "transport": "15",
            "groceries": "8",
            "food-dining": "4",
            "utilities": "8",
            "health": "10",
            "entertainment": "5",
            "other": "5",
            SAVINGS: "15",
        },
        (50_000, 75_000, "USD"),
        ["urban", "mid_cost", "professional"],
    ),
    _template(
        "50/30/20 rule",
        "Half of take-home pay on needs, 30% on wants, 20% saved (Elizabeth Warren's rule of thumb).",
        {
            "housing": "25",
            "utilities": "7",
            "groceries": "10",
            "transport": "8",
            "food-dining": "10",
            "entertainment": "8",
            "shopping": "7",
            "travel": "5",
            SAVINGS: "20",
        },
        (0, None, "USD"),
        ["general"],
    ),
    _template(
        "Student on a tight budget",
        "For students living on a grant, a loan or part-time work: shared housing, cooking at home.",
        {
            "housing": "40",
            "groceries": "18",
            "transport": "8",
            "education": "10",
            "food-dining": "6",
            "entertainment": "6",
            "utilities": "5",
            "other": "5",
            SAVINGS: "2",
        },
        (0, 20_000, "USD"),
        ["student", "low_income"],
    ),
    _template(
        "Family with children",
        "For a household with children: more on groceries, health and education, a little on eating out.",
        {
            "housing": "28",
            "groceries": "16",
            "transport": "12",
            "utilities": "8",
            "health": "8",
            "education": "8",
            "shopping": "5",
            "entertainment": "4",
            "food-dining": "3",
            SAVINGS: "8",
        },
        (60_000, 150_000, "USD"),
        ["family", "suburban"],
    ),
    _template(
        "High cost of living city",
        "For expensive cities (London, New York, San Francisco, Zurich): rent takes the largest share.",
        {
            "housing": "38",
            "transport": "8",
            "groceries": "10",
            "food-dining": "8",
            "utilities": "6",
            "health": "6",
            "entertainment": "6",
            "other": "4",
            SAVINGS: "14",
        },
        (80_000, 200_000, "USD"),
        ["urban", "high_cost"],
    ),
    _template(
        "Rural or small town",
        "Lower housing costs, a car for every trip, more cooking at home.",
        {
            "housing": "22",
            "transport": "18",
            "groceries": "14",
            "utilities": "9",
            "health": "9",
            "food-dining": "4",
            "entertainment": "5",
            "other": "5",
            SAVINGS: "14",
        },
        (30_000, 80_000, "USD"),
        ["rural", "low_cost"],
    ),
    _template(
        "India metro salaried (₹6-12 lakh/year)",
        "For salaried professionals in an Indian metro: rent, commuting, groceries, family support and saving.",
        {
            "housing": "25",
            "transport": "10",
            "groceries": "15",
            "food-dining": "6",
            "utilities": "6",
            "health": "6",
            "gifts-charity": "7",
            "entertainment": "5",
            SAVINGS: "20",
        },
        (600_000, 1_200_000, "INR"),
        ["urban", "india", "professional"],
    ),
    _template(
        "Retired on a fixed income",
        "A pension or savings income: health and housing first, modest travel.",
        {
            "housing": "30",
            "health": "16",
            "groceries": "14",
            "utilities": "10",
            "transport": "8",
            "travel": "6",
            "gifts-charity": "5",
            "entertainment": "5",
            SAVINGS: "6",
        },
        (20_000, 60_000, "USD"),
        ["retired", "fixed_income"],
    ),
]
