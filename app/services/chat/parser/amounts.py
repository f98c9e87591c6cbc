"""Amounts as people type them, and the currency they are in.

`$50`, `50$`, `50 usd`, `USD 50`, `€12,50`, `12.50 EUR`, `₹1,200`, `1,234.56`, `1.234,56`, `1,00,000`,
`1.2k`, `50 bucks`. Separators are read from the number itself: with both '.' and ',' the last one is the
decimal mark; a lone separator followed by exactly three digits groups thousands, otherwise it is the
decimal mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Symbols (longest first in the pattern), and what each means. '$' and friends are resolved later.
SYMBOLS: dict[str, str] = {
    "US$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD",
    "S$": "SGD", "R$": "BRL", "MX$": "MXN", "$": "$", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
    "₩": "KRW", "₽": "RUB", "₺": "TRY", "₱": "PHP", "₫": "VND", "฿": "THB", "₪": "ILS", "₦": "NGN",
    "zł": "PLN", "Rs.": "INR", "Rs": "INR", "rs.": "INR", "rs": "INR", "Kč": "CZK",
}  # fmt: skip
# Words people write after (or before) a number. "$" means "the dollar the user most likely means".
WORDS: dict[str, str] = {
    "dollar": "$", "dollars": "$", "buck": "$", "bucks": "$", "usd": "USD", "euro": "EUR", "euros": "EUR",
    "eur": "EUR", "pound": "GBP", "pounds": "GBP", "quid": "GBP", "gbp": "GBP", "rupee": "INR",
    "rupees": "INR", "inr": "INR", "yen": "JPY", "jpy": "JPY", "yuan": "CNY", "rmb": "CNY", "cny": "CNY",
    "franc": "CHF", "francs": "CHF", "chf": "CHF", "won": "KRW", "baht": "THB", "dirham": "AED",
    "dirhams": "AED", "aed": "AED", "riyal": "SAR", "riyals": "SAR", "reais": "BRL", "lira": "TRY",
    "zloty": "PLN", "ringgit": "MYR", "rand": "ZAR", "pesos": "MXN", "peso": "MXN", "cad": "CAD",
    "aud": "AUD", "sgd": "SGD", "nzd": "NZD", "hkd": "HKD", "sek": "SEK", "nok": "NOK", "dkk": "DKK",
    "mxn": "MXN", "brl": "BRL", "zar": "ZAR", "pln": "PLN", "czk": "CZK", "huf": "HUF", "thb": "THB",
    "php": "PHP", "idr": "IDR", "myr": "MYR", "krw": "KRW", "kwd": "KWD", "bhd": "BHD", "sar": "SAR",
}  # fmt: skip
DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "JMD", "TTD", "BSD", "FJD", "LRD"})
RUPEES = frozenset({"INR", "PKR", "LKR", "NPR", "MUR", "SCR"})
PESOS = frozenset({"MXN", "PHP", "ARS", "CLP", "COP", "UYU", "DOP", "CUP"})
KRONE = frozenset({"SEK", "NOK", "DKK", "ISK"})

_SYMBOL = "|".join(re.escape(symbol) for symbol in sorted(SYMBOLS, key=len, reverse=True))
_NUMBER = r"\d+(?:[.,'\u202f]\d+)*|\.\d{1,2}"
_SCALE = r"(?:\s?(?P<scale>[kK]|mil)\b)?"
# A currency symbol, word or code right after the number ("45eur" too); upper-case codes are checked later.
# Otherwise the number must end there: not "2nd", "3/14" or "7:30".
_AFTER = r"(?:\s?(?P<after_symbol>" + _SYMBOL + r"|kr)|\s?(?P<after_word>[A-Za-z]{3,8})\b|(?![\w/:]))"
AMOUNT = re.compile(
    r"(?<![\w.,/:#@-])"
    r"(?:(?P<before_code>[A-Z]{3})\s?|(?P<before_symbol>" + _SYMBOL + r")\s?)?"
    r"(?P<number>" + _NUMBER + r")" + _SCALE + _AFTER,
)


# Expense amounts hold 11 integer digits (expenses.amount is NUMERIC(19, 4), requests allow 15 digits
# with 4 decimals); anything from here up is not a price but a typo or a pasted number.
TOO_LARGE = Decimal(10) ** 11


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str | None  # None: not written; "$": some dollar
    start: int
    end: int
    quantity_like: bool  # "3 beers": more likely a count than a price


def read_number(text: str, places: int = 2) -> Decimal | None:
    """`places` is the currency's: with three (KWD, BHD), "1.500" is one and a half, not fifteen hundred."""
    text = text.replace("'", "").replace("\u202f", "")
    dot, comma = text.rfind("."), text.rfind(",")
    if dot >= 0 and comma >= 0:
        decimal_mark = "." if dot > comma else ","
        grouping = "," if decimal_mark == "." else "."
        text = text.replace(grouping, "").replace(decimal_mark, ".")
    elif dot >= 0 or comma >= 0:
        mark = "." if dot >= 0 else ","
        parts = text.split(mark)
        grouped = len(parts) > 2 or (len(parts[-1]) == 3 and parts[0] not in ("", "0") and places != 3)
        text = text.replace(mark, "") if grouped else text.replace(mark, ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _currency_of(match: re.Match[str], codes: frozenset[str]) -> tuple[str | None, int]:
    """The currency written beside the number, and where the amount ends once a trailing word is taken."""
    end = match.end("number") if match.group("scale") is None else match.end("scale")
    if (code := match.group("before_code")) and code in codes:
        return code, end
    if symbol := match.group("before_symbol"):
        return SYMBOLS[symbol], end
    if symbol := match.group("after_symbol"):
        return (SYMBOLS.get(symbol) or "kr"), match.end("after_symbol")
    word = match.group("after_word")
    if word:
        if word.lower() in WORDS:
            return WORDS[word.lower()], match.end("after_word")
        if word.isupper() and word in codes:
            return word, match.end("after_word")
    return None, end


def find_amounts(text: str, places: dict[str, int]) -> list[Amount]:
    found = []
    codes = frozenset(places)
    for match in AMOUNT.finditer(text):
        currency, end = _currency_of(match, codes)
        value = read_number(match.group("number"), places.get(currency or "", 2))
        if value is None:
            continue
        if match.group("scale"):
            value *= 1000 if match.group("scale").lower() == "k" else 1_000_000
        start = match.start("number")
        if match.group("before_code") and currency == match.group("before_code"):
            start = match.start("before_code")
        elif match.group("before_symbol"):
            start = match.start("before_symbol")
        word = match.group("after_word")
        quantity_like = currency is None and bool(word) and word.lower() not in _NOT_A_THING
        found.append(Amount(value.normalize() if value == value.to_integral() else value, currency, start, end,
                            quantity_like))  # fmt: skip
    return found


# Words that may follow a price without making the number a count ("50 for lunch", "20 at the bar").
_NOT_A_THING = frozenset(
    [
        "for",
        "at",
        "on",
        "in",
        "to",
        "with",
        "from",
        "by",
        "and",
        "or",
        "each",
        "total",
        "tip",
        "including",
        "incl",
        "paid",
        "split",
        "between",
        "among",
        "the",
        "a",
        "an",
        "yesterday",
        "today",
        "tonight",
        "last",
        "this",
        "ago",
    ]
)


def resolve_currency(written: str | None, preferred: str, codes: frozenset[str]) -> str | None:
    """'$' means the caller's own dollar when they use one, US dollars otherwise; the same for rupees,
    pesos and 'kr'. A currency this server does not know is None."""
    if written is None:
        return None
    if written == "$":
        return preferred if preferred in DOLLARS else "USD"
    if written == "kr":
        return preferred if preferred in KRONE else "SEK"
    if written == "INR" and preferred in RUPEES:
        return preferred
    if written == "MXN" and preferred in PESOS:
        return preferred
    if written == "JPY" and preferred == "CNY":
        return "CNY"
    return written if not codes or written in codes else None
