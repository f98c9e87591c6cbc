"""Files under DATA_DIR/media: written whole or not at all."""

from __future__ import annotations

from pathlib import Path


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary name, then rename: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    temporary.write_bytes(data)
    temporary.replace(target)
