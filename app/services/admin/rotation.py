"""Re-encrypting every stored secret under the newest of ENCRYPTION_KEYS (`expense-tracker rotate-keys`).

Prepend a new key to ENCRYPTION_KEYS, run the command, and once it reports success the old key can be
removed. Rows are processed in batches, each in its own transaction, so a long run never holds locks
for long and can simply be started again if interrupted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from app.db import Database
from app.models import AISettings, PaymentMethod, StatementPassword, SystemConfiguration
from app.security import SecretBox

BATCH = 500

# (model, encrypted columns, extra filter). Sensitive configuration values are base64 text, the rest bytes.
ENCRYPTED_COLUMNS: tuple[tuple[type[Any], tuple[InstrumentedAttribute[Any], ...], Any], ...] = (
    (AISettings, (AISettings.openai_api_key, AISettings.anthropic_api_key, AISettings.gemini_api_key), None),
    (StatementPassword, (StatementPassword.encrypted_password,), None),
    (PaymentMethod, (PaymentMethod.encrypted_details,), None),
    (SystemConfiguration, (SystemConfiguration.value,), SystemConfiguration.is_sensitive),
)


def _rotator(box: SecretBox, value: bytes | str) -> bytes | str:
    if isinstance(value, str):
        return box.rotate(value.encode()).decode()
    return box.rotate(value)


async def rotate_all(database: Database, box: SecretBox) -> dict[str, int]:
    """How many values were re-encrypted, per table."""
    counts: dict[str, int] = {}
    for model, columns, condition in ENCRYPTED_COLUMNS:
        rotate = functools.partial(_rotator, box)
        counts[model.__tablename__] = await _rotate_table(database, model, columns, condition, rotate)
    return counts


async def _rotate_table(
    database: Database,
    model: type[Any],
    columns: tuple[InstrumentedAttribute[Any], ...],
    condition: Any,
    rotate: Callable[[Any], Any],
) -> int:
    done = 0
    last_id = None
    while True:
        async with database.session() as session:
            query = select(model).order_by(model.id).limit(BATCH).with_for_update()
            if condition is not None:
                query = query.where(condition)
            if last_id is not None:
                query = query.where(model.id > last_id)
            rows = list(await session.scalars(query))
            for row in rows:
                for column in columns:
                    value = getattr(row, column.key)
                    if value:
                        setattr(row, column.key, rotate(value))
                        done += 1
        if len(rows) < BATCH:
            return done
        last_id = rows[-1].id
