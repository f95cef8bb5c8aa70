"""Installation settings, read from the environment once, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ledger.rulepacks import DEFAULT_PACK

DEFAULT_DATABASE_FILE = "bonded.db"


@dataclass(frozen=True)
class Settings:
    database_url: str
    rule_pack: str = DEFAULT_PACK
    due_soon_days: int | None = None  # None: the rule pack's window

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        url = env.get("BONDED_DATABASE_URL") or default_database_url()
        due_soon = env.get("BONDED_DUE_SOON_DAYS")
        return cls(
            database_url=url,
            rule_pack=env.get("BONDED_RULE_PACK") or DEFAULT_PACK,
            due_soon_days=int(due_soon) if due_soon else None,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def event_store_env(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "commands.persistence:Factory",
            "SQLALCHEMY_URL": self.database_url,
        }


def default_database_url() -> str:
    """An embedded SQLite file in the working directory, created on first use."""
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"
