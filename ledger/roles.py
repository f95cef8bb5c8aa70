"""The roles of DOMAIN.md §1: who a user is to the ledger. Each kind of command says which
roles may ask for it (``Intent.recorded_by``); ``ledger.scope`` holds each role's scope."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    WAREHOUSE_OWNER = "warehouse_owner"
    GOODS_OWNER = "goods_owner"
    CUSTOMS_OFFICER = "customs_officer"
    PROVINCIAL_INSPECTOR = "provincial_inspector"
    AUDITOR = "auditor"
    ADMIN = "admin"
    OPERATOR = "operator"  # the installation itself: the CLI without --as; never a user's


WAREHOUSE_OWNER = frozenset({Role.WAREHOUSE_OWNER})
CUSTOMS_OFFICER = frozenset({Role.CUSTOMS_OFFICER})
PROVINCIAL_INSPECTOR = frozenset({Role.PROVINCIAL_INSPECTOR})
ADMIN = frozenset({Role.ADMIN})
ANY_USER = frozenset(Role) - {Role.OPERATOR}  # what every user may ask for itself alone
