"""Report files from rows: CSV (the csv module, formulas neutralised), XLSX (openpyxl's write-only mode,
numbers as numbers) and PDF (PyMuPDF: a first page with a bar chart of the grouped totals, then the rows
as a table, one text box per column per page). Each writer takes the header, the rows (cells as text,
Decimal or date) and the summary (label, total) and writes the file at `path`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from app.services.expenses.csv_io import neutralise

if TYPE_CHECKING:
    import pymupdf

Cell = str | Decimal | date | int | None
ROWS_PER_PAGE = 48
FONT_SIZE = 7.5


def _text(value: Cell) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def write_csv(path: Path, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]],
              summary: list[tuple[str, Decimal]], summary_label: str) -> int:  # fmt: skip
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(v) if isinstance(v, str) else _text(v) for v in row])
            count += 1
        writer.writerow([])
        writer.writerow([summary_label, "Total"])
        for label, total in summary:
            writer.writerow([neutralise(label), str(total)])
    return count


def write_xlsx(path: Path, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]],
               summary: list[tuple[str, Decimal]], summary_label: str) -> int:  # fmt: skip
    from openpyxl import Workbook  # only the report worker needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Expenses")
    sheet.append(list(header))
    count = 0
    for row in rows:
        # Money stays exact in the file as a number with the currency's decimals (openpyxl writes Decimal as
        # its decimal text); text that looks like a formula is neutralised as in CSV.
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
        count += 1
    totals = book.create_sheet("Summary")
    totals.append([summary_label, "Total"])
    for label, total in summary:
        totals.append([neutralise(label), total])
    book.save(path)
    return count


def _chart(page: pymupdf.Page, title: str, summary: list[tuple[str, Decimal]], summary_label: str) -> None:
    import pymupdf

    page.insert_text((40, 50), title, fontsize=14)
    page.insert_text((40, 70), f"Totals by {summary_label.lower()}", fontsize=10)
    shown = summary[:15]
    largest = max((abs(total) for _, total in shown), default=Decimal(0)) or Decimal(1)
    top, height, width = 90.0, 22.0, 300.0
    for index, (label, total) in enumerate(shown):
        y = top + index * height
        length = float(abs(total) / largest) * width
        page.draw_rect(pymupdf.Rect(200, y, 200 + max(length, 1), y + height - 6), color=None,
                       fill=(0.27, 0.51, 0.71))  # fmt: skip
        page.insert_textbox(pymupdf.Rect(40, y, 195, y + height), label[:40], fontsize=8)
        page.insert_text((205 + length, y + 11), str(total), fontsize=8)


# Helvetica's widths in thousandths of the font size, for the characters of amounts: digits are all one
# width and a space is half of one, so right-aligning a number is padding it with spaces.
_WIDTHS = {**dict.fromkeys("0123456789", 556), ".": 278, ",": 278, " ": 278, "-": 333}
_WEIGHTS = {"Title": 3.0, "Notes": 2.0, "Category": 1.5, "Classification": 1.6, "Group": 1.2, "Vendor": 1.2,
            "Type": 0.9}  # fmt: skip


def _right_aligned(values: list[str]) -> list[str]:
    widths = [sum(_WIDTHS.get(ch, 556) for ch in value) for value in values]
    widest = max(widths, default=0)
    return [" " * round((widest - width) / 278) + value for value, width in zip(values, widths, strict=True)]


def write_pdf(path: Path, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]],
              summary: list[tuple[str, Decimal]], summary_label: str) -> int:  # fmt: skip
    """One multi-line text per column per page (fast: a few dozen calls a page, whatever the rows)."""
    # Imported here, not at the top: PyMuPDF costs about 100 MB and 0.4 s a process, and the API process
    # imports this module only for its content types (the worker writes the files).
    import pymupdf

    document = pymupdf.open()
    _chart(document.new_page(width=595, height=842), title, summary, summary_label)
    numeric = [name in ("Amount", "You paid", "Your share") for name in header]
    fixed = [48.0 if money else (46.0 if name in ("Date", "Currency") else 0.0)
             for name, money in zip(header, numeric, strict=True)]  # fmt: skip
    # The rest of the width goes to the text columns, the title and notes taking more.
    weights = [0.0 if width else _WEIGHTS.get(name, 1.0) for name, width in zip(header, fixed, strict=True)]
    unit = (595 - 60 - sum(fixed)) / (sum(weights) or 1)
    widths = [width or weight * unit for width, weight in zip(fixed, weights, strict=True)]
    lefts = [30.0]
    for width in widths[:-1]:
        lefts.append(lefts[-1] + width)
    limits = [max(4, int((width - 4) / (FONT_SIZE * 0.52))) for width in widths]  # characters that fit

    def page_of(batch: list[Sequence[Cell]]) -> None:
        page = document.new_page(width=595, height=842)
        for column, name in enumerate(header):
            values = [name, *(_text(row[column])[: limits[column]] for row in batch)]
            if numeric[column]:
                values = _right_aligned(values)
            page.insert_text((lefts[column], 50), "\n".join(values), fontsize=FONT_SIZE, fontname="helv",
                             lineheight=1.45)  # fmt: skip
        page.draw_line((30, 53), (565, 53), width=0.5)

    count = 0
    batch: list[Sequence[Cell]] = []
    for row in rows:
        batch.append(row)
        count += 1
        if len(batch) == ROWS_PER_PAGE:
            page_of(batch)
            batch = []
    if batch or count == 0:
        page_of(batch)
    document.save(path, garbage=1, deflate=True)
    return count


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
