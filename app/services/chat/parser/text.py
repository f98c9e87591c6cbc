"""A message being taken apart: each extractor consumes the characters it understood, and what is left
over becomes the description."""

from __future__ import annotations

import re
from collections.abc import Iterator


class Message:
    def __init__(self, text: str) -> None:
        self.original = text
        self._chars = list(text)

    @property
    def rest(self) -> str:
        """The message with every consumed character blanked (offsets stay those of the original)."""
        return "".join(self._chars)

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        return pattern.finditer(self.rest)

    def consume(self, start: int, end: int) -> None:
        self._chars[start:end] = " " * (end - start)

    def consume_match(self, match: re.Match[str], group: int | str = 0) -> None:
        self.consume(match.start(group), match.end(group))
