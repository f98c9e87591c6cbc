"""Self-hostable AI-driven expense tracker backend."""

__version__ = "0.1.0"
