"""Layout-aware text from a PDF statement with PyMuPDF: words grouped into lines by position (plain
`get_text()` interleaves columns on real statements), rotated text dropped (side margins, watermarks),
lines repeated at the same place on most pages dropped (headers and footers, page numbers folded), and
pages without a text layer reported (they need OCR).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.services.statements.parsers.common import StatementError

if TYPE_CHECKING:
    import pymupdf

MAX_PAGES = 500
LINE_TOLERANCE = 3.0  # points: words whose vertical centres are this close share a line


@dataclass
class Word:
    x0: float
    x1: float
    text: str


@dataclass
class Line:
    page: int
    y: float
    words: list[Word]
    number: int = 0  # line number on its page, for the comparison view
    at_edge: bool = False  # in the top or bottom eighth of the page, where headers and footers live

    @functools.cached_property
    def text(self) -> str:  # read many times by the parser; lines are complete once extracted
        return " ".join(word.text for word in self.words)


@dataclass
class PdfText:
    lines: list[Line]
    pages: int
    pages_without_text: list[int] = field(default_factory=list)
    # Headers and footers left out of `lines`; they still say the statement's period and date.
    repeated: list[Line] = field(default_factory=list)

    @property
    def dropped_repeated(self) -> int:
        return len(self.repeated)

    @property
    def raw(self) -> str:
        out, page = [], 0
        for line in self.lines:
            if line.page != page:
                page = line.page
                out.append(f"--- page {page} ---")
            out.append(line.text)
        return "\n".join(out)


def open_pdf(data: bytes) -> pymupdf.Document:
    # Imported here: PyMuPDF costs about 100 MB and 0.4 s a process, and `serve` only reaches this
    # module through imports (the worker opens the statements).
    import pymupdf

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as error:
        raise StatementError(f"This PDF cannot be opened: it is damaged or truncated ({error}).") from None
    if document.is_repaired:
        # PyMuPDF can rebuild a cut-off file, but what it recovers is part of the statement at best.
        raise StatementError("This PDF is damaged or truncated (its structure had to be rebuilt); upload it again.")
    return document


def _rotated_boxes(page: pymupdf.Page, textpage: pymupdf.TextPage) -> list[tuple[float, float, float, float]]:
    boxes = []
    for block in page.get_text("dict", textpage=textpage).get("blocks", []):
        for line in block.get("lines", []):
            dx, dy = line.get("dir", (1, 0))
            if abs(dy) > 0.1 or dx < 0:
                boxes.append(tuple(line["bbox"]))
    return boxes


def _page_lines(page: pymupdf.Page, number: int) -> list[Line]:
    textpage = page.get_textpage()  # one text extraction serves both readings of the page
    rotated = _rotated_boxes(page, textpage)
    words = []
    for x0, y0, x1, y1, text, *_ in page.get_text("words", textpage=textpage):
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        if rotated and any(left <= x < right and top <= y < bottom for left, top, right, bottom in rotated):
            continue
        words.append((y, Word(x0, x1, text)))
    words.sort(key=lambda item: item[0])
    lines: list[Line] = []
    for y, word in words:
        if lines and y - lines[-1].y <= LINE_TOLERANCE:
            lines[-1].words.append(word)
        else:
            lines.append(Line(number, y, [word]))
    height = page.rect.height
    for index, line in enumerate(lines, start=1):
        line.words.sort(key=lambda word: word.x0)
        line.number = index
        line.at_edge = line.y < height / 8 or line.y > height * 7 / 8
    return lines


def _signature(line: Line) -> tuple[int, str]:
    return round(line.y / 4), re.sub(r"\d+", "#", line.text.lower())


def extract(document: pymupdf.Document) -> PdfText:
    if document.page_count > MAX_PAGES:
        raise StatementError(f"The PDF has {document.page_count} pages; statements of up to {MAX_PAGES} are read.")
    pages = [_page_lines(page, number) for number, page in enumerate(document, start=1)]
    without_text = [number for number, lines in enumerate(pages, start=1) if not lines]
    if len(without_text) == len(pages):
        if len(pages) > 20:
            raise StatementError(f"None of the PDF's {len(pages)} pages has any text.")
        raise StatementError("The PDF has no text layer (a scan or photo): it needs OCR, which is not available.")
    # A line near the top or bottom, at the same height with the same words (digits aside) on most pages, is a
    # header or footer. (Not in the middle: a card payment at the same place on every page is a payment.)
    counts = Counter(signature for lines in pages for signature in {_signature(line) for line in lines if line.at_edge})
    repeated = {s for s, n in counts.items() if len(pages) >= 3 and n >= max(3, len(pages) * 0.6)}
    kept, dropped = [], []
    for lines in pages:
        for line in lines:
            boilerplate = line.at_edge and _signature(line) in repeated and not _looks_like_header_row(line)
            (dropped if boilerplate else kept).append(line)
    return PdfText(kept, len(pages), without_text, dropped)


def _looks_like_header_row(line: Line) -> bool:
    """The transaction table's column headings repeat on every page too, and the parser needs them."""
    text = line.text.lower()
    return "date" in text and any(word in text for word in ("amount", "debit", "credit", "balance", "withdraw"))
