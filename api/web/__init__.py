"""The pages: a third door on the same questions, rights and commands as the API and the CLI,
for the people who keep and inspect bonded warehouses (issue 22). Signed in with a password
or a token; a session cookie; every form with the session's CSRF token.

Each page is a module with its own ``router`` and, when it belongs in the header, its
``LINK``; a new page is a module and a line in ``PAGES``."""

from functools import partial
from types import ModuleType

from api.web import (
    as_known,
    dashboard,
    ecommerce,
    imports,
    lot,
    province,
    province_documents,
    record,
    sign_in,
)
from api.web.details import detail_told
from api.web.labels import (
    command_label,
    field_label,
    finding_label,
    question_label,
    role_label,
    status_label,
)
from api.web.navigation import Link, links_for
from api.web.refused import told
from api.web.site import TEMPLATES

PAGES: tuple[ModuleType, ...] = (
    sign_in,
    dashboard,
    lot,
    record,
    imports,
    ecommerce,
    province,
    province_documents,
    as_known,
)
ROUTERS = tuple(module.router for module in PAGES)
LINKS: tuple[Link, ...] = tuple(m.LINK for m in PAGES if isinstance(getattr(m, "LINK", None), Link))

TEMPLATES.env.globals.update(
    nav_links=partial(links_for, LINKS),
    status_label=status_label,
    finding_label=finding_label,
    role_label=role_label,
    field_label=field_label,
    command_label=command_label,
    question_label=question_label,
    told=told,
    detail_told=detail_told,
)
