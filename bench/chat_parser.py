"""The system chat parser against the corpus in tests/data: accuracy per field and time per message.

No server is needed: the parser is pure Python. Prints the development corpus (what the parser was
written against) and the held-out one (written afterwards, never tuned for) separately.
"""

from __future__ import annotations

import argparse

from tests.chat_corpus import CORE_FIELDS, DEVELOPMENT, HOLDOUT, evaluate


async def run(args: argparse.Namespace) -> None:
    for name in (DEVELOPMENT, HOLDOUT):
        report = evaluate(name, repeat=args.repeat)
        print(f"{name}: {report.cases} messages, {report.microseconds_per_message:.0f} µs per message")
        print(f"  amount, currency and mentions right: {report.core_rate:.1%} (target 97%)")
        print(f"  every field right: {report.all_rate:.1%} (target 90%)")
        fields = ", ".join(f"{field} {right / report.cases:.1%}" for field, right in report.by_field.items())
        print(f"  per field: {fields}")
        for message, wrong, _ in report.failures if args.show_failures else []:
            marker = "CORE " if set(wrong) & set(CORE_FIELDS) else ""
            print(f"  {marker}wrong {', '.join(wrong)}: {message!r}")
