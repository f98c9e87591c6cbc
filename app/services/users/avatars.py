"""Profile pictures: checked by decoding them (not by name or declared type), re-encoded to strip
metadata such as GPS positions, scaled down, and stored under DATA_DIR/media/avatars."""

from __future__ import annotations

import asyncio
import io
import uuid
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from app.config import Settings
from app.errors import PayloadTooLarge, UnsupportedMediaType
from app.models import User

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


def remove_avatar_file(settings: Settings, relative: str | None) -> None:
    if relative:
        (settings.media_dir / relative).unlink(missing_ok=True)


def avatar_path(settings: Settings, relative: str) -> Path:
    path = (settings.media_dir / relative).resolve()
    if not path.is_relative_to(settings.media_dir.resolve()):
        raise ValueError("avatar path escapes the media directory")
    return path
