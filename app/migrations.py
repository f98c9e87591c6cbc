"""Alembic, driven from the CLI and the tests."""

from __future__ import annotations

import io
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from alembic import command


def _alembic_dir() -> Path:
    # In a checkout (and an editable install) it sits beside the package; in the container image the
    # project is installed from /app and run from there.
    for candidate in (Path(__file__).resolve().parent.parent, Path.cwd()):
        if (candidate / "alembic" / "env.py").exists():
            return candidate
    raise FileNotFoundError("cannot find the alembic/ directory; run from the project directory")


def alembic_config(database_url: str, *, output: io.StringIO | None = None) -> Config:
    root = _alembic_dir()
    config = Config(str(root / "alembic.ini"), output_buffer=output)
    config.set_main_option("script_location", str(root / "alembic"))
    config.attributes["database_url"] = database_url
    config.attributes["skip_logging_config"] = True
    return config


def upgrade_to_head(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def downgrade_to_base(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "base")


def upgrade_sql(database_url: str) -> str:
    """The SQL `upgrade head` would run, for review or for a DBA to apply by hand."""
    output = io.StringIO()
    command.upgrade(alembic_config(database_url, output=output), "head", sql=True)
    return output.getvalue()


def head_revision() -> str | None:
    try:
        return ScriptDirectory.from_config(alembic_config("postgresql+asyncpg://unused/")).get_current_head()
    except FileNotFoundError:
        return None
