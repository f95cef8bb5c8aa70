"""The names a question filters on and a user's scope names (DOMAIN.md §6): a warehouse, a
goods owner, a province, a customs office or a kind of warning must exist. A name is matched
without regard to case, Vietnamese accents or the words "city", "province", "thành phố" and
"tỉnh" around it ("Ho Chi Minh City" = "ho chi minh city" = "TP. Hồ Chí Minh"), and answered by
its name as recorded; an unknown one is refused with the nearest known names, never answered
with an empty "all clear".

The known names come from the reference read model (every registered warehouse, with its
owner, province and office) and the lots' parties (every goods owner that held goods).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import Connection, select, union

from ledger.access import authorize_inspection
from ledger.errors import UnknownName
from ledger.roles import Role
from ledger.scope import ReadScope, check_asked
from ledger.users import User
from projections import tables as t
from projections.answers import Filters

NEAREST = 3
_PREFIXES = ("thanh pho ", "tp ", "tinh ")
_SUFFIXES = (" city", " province")


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """What two spellings of one name have in common: no case, accents or punctuation, and
    none of the generic words before or after a place's name."""
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    key = " ".join(re.sub(r"[^\w]+", " ", plain).split())
    for prefix in _PREFIXES:
        key = key.removeprefix(prefix)
    for suffix in _SUFFIXES:
        key = key.removesuffix(suffix)
    return key


@dataclass(frozen=True)
class Known:
    """The names of one kind that exist, and those of them the caller may be told of."""

    kind: str  # "warehouse", "goods owner", "province", "customs office", "warning kind"
    field: str
    names: tuple[str, ...]

    def match(self, given: str) -> str | None:
        """The name as recorded that ``given`` spells, or None."""
        if given in self.names:
            return given
        key = name_key(given)
        return next((name for name in self.names if name_key(name) == key), None)

    def refusal(self, given: str, told: Iterable[str]) -> UnknownName:
        """Unknown: refused with the nearest of the names the caller may be told of."""
        told = sorted(set(told))
        keys = {name_key(name): name for name in told}
        near = [keys[k] for k in difflib.get_close_matches(name_key(given), keys, NEAREST, 0.5)]
        hint = f"; nearest: {', '.join(near)}" if near else ""
        if not near and told and len(told) <= 10:
            hint = f"; known: {', '.join(told)}"
        code = "unknown_" + self.kind.split()[-1]
        return UnknownName(code, f"{self.kind} {given[:60]!r} is not known{hint}", self.field)


def warehouses(connection: Connection) -> Known:
    w = t.warehouses.c
    return Known(
        "warehouse", "warehouse", tuple(connection.execute(select(w.warehouse_id)).scalars())
    )


def provinces(connection: Connection) -> Known:
    w = t.warehouses.c
    found = connection.execute(select(w.province).distinct()).scalars()
    return Known("province", "province", tuple(found))


def offices(connection: Connection) -> Known:
    w = t.warehouses.c
    found = connection.execute(select(w.customs_office).distinct()).scalars()
    return Known("customs office", "office", tuple(found))


def owner_known(connection: Connection, tax_code: str) -> bool:
    """Whether ``tax_code`` owns a warehouse, a rent contract's goods or ever held goods."""
    w, c, p = t.warehouses.c, t.contracts.c, t.lot_parties.c
    found = (
        select(w.owner_tax_code).where(w.owner_tax_code == tax_code),
        select(c.goods_owner_tax_code).where(c.goods_owner_tax_code == tax_code),
        select(p.value).where(p.kind == "owner", p.value == tax_code),
    )
    return any(connection.execute(query.limit(1)).first() is not None for query in found)


def owners(connection: Connection) -> Known:
    """Every goods owner (read only to refuse an unknown one with the nearest)."""
    w, c, p = t.warehouses.c, t.contracts.c, t.lot_parties.c
    query = union(
        select(w.owner_tax_code),
        select(c.goods_owner_tax_code),
        select(p.value).where(p.kind == "owner").distinct(),
    )
    return Known("goods owner", "owner", tuple(connection.execute(query).scalars()))


def named(connection: Connection, caller: User, scope: ReadScope, filters: Filters) -> Filters:
    """See ``ReadModel.named``."""
    warehouse = _spelt(warehouses(connection), filters.warehouse_id)
    province = _spelt(provinces(connection), filters.province)
    check_asked(caller, scope, warehouse.name, filters.owner, province.name)
    if warehouse.unknown:
        sight = warehouse.known.names if scope.warehouses is None else scope.warehouses
        raise warehouse.known.refusal(warehouse.given, sight)
    if province.unknown:
        told = _provinces_in_sight(connection, caller, scope)
        raise province.known.refusal(province.given, told)
    if filters.owner is not None and not owner_known(connection, filters.owner):
        every = owners(connection)
        raise every.refusal(filters.owner, every.names if scope.warehouses is None else ())
    return replace(filters, warehouse_id=warehouse.name, province=province.name)


@dataclass(frozen=True)
class _Spelt:
    known: Known
    given: str
    name: str | None  # as recorded, or as given if unknown; None if not asked
    unknown: bool


def _spelt(known: Known, given: str | None) -> _Spelt:
    if given is None:
        return _Spelt(known, "", None, False)
    found = known.match(given)
    return _Spelt(known, given, found or given, found is None)


def _provinces_in_sight(connection: Connection, caller: User, scope: ReadScope) -> list[str]:
    if caller.role is Role.PROVINCIAL_INSPECTOR and caller.province:
        return [caller.province]
    w = t.warehouses.c
    query = select(w.province).distinct()
    if scope.warehouses is not None:
        query = query.where(w.warehouse_id.in_(sorted(scope.warehouses)))
    return list(connection.execute(query).scalars())


def inspected_province(connection: Connection, caller: User, given: str) -> str:
    """The province an inspection pack is asked of, as recorded: refused if the caller may
    not inspect it (403, whether it exists or not), or if no warehouse is registered in it."""
    known = provinces(connection)
    province = known.match(given) or given
    authorize_inspection(caller, province)
    if province not in known.names:
        raise known.refusal(given, _provinces_in_sight(connection, caller, ReadScope()))
    return province


def place_named(connection: Connection, kind: str, given: str) -> str:
    """A user's scope as recorded: the customs office (``office``) or province (``province``)
    of a registered warehouse; else refused with the nearest."""
    known = offices(connection) if kind == "office" else provinces(connection)
    found = known.match(given)
    if found is None:
        raise known.refusal(given, known.names)
    return found
