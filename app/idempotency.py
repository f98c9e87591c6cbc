"""`Idempotency-Key` on the requests that create what a user enters: expenses, settlements, payments,
groups, recurring expenses, budgets, accounts, payment methods and comments. A phone that loses its
connection after sending "add expense" cannot know whether it arrived; sending it again with the same key
is then safe. (Creates with a natural key, such as a tag or a category name, answer a repeat with a 409.)

The first request with a key takes it (a row in `idempotency_keys`) in its own transaction and stores
its answer there, so the key is taken exactly when the expense is saved: a request that failed saved
neither and can be sent again. A retry with the same key and the same request (method, path and body)
gets the stored answer, marked `Idempotent-Replayed: true`; the same key on a different request is a
422. Two requests with one key at once: the second waits on the key's primary key until the first
commits, then replays it. Keys belong to the signed-in user and are kept at least a day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import SessionDep
from app.deps import CurrentUser
from app.errors import AppError, Unprocessable
from app.models import IdempotencyKey

KEPT_FOR = timedelta(hours=24)

_KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Any unique string per new record (a UUID will do): sending the request again with the same "
        "key returns the first answer instead of creating a second record.",
    ),
]


async def fingerprint(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())  # already read for the route's body, so this costs no I/O
    return digest.hexdigest()


class _Once:
    """Runs a create once per key of the caller (see the module's docstring)."""

    def __init__(self, session: AsyncSession, user_id: int, key: str | None, request: Request) -> None:
        self.session, self.user_id, self.key, self.request = session, user_id, key, request

    async def __call__(self, create: Callable[[], Awaitable[BaseModel]], status_code: int = 201) -> Any:
        """`create()`'s answer, made once per key: a repeat of the request gets the first answer back."""
        if self.key is None:
            return await create()
        session, mine = self.session, (IdempotencyKey.user_id == self.user_id) & (IdempotencyKey.key == self.key)
        mark = await fingerprint(self.request)
        taken = await session.execute(
            insert(IdempotencyKey)
            .values(user_id=self.user_id, key=self.key, fingerprint=mark, created_at=datetime.now(UTC))
            .on_conflict_do_nothing()
            .returning(IdempotencyKey.key)
        )
        if taken.first() is None:
            first = (
                await session.execute(
                    select(IdempotencyKey.fingerprint, IdempotencyKey.status_code, IdempotencyKey.body).where(mine)
                )
            ).one()
            if first.fingerprint != mark or first.status_code is None:
                raise Unprocessable(
                    "This Idempotency-Key was already used for a different request; send a new key with a new request.",
                    field="Idempotency-Key",
                )
            return JSONResponse(first.body, status_code=first.status_code, headers={"Idempotent-Replayed": "true"})
        try:
            answer = await create()
        except AppError as error:
            if error.keep_changes:  # the rest is committed, but this answer is not the one to replay
                await session.execute(delete(IdempotencyKey).where(mine))
            raise
        body = answer.model_dump(mode="json", by_alias=True)
        await session.execute(update(IdempotencyKey).where(mine).values(status_code=status_code, body=body))
        return answer


async def _once(request: Request, session: SessionDep, user: CurrentUser, key: _KeyHeader = None) -> _Once:
    return _Once(session, user.id, key, request)


# A route's parameter: `return await once(lambda: service.create(...))`. It reads the Idempotency-Key header
# and shares the request's session and signed-in user (FastAPI resolves each dependency once a request).
Once = Annotated[_Once, Depends(_once)]


async def purge_old_keys(session: AsyncSession, now: datetime | None = None) -> int:
    cutoff = (now or datetime.now(UTC)) - KEPT_FOR
    result = await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return result.rowcount or 0  # type: ignore[attr-defined]
