"""The system chat parser: the corpus accuracy floors, and the rules one at a time."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.models.enums import DateFormat
from app.services.chat.parser import Person, parse
from tests.chat_corpus import DEVELOPMENT, HOLDOUT, evaluate, load_context


@pytest.mark.parametrize("corpus", [DEVELOPMENT, HOLDOUT])
def test_corpus_accuracy(corpus):
    report = evaluate(corpus)
    failures = "\n".join(f"{message!r}: {wrong}" for message, wrong, _ in report.failures)
    assert report.cases >= (200 if corpus == DEVELOPMENT else 40)
    assert report.core_rate >= 0.97, failures
    assert report.all_rate >= 0.90, failures


@pytest.fixture(scope="module")
def context():
    return load_context()


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$50 x", "50.00", "USD"),
        ("50$ x", "50.00", "USD"),
        ("50 usd x", "50.00", "USD"),
        ("USD 50 x", "50.00", "USD"),
        ("€12,50 x", "12.50", "EUR"),
        ("12.50 EUR x", "12.50", "EUR"),
        ("₹1,200 x", "1200.00", "INR"),
        ("1,234.56 x", "1234.56", "USD"),
        ("1.234,56 x", "1234.56", "USD"),
        ("1.2k x", "1200.00", "USD"),
        ("50 bucks x", "50.00", "USD"),
        ("1000 JPY x", "1000", "JPY"),
        ("0.750 KWD x", "0.750", "KWD"),
    ],
)
def test_amount_formats(context, text, amount, currency):
    result = parse(text, context)
    assert (str(result.amount), result.currency) == (amount, currency)


def test_a_dollar_sign_follows_the_users_own_dollar(context):
    canadian = dataclasses.replace(context, preferred_currency="CAD")
    assert parse("$20 lunch", canadian).currency == "CAD"
    assert parse("$20 lunch", dataclasses.replace(context, preferred_currency="EUR")).currency == "USD"
    assert parse("20 lunch", dataclasses.replace(context, preferred_currency="EUR")).currency == "EUR"


def test_numeric_dates_follow_the_date_format_preference(context):
    month_first = dataclasses.replace(context, date_format=DateFormat.MONTH_FIRST)
    day_first = dataclasses.replace(context, date_format=DateFormat.DAY_FIRST)
    assert parse("lunch 10 on 3/4", month_first).expense_date == date(2026, 3, 4)
    assert parse("lunch 10 on 3/4", day_first).expense_date == date(2026, 4, 3)
    assert parse("lunch 10 on 25/4", month_first).expense_date == date(2026, 4, 25)  # 25 cannot be a month


def test_dates_are_never_in_the_future(context):
    assert parse("lunch 10 on 12/24", context).expense_date == date(2025, 12, 24)  # no year: the last one
    result = parse("lunch 10 on 2027-01-05", context)
    assert result.expense_date == context.today
    assert any("future" in warning for warning in result.warnings)


def test_an_ambiguous_name_is_left_for_the_user_to_pick(context):
    directory = dataclasses.replace(
        context.directory, people=[*context.directory.people, Person(20, "johnny", "John", "Doe")]
    )
    result = parse("@john 20 lunch", dataclasses.replace(context, directory=directory))
    assert result.mentions[0].user_id is None
    assert result.split.participants == [context.user_id]
    assert any("could be" in warning for warning in result.warnings)


def test_unknown_names_and_missing_amounts_lower_the_confidence(context):
    good = parse("@john $50 lunch at pizza place", context)
    assert good.confidence >= 0.9 and good.warnings == []
    unknown = parse("@nobody $50 lunch", context)
    assert unknown.mentions[0].user_id is None and unknown.confidence < good.confidence
    assert any("@nobody" in warning for warning in unknown.warnings)
    no_amount = parse("lunch with @john", context)
    assert no_amount.amount is None and no_amount.confidence <= 0.3


def test_amounts_are_exact_decimals(context):
    assert parse("0.1k tip", context).amount == Decimal("100.00")
    rounded = parse("$19.9999 x", context)
    assert rounded.amount == Decimal("20.00") and "rounded" in rounded.warnings[0]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
@example("100000000000000000000000000")  # more digits than Decimal's context: quantize used to raise
def test_any_text_parses_without_an_error(text):
    result = parse(text, load_context())
    assert result.amount is None or result.amount > 0
    assert result.split.participants


def test_a_number_too_large_for_an_expense_is_not_an_amount(context):
    result = parse("100000000000 dinner", context)
    assert result.amount is None
    assert any("larger than any expense" in warning for warning in result.warnings)
    assert parse("99999999999 dinner", context).amount == Decimal("99999999999.00")
