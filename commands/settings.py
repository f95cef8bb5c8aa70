"""Installation settings, read from the environment once, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from commands.destinations import NOTHING_MORE, SETTING, Allowance
from ledger.rulepacks import DEFAULT_PACK, available_packs

DEFAULT_DATABASE_FILE = "bonded.db"
ACCEPTED_URLS = (
    "sqlite:///PATH/TO/FILE.db (an embedded file; the default is ./bonded.db) or "
    "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
)
DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg2"}
READ_SETTING = "BONDED_READ_DATABASE_URL"


class InvalidSetting(ValueError):
    """A setting the installation cannot run with, named with the rule it breaks."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    rule_pack: str = DEFAULT_PACK
    due_soon_days: int | None = None  # None: the rule pack's window
    webhook_allow: Allowance = NOTHING_MORE  # beyond public addresses (commands.destinations)
    # a replica of the database (a PostgreSQL standby) that questions, reports and pages read
    # from: the read models as the leader's projections left them, streamed to it
    read_database_url: str | None = None

    def __post_init__(self) -> None:
        checked_url(self.database_url)
        if self.read_database_url is not None:
            read = checked_url(self.read_database_url, READ_SETTING)
            if read.get_backend_name() != "postgresql" or self.is_sqlite:
                raise InvalidSetting(
                    f"{READ_SETTING} names a replica of a PostgreSQL database: both it and "
                    "BONDED_DATABASE_URL must be postgresql:// URLs"
                )
        if self.rule_pack not in available_packs():
            raise InvalidSetting(
                f"BONDED_RULE_PACK {self.rule_pack[:40]!r} is not a rule pack; "
                f"available: {', '.join(available_packs())}"
            )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        url = env.get("BONDED_DATABASE_URL") or default_database_url()
        return cls(
            database_url=url,
            rule_pack=env.get("BONDED_RULE_PACK") or DEFAULT_PACK,
            due_soon_days=_days(env.get("BONDED_DUE_SOON_DAYS")),
            webhook_allow=_allowance(env.get(SETTING)),
            read_database_url=env.get(READ_SETTING) or None,
        )

    @property
    def shown_url(self) -> str:
        """The database URL to show a person: without its password."""
        return shown(self.database_url)

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


def checked_url(url: str, setting: str = "BONDED_DATABASE_URL") -> URL:
    """The database URL parsed, or ``InvalidSetting`` naming the forms accepted."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidSetting(
            f"{setting} {url[:80]!r} is not a database URL; use {ACCEPTED_URLS}"
        ) from None
    if parsed.drivername not in DRIVERS:
        raise InvalidSetting(
            f"{setting} names the database kind {parsed.drivername!r}; use {ACCEPTED_URLS}"
        )
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_file(parsed, setting)
    return parsed


def _check_sqlite_file(url: URL, setting: str) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or url.query.get("uri") == "true":
        return  # in memory, or a URI the driver reads itself
    folder = Path(database).parent
    if not folder.is_dir():
        raise InvalidSetting(
            f"{setting} names a SQLite file in {str(folder)[:200]!r}, a folder that does not exist"
        )


def shown(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url[:80]


def _days(text: str | None) -> int | None:
    if not text:
        return None
    if not text.strip().isdigit() or not 0 <= int(text) <= 365:
        raise InvalidSetting(
            f"BONDED_DUE_SOON_DAYS {text[:20]!r} must be a whole number of days from 0 to 365"
        )
    return int(text)


def _allowance(text: str | None) -> Allowance:
    """Where subscriptions may point besides public addresses: nothing more unless given."""
    try:
        return Allowance.parse(text or "")
    except ValueError as error:
        raise InvalidSetting(
            f"{SETTING}: {error}; give networks and host names separated by commas, "
            "e.g. 127.0.0.0/8,::1,localhost"
        ) from None
