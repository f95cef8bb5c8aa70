"""Every kind of lot event says all it means for the periodic report in one place: the columns
it posts to (issue 21). A kind that forgets is caught here, not by a user's refused report or
a mislabelled customs form."""

from __future__ import annotations

from ledger.events import LotEvent
from ledger.kinds import recorded_kinds
from ledger.report import IN_COLUMNS, OUT_COLUMNS, declared_columns

LOT_KINDS = [kind for kind in recorded_kinds() if issubclass(kind, LotEvent)]


def test_every_kind_of_lot_event_declares_its_report_columns() -> None:
    undeclared = [kind.__name__ for kind in LOT_KINDS if not hasattr(kind, "report_columns")]
    assert not undeclared, f"declare report_columns (() if none) on: {undeclared}"
    assert len(LOT_KINDS) >= 12


def test_the_report_reads_its_columns_from_the_kinds_in_the_forms_order() -> None:
    form_in = ["warehoused", "received"]
    form_out = ["abroad", "inland", "non_tariff_zone", "ecommerce", "liquidated", "dispatched"]
    assert [c for c in IN_COLUMNS if c in form_in] == form_in  # a new kind may add its own
    assert [c for c in OUT_COLUMNS if c in form_out] == form_out
    columns = declared_columns()
    assert all(c.vietnamese and c.english for c in columns.values())
    for inward in (True, False):
        orders = [c.order for c in columns.values() if c.inward is inward]
        assert len(orders) == len(set(orders)), "two columns in one place of the form"


def test_the_forms_headings_are_the_kinds_own() -> None:
    from api.reports import HEADINGS

    for key, column in declared_columns().items():
        assert HEADINGS[key] == (column.vietnamese, column.english)
    assert list(HEADINGS)[4:-1] == [*IN_COLUMNS, *OUT_COLUMNS]
