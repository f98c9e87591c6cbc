"""Profile pictures: checked by decoding them (not by name or declared type), re-encoded to strip
metadata such as GPS positions, scaled down, and stored under DATA_DIR/media/avatars."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import NotFound, PayloadTooLarge, UnsupportedMediaType
from app.models import User
from app.services.friends.relations import pair_row, view_of

MAX_SIDE = 512
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before they fill memory
_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "png"}


def _normalise(data: bytes) -> tuple[bytes, str]:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in _FORMATS:
                raise UnsupportedMediaType("Upload a JPEG, PNG, WebP or GIF image.")
            if probe.width * probe.height > MAX_PIXELS:
                raise PayloadTooLarge("This image has too many pixels; upload a smaller one.")
            probe.seek(0)
            image = probe.convert("RGBA" if probe.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise UnsupportedMediaType("This file is not an image we can read; upload a JPEG, PNG, WebP or GIF.") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    extension = _FORMATS[kind]
    if extension == "jpg" and image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG" if extension == "jpg" else extension.upper(), quality=88)
    return out.getvalue(), extension


async def store_avatar(settings: Settings, user: User, data: bytes) -> str:
    """Save the picture and return its path relative to the media directory."""
    if len(data) > settings.avatar_max_bytes:
        raise PayloadTooLarge(f"The picture is larger than {settings.avatar_max_mb} MB.")
    if not data:
        raise UnsupportedMediaType("The uploaded file is empty.")
    encoded, extension = await asyncio.to_thread(_normalise, data)
    relative = f"avatars/{user.id}/{uuid.uuid4().hex}.{extension}"
    target = settings.media_dir / relative
    await asyncio.to_thread(_write, target, encoded)
    return relative


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    temporary.write_bytes(data)
    temporary.replace(target)


def _remove_file(settings: Settings, relative: str | None) -> None:
    if relative:
        (settings.media_dir / relative).unlink(missing_ok=True)


async def set_avatar(session: AsyncSession, settings: Settings, user: User, data: bytes | None) -> None:
    """Store a new picture (or none), and delete the old file once the row points elsewhere."""
    previous = user.avatar
    user.avatar = await store_avatar(settings, user, data) if data is not None else None
    await session.flush()
    _remove_file(settings, previous)


async def avatar_file(session: AsyncSession, settings: Settings, viewer: User, user_id: int) -> Path:
    """The picture of `user_id`, if the viewer may see that person at all; else 404."""
    target = await session.get(User, user_id)
    if target is None or not target.avatar:
        raise NotFound("No such picture.")
    if not view_of(viewer.id, target, await pair_row(session, viewer.id, target.id)).card:
        raise NotFound("No such picture.")
    path = (settings.media_dir / target.avatar).resolve()
    if not path.is_relative_to(settings.media_dir.resolve()) or not path.is_file():
        raise NotFound("No such picture.")
    return path
