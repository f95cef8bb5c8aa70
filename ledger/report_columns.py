"""A column of the periodic report (55.8c, DOMAIN.md §5): on-hand goods into or out of the
warehouse, headed in Vietnamese and English, in the form's order. Each kind of lot event
declares the columns it posts to (``LotEvent.report_columns``); the report, its CSV and its
XLSX read them from there, so a new kind of movement brings its column with it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportColumn:
    key: str  # the row's field and the CSV's heading: "warehoused", "abroad"
    inward: bool  # in (warehoused, received) or out of the warehouse
    vietnamese: str
    english: str
    order: int  # the form's order among the columns of its direction

    @property
    def headings(self) -> tuple[str, str]:
        return self.vietnamese, self.english
