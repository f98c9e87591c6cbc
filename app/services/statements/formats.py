"""A statement's format from its content, never its name: PDF, OFX (SGML 1.x or XML 2.x), CAMT.053 XML,
or CSV (text with a delimiter on most lines)."""

from __future__ import annotations

import re

from app.models.enums import FileFormat
from app.services.statements.parsers.csv_reader import decode


def detect_format(data: bytes) -> FileFormat:
    head = data[:4096]
    if head.lstrip().startswith(b"%PDF-"):
        return FileFormat.PDF
    text, _ = decode(head)
    upper = text.lstrip("\ufeff \r\n\t").upper()
    if upper.startswith("OFXHEADER") or "<?OFX" in upper[:400] or re.match(r"(<\?XML[^>]*>\s*)?<OFX>", upper):
        return FileFormat.OFX
    if upper.startswith("<?XML") or upper.startswith("<DOCUMENT"):
        return FileFormat.CAMT053 if "CAMT.053" in upper else FileFormat.UNKNOWN
    if _looks_like_csv(text):
        return FileFormat.CSV
    return FileFormat.UNKNOWN


def _looks_like_csv(text: str) -> bool:
    if "\x00" in text or sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t") > 2:
        return False  # binary
    lines = [line for line in text.replace("\r", "\n").split("\n")[:20] if line.strip()]
    if len(lines) < 2:
        return False
    for delimiter in (",", ";", "\t", "|"):
        counts = [line.count(delimiter) for line in lines]
        if min(counts) >= 1 and sum(1 for c in counts if c == counts[0]) >= len(counts) * 0.6:
            return True
    return False
