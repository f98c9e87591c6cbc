"""Types shared by the API schemas of every domain."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

# Money in JSON: a decimal string ("33.34"), never a float.
Money = Annotated[Decimal, PlainSerializer(lambda value: str(value), return_type=str)]
