"""Statement PDFs written with PyMuPDF for the tests and the benchmark, in several bank layouts.

Each generator returns (pdf bytes, the rows it printed as (date, description, signed amount)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pymupdf

FONT = 9
ROW_HEIGHT = 14


@dataclass
class Printed:
    booked_on: date
    description: str
    amount: Decimal
    page: int = 1
    amount_text: str = ""  # as printed (layouts that need it: the AI tests answer from it)
    balance: Decimal | None = None


class Writer:
    def __init__(self) -> None:
        self.document = pymupdf.open()
        self.page: pymupdf.Page | None = None
        self.y = 0.0

    def new_page(self, header: list[tuple[float, str, bool]], title: str, number: int) -> None:
        self.page = self.document.new_page(width=595, height=842)
        self.text(50, 40, title)
        self.text(50, 52, "Customer care 0800 123 456 · www.examplebank.test")
        self.page.insert_text((560, 400), "ExampleBank statement copy", fontsize=7, rotate=90)  # side margin
        self.text(480, 820, f"Page {number}")
        self.text(50, 820, "ExampleBank plc, registered in England 0123456")
        self.y = 100
        self.row(header)

    def text(self, x: float, y: float, value: str, right: bool = False) -> None:
        assert self.page is not None
        if right:
            x -= pymupdf.get_text_length(value, fontsize=FONT)
        self.page.insert_text((x, y), value, fontsize=FONT)

    def row(self, cells: list[tuple[float, str, bool]]) -> None:
        for x, value, right in cells:
            if value:
                self.text(x, self.y, value, right)
        self.y += ROW_HEIGHT

    def bytes(self, **save: object) -> bytes:
        return self.document.tobytes(**save)


def money(value: Decimal, european: bool = False) -> str:
    text = f"{abs(value):,.2f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".") if european else text


def bank_statement(start: date, days: int, opening: Decimal = Decimal("1200.00"), rows_per_page: int = 40,
                   date_format: str = "%d %b", **save: object) -> tuple[bytes, list[Printed]]:  # fmt: skip
    """Separate Paid out / Paid in columns and a running balance; dates without a year ('14 Dec'), a
    description that wraps onto a second line now and then, the heading repeated on each page."""
    header = [(50, "Date", False), (110, "Description", False), (380, "Paid out", True), (460, "Paid in", True),
              (540, "Balance", True)]  # fmt: skip
    writer, printed, balance, page = Writer(), [], opening, 1
    end = start + timedelta(days=days - 1)
    title = f"Current account 1234 5678 · statement period {start:%d %b %Y} to {end:%d %b %Y}"
    writer.new_page(header, title, page)
    writer.row([(110, "Balance brought forward", False), (540, money(opening), True)])
    count = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        entries: list[tuple[str, Decimal, str | None]] = [("CARD PAYMENT TO CORNER SHOP", Decimal("-7.45"), None)]
        if day.day == 1:
            entries.append(("SALARY ACME LTD", Decimal("2500.00"), None))
        if offset % 5 == 0:
            entries.append(("DIRECT DEBIT TO LONDON ENERGY", Decimal("-64.10"), "REF 99812 MONTHLY PLAN"))
        for text, amount, second_line in entries:
            if count and count % rows_per_page == 0:
                page += 1
                writer.new_page(header, title, page)
            balance += amount
            out, into = (money(amount), "") if amount < 0 else ("", money(amount))
            writer.row([(50, day.strftime(date_format), False), (110, text, False), (380, out, True),
                        (460, into, True), (540, money(balance), True)])  # fmt: skip
            if second_line:
                writer.row([(110, second_line, False)])
            printed.append(Printed(day, f"{text} {second_line}" if second_line else text, amount))
            count += 1
    writer.row([(110, "Balance carried forward", False), (540, money(balance), True)])
    return writer.bytes(**save), printed


def european_statement(start: date, days: int) -> tuple[bytes, list[Printed]]:
    """One signed amount column in European notation ('-1.234,56'), dates as DD.MM.YYYY, opening and
    closing balances as fields."""
    header = [(50, "Datum", False), (50, "Date", False), (130, "Beschreibung", False), (130, "Description", False),
              (520, "Amount", True)]  # fmt: skip
    writer, printed = Writer(), []
    writer.new_page([(x, t, r) for x, t, r in header if t in ("Date", "Description", "Amount")], "Kontoauszug", 1)
    opening = Decimal("5000.00")
    writer.row([(130, "Opening balance", False), (520, money(opening, True), True)])
    total = Decimal(0)
    for offset in range(days):
        day = start + timedelta(days=offset)
        amount = Decimal("-1234.56") if offset % 7 == 0 else Decimal("150.25")
        sign = "-" if amount < 0 else ""
        writer.row([(50, f"{day:%d.%m.%Y}", False), (130, f"Umsatz {offset + 1}", False),
                    (520, sign + money(amount, True), True)])  # fmt: skip
        printed.append(Printed(day, f"Umsatz {offset + 1}", amount))
        total += amount
    writer.row([(130, "Closing balance", False), (520, money(opening + total, True), True)])
    return writer.bytes(), printed


def card_statement(start: date, days: int) -> tuple[bytes, list[Printed]]:
    """A credit-card statement: charges as plain amounts, the payment and refunds marked CR, dates as
    DD/MM without a year, previous and new balance (what is owed)."""
    writer, printed = Writer(), []
    writer.new_page([(50, "Date", False), (110, "Transaction details", False), (520, "Amount", True)], "Visa 4242", 1)
    previous = Decimal("300.00")
    writer.row([(110, "Previous balance", False), (520, money(previous), True)])
    owed = previous
    for offset in range(days):
        day = start + timedelta(days=offset)
        if offset == 0:
            amount, text = previous, "PAYMENT RECEIVED THANK YOU"
        elif offset % 9 == 0:
            amount, text = Decimal("12.00"), "REFUND ONLINE STORE"
        else:
            amount, text = Decimal("-23.40"), f"RESTAURANT {offset}"
        label = money(amount) + (" CR" if amount > 0 else "")
        writer.row([(50, f"{day:%d/%m}", False), (110, text, False), (520, label, True)])
        printed.append(Printed(day, text, amount))
        owed -= amount
    writer.row([(110, "New balance", False), (520, money(owed), True)])
    return writer.bytes(), printed


def unlabelled_statement(start: date, days: int, rows_per_page: int = 30) -> tuple[bytes, list[Printed]]:
    """No column headings at all (some banks print the table bare): 'DD/MM  text  amount  balance' with
    '+' on money in. The system parser finds no table here; the AI reading does."""
    writer, printed, balance, page = Writer(), [], Decimal("800.00"), 1
    end = start + timedelta(days=days - 1)
    title = f"Statement of account, period {start:%d %b %Y} to {end:%d %b %Y}"
    writer.new_page([], title, page)
    for offset in range(days):
        if offset and offset % rows_per_page == 0:
            page += 1
            writer.new_page([], title, page)
        day = start + timedelta(days=offset)
        amount = Decimal("950.00") if offset % 10 == 0 else Decimal("-18.35") - offset
        balance += amount
        label = ("+" if amount > 0 else "") + money(amount)
        writer.row([(50, f"{day:%d/%m}", False), (110, f"SHOP NUMBER {offset + 1}", False), (380, label, True),
                    (540, money(balance), True)])  # fmt: skip
        printed.append(Printed(day, f"SHOP NUMBER {offset + 1}", amount, page, label, balance))
    return writer.bytes(), printed


def empty_pages(count: int) -> bytes:
    document = pymupdf.open()
    for _ in range(count):
        document.new_page()
    return document.tobytes()
