"""Per-client rate limits kept in Redis, so they hold across every API process.

A fixed window per (action, client): simple, one round trip, and enough to stop password guessing and
sign-up floods; the lockout on the account itself does the rest.
"""

from __future__ import annotations

import math
import time

from redis.asyncio import Redis

from app.errors import TooMany


async def check_rate(redis: Redis, action: str, client: str, *, limit: int, window_seconds: int = 60) -> None:
    """Count one attempt; raise TooMany (429 with Retry-After) once `limit` is passed in this window."""
    now = time.time()
    window = int(now // window_seconds)
    key = f"ratelimit:{action}:{client}:{window}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        count, _ = await pipe.execute()
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * window_seconds - now))
        raise TooMany(
            f"Too many attempts from your address; try again in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )
