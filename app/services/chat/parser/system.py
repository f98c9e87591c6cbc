"""The system parser: a chat message in, a ParseResult out, in well under a millisecond.

Order matters: classification words and #classification tags, then mentions and the split phrases around
them, then the date, then the amount, each consuming what it understood; the rest is the description.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from app.models.enums import ExpenseClassification, MentionType
from app.services.chat.parser import amounts, dates, keywords
from app.services.chat.parser.context import ParseContext, squash
from app.services.chat.parser.mentions import MENTION, FoundMention, find_mentions
from app.services.chat.parser.text import Message
from app.services.chat.schemas import ParseResult, SplitHint

_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_N = r"(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)"
_WHO = r"@[^\W_](?:[\w.'&+-]*\w)?(?:'s)?"
_THE_BILL = r"(?:\s+(?:it|this|that|the\s+(?:bill|check|tab|cost)))?"
I = re.IGNORECASE  # noqa: E741

SPLIT_WAYS = re.compile(
    r"\bsplit" + _THE_BILL + r"\s+(?P<n>" + _N + r")\s+ways\b"
    r"|\b(?:between|among|amongst|for)\s+(?P<m>" + _N + r")\s+(?:people|persons|ppl|of\s+us)\b",
    I,
)
SPLIT_WITH = re.compile(
    r"\bsplit" + _THE_BILL + r"(?:\s+(?:equally|evenly))?(?:\s+(?:with|between|among|amongst))?(?:\s+me\s+and)?\b"
    r"|\bshared\s+with\b",
    I,
)
PAID_BY = re.compile(r"\b(?:paid|covered|bought)\s+by\s+(?P<who>" + _WHO + r"|me\b)", I)
WHO_PAID = re.compile(r"(?:(?P<who>" + _WHO + r")|\b(?P<me>i|me)\b)\s+(?:paid|covered|picked\s+up|got)"
                      r"(?:\s+(?:for\s+(?:it|this|that)|the\s+(?:bill|check|tab)|it))?\b", I)  # fmt: skip
FOR_WHOM = re.compile(r"\bfor\s+(?P<who>" + _WHO + r"(?:\s*(?:,|\band\b|&)\s*" + _WHO + r")*)", I)
OWES_ME = re.compile(r"(?P<who>" + _WHO + r")\s+owes\s+me\b", I)
I_OWE = re.compile(r"\bi\s+owe\s+(?P<who>" + _WHO + r")", I)
TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}:\d{2}\b", I)

# Words left dangling at either end once the amount, date and mentions are gone ("spent  on groceries").
_EDGE_WORDS = (
    "for|on|at|with|and|to|of|in|by|from|i|me|my|we|paid|pay|spent|spend|bought|got|was|is|about|around|approx|"
    "approximately|just|total|cost|costs|hey|hi|so|ok"
)
_PUNCTUATION = r"[\s\-–—:;,.!?()\[\]\"']+"
_EDGE = re.compile(r"^(?:" + _PUNCTUATION + r"|(?:" + _EDGE_WORDS + r")\b)", I)
_EDGE_END = re.compile(r"(?:" + _PUNCTUATION + r"|\b(?:" + _EDGE_WORDS + r"))$", I)
_KEEP_LEADING = frozenset({"a", "an", "the"})


def _clean(text: str) -> str:
    text = re.sub(r"\s+([,;:.!?])", r"\1", re.sub(r"\s+", " ", text)).strip()
    previous = None
    while text != previous:
        previous = text
        match = _EDGE.match(text)
        if match and match.group(0).lower() not in _KEEP_LEADING:
            text = text[match.end() :].strip()
        text = _EDGE_END.sub("", text).strip()
    return text


def _mentions_in(span: tuple[int, int], mentions: list[FoundMention]) -> list[FoundMention]:
    return [mention for mention in mentions if span[0] <= mention.start < span[1]]


def _classification(message: Message) -> ExpenseClassification:
    found = ExpenseClassification.REGULAR_MONTHLY
    for match in MENTION.finditer(message.rest):
        tagged = keywords.CLASSIFICATION_BY_TAG.get(squash(match.group("name")))
        if match.group("sigil") == "#" and tagged is not None:
            message.consume_match(match)
            found = tagged
    if found != ExpenseClassification.REGULAR_MONTHLY:
        return found
    for classification, pattern, drop in keywords.CLASSIFICATION_PATTERNS:
        match = pattern.search(message.rest)
        if match:
            if drop:
                message.consume_match(match)
            return classification
    return found


def _pick_amount(candidates: list[amounts.Amount], warnings: list[str]) -> amounts.Amount | None:
    if not candidates:
        return None

    def score(amount: amounts.Amount) -> int:
        return (10 if amount.currency else 0) - (5 if amount.quantity_like else 0)

    top = max(score(amount) for amount in candidates)
    tied = [amount for amount in candidates if score(amount) == top]
    chosen = max(tied, key=lambda amount: amount.value)
    if len(tied) > 1:
        others = ", ".join(str(amount.value) for amount in tied if amount is not chosen)
        warnings.append(f"Several amounts in the message; took {chosen.value} (not {others}).")
    return chosen


def parse(text: str, context: ParseContext) -> ParseResult:
    directory, me = context.directory, context.user_id
    warnings: list[str] = []
    message = Message(text)
    classification = _classification(message)
    mentions = find_mentions(message.rest, directory, me, warnings)

    # Split phrases, read while the @names are still in the text.
    payer, owes_all, ways = me, None, None
    payer_only: set[int] = set()  # mentions that only say who paid
    rest = message.rest
    for match in SPLIT_WAYS.finditer(rest):
        word = (match.group("n") or match.group("m")).lower()
        ways = _NUMBERS.get(word) or int(word)
        message.consume_match(match)
    for pattern, role in ((I_OWE, "i_owe"), (OWES_ME, "owes_me"), (PAID_BY, "payer"), (WHO_PAID, "payer"),
                          (FOR_WHOM, "for")):  # fmt: skip
        for match in pattern.finditer(rest):
            named = _mentions_in(match.span("who"), mentions) if match.group("who") else []
            ids = [mention.out.user_id for mention in named if mention.out.type == MentionType.USER]
            if role == "payer":
                payer_only.update(id(mention) for mention in named)
                is_me = bool(match.groupdict().get("me")) or (match.group("who") or "").lower() == "me"
                payer = me if is_me else (ids[0] if ids and ids[0] is not None else payer)
            elif role == "i_owe" and ids and ids[0] is not None:
                payer, owes_all = ids[0], [me]
            elif (role == "owes_me" and ids) or (role == "for" and ids and owes_all is None):
                owes_all = [i for i in ids if i is not None]
            message.consume_match(match)
    for match in SPLIT_WITH.finditer(message.rest):
        message.consume_match(match)
    for mention in mentions:
        message.consume(mention.start, mention.end)

    for match in TIME.finditer(message.rest):
        message.consume_match(match)
    found_date = dates.find_date(message, context.today, context.date_format, context.locale)
    if found_date is not None and found_date.in_future:
        warnings.append("That date is in the future; today was used.")

    group_mentions = [mention.group for mention in mentions if mention.group is not None]
    group = group_mentions[0] if group_mentions else directory.group(context.group_id)

    candidates = amounts.find_amounts(message.rest, context.currency_places)
    chosen = _pick_amount(candidates, warnings)
    amount, currency, currency_written = None, None, False
    if chosen is not None:
        message.consume(chosen.start, chosen.end)
        currency = amounts.resolve_currency(chosen.currency, context.preferred_currency,
                                            frozenset(context.currency_places))  # fmt: skip
        currency_written = currency is not None
        if chosen.currency is not None and currency is None:
            warnings.append("That currency is not available here; the default was used.")
        amount = chosen.value
    currency = currency or (group.currency if group else context.preferred_currency)
    if amount is not None and amount >= amounts.TOO_LARGE:
        warnings.append(f"{amount} is larger than any expense can be.")
        amount = None
    elif amount is not None:
        places = context.currency_places.get(currency, 2)
        rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if rounded != amount:
            warnings.append(f"{amount} has more decimals than {currency} uses; rounded to {rounded}.")
        amount = rounded
        if amount <= 0:
            warnings.append("The amount must be more than zero.")
            amount = None
    elif chosen is None:
        warnings.append("No amount found.")

    # Who shares it.
    people = [m.out.user_id for m in mentions if m.out.type == MentionType.USER and m.out.user_id is not None
              and (group is None or id(m) not in payer_only)]  # fmt: skip
    if owes_all:
        participants = list(dict.fromkeys(owes_all))
    elif people:
        participants = list(dict.fromkeys([me, *people]))
    elif group is not None:
        participants = sorted(group.member_ids)
    else:
        participants = list(dict.fromkeys([me, payer]))
    if ways is not None and ways != len(participants):
        warnings.append(f"The message says {ways} ways, but {len(participants)} people are named.")
    if group is not None:
        outside = [m.out.text for m in mentions if m.out.user_id is not None and m.out.user_id != me
                   and m.out.user_id not in group.member_ids]  # fmt: skip
        if outside:
            warnings.append(f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not in {group.name}.")

    # Category and tags.
    category = next((m for m in mentions if m.out.type == MentionType.CATEGORY), None)
    description = _clean(message.rest)
    category_slug = category.out.name if category else keywords.category_for(description)
    known = directory.categories_by_slug.get(category_slug) if category_slug else None
    if category is None and known is None:
        category_slug = None
    tags = list(dict.fromkeys(m.out.name for m in mentions if m.out.type == MentionType.TAG and m.out.name))

    score = 0.2 + (0.45 if amount is not None else 0) + (0.1 if currency_written else 0.05)
    score += (0.15 if description else 0) + (0.1 if category_slug else 0)
    score -= 0.1 * sum(1 for w in warnings if "new tag" not in w)
    if amount is None:
        score = min(score, 0.3)
    return ParseResult(
        amount=amount,
        currency=currency,
        description=description,
        category=category_slug,
        category_id=category.out.category_id if category else (known.id if known else None),
        expense_date=found_date.value if found_date else context.today,
        group_id=group.id if group else None,
        mentions=[mention.out for mention in mentions],
        tags=tags,
        split=SplitHint(participants=participants, paid_by=payer, ways=ways),
        expense_classification=classification,
        confidence=round(max(0.0, min(score, 0.99)), 2),
        warnings=warnings,
    )
