"""The system chat parser: pure Python, no I/O. `parse(text, context)` is the entry point."""

from app.services.chat.parser.context import Directory, Group, ParseContext, Person
from app.services.chat.parser.system import parse

__all__ = ["Directory", "Group", "ParseContext", "Person", "parse"]
