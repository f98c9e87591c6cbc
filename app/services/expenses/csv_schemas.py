"""The HTTP side of CSV import and export: the import report and the mapping of people."""

from __future__ import annotations

import json

from fastapi import Response
from pydantic import BaseModel, Field

from app.errors import Unprocessable

IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ImportOut(BaseModel):
    expenses_created: int
    payments_created: int
    already_imported: int = Field(description="Lines imported before (the same file sent again).")
    skipped: list[str] = Field(description="Lines not imported, each with why.")


def parse_people(people: str | None) -> dict[str, int]:
    if not people:
        return {}
    try:
        mapping = json.loads(people)
    except ValueError:
        raise Unprocessable('people must be JSON like {"Jane Doe": 12}.', field="people") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(name, str) and isinstance(user_id, int) for name, user_id in mapping.items()
    ):
        raise Unprocessable('people must map names to user ids, like {"Jane Doe": 12}.', field="people")
    return mapping


def csv_response(content: str, filename: str) -> Response:
    return Response(
        content.encode("utf-8-sig"),  # the BOM makes spreadsheet programs read UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
