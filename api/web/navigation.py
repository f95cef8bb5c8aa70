"""The pages' navigation: each page's module declares its link (where, its label, the roles
it is for); the header lists those of the signed-in user's role."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.roles import Role
from ledger.users import User


@dataclass(frozen=True)
class Link:
    href: str
    label: str  # marked for the catalogues with N_; translated when shown
    roles: frozenset[Role]

    def shown_to(self, user: User) -> bool:
        return user.role in self.roles


def links_for(links: tuple[Link, ...], user: User) -> list[Link]:
    return [link for link in links if link.shown_to(user)]
