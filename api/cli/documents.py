"""The documents: a warehouse's periodic report (Art. 55.8c) and a province's annual
inspection pack (Art. 55.8e), as JSON, CSV, XLSX or HTML, to the terminal or a file."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.options import KnownAt, document_format, when_of
from api.cli.run import caller_of_run, caught_up_ledger, exit_refused
from api.files import write_file

app = typer.Typer()
report_app = typer.Typer(help="The owner's periodic report (Art. 55.8c).", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("periodic")
def report_periodic(
    warehouse: Annotated[str, typer.Option("--warehouse", help="The warehouse reported on.")],
    period: Annotated[str, typer.Option(help="A quarter 2025-Q3 or a half-year 2025-H1.")],
    known_at: KnownAt = None,
    output_format: Annotated[
        str | None,
        typer.Option("--format", help="json, csv or xlsx (default: from -o's extension, or json)."),
    ] = None,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Write to this file (xlsx needs one).")
    ] = None,
) -> None:
    """The periodic report of a warehouse: per goods item opening, in and out by kind, closing
    (checked: closing = opening + in - out), the transfers inside the warehouse, the due date
    and whether it was submitted (late or not). As known at --known-at (default: now)."""
    import json

    from api.cells import csv_file
    from api.reports import as_csv, as_json, as_xlsx, build, reported_warehouse
    from ledger.errors import LedgerError

    chosen = document_format(output_format, output, ("json", "csv", "xlsx"), "report")
    moment = when_of(None, known_at).known_at
    ledger = caught_up_ledger()
    service = ledger.service
    try:
        caller = caller_of_run(service.store)
        warehouse = reported_warehouse(ledger.read_model, caller, warehouse)
        placed = ledger.read_model.lots_ever_in
        document = build(service.store, service.pack, warehouse, period, moment, placed)
    except LedgerError as error:
        exit_refused(error)
        raise
    finally:
        ledger.close()
    if chosen == "xlsx":
        write_file(str(output), as_xlsx(document), "--output")
        typer.echo(f"wrote {output}: {len(document['rows'])} goods items")
        return
    text = as_csv(document) if chosen == "csv" else json.dumps(as_json(document), indent=2)
    if output:
        text = text if text.endswith("\n") else text + "\n"
        write_file(output, csv_file(text) if chosen == "csv" else text, "--output")
        typer.echo(f"wrote {output}")
    else:
        typer.echo(text.rstrip("\n"))


@app.command()
def inspection(
    province: Annotated[str, typer.Option("--province", help="The province inspected.")],
    year: Annotated[int, typer.Option(help="The calendar year inspected.", min=1990, max=2199)],
    known_at: KnownAt = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format", help="xlsx, html or json (default: from -o's extension, or json)."
        ),
    ] = None,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Write to this file (xlsx needs one).")
    ] = None,
) -> None:
    """The annual inspection pack of a province (Art. 55.8e): a summary ranking its
    warehouses by findings, then per warehouse the stock at the year's end, the periodic
    reports due, and every finding (lots overdue, declarations overdue for settlement, holds,
    late entries, reversals, stock-count differences, reports late or missing), each naming
    the events it rests on. A year not over is inspected up to today. Produced by a
    provincial inspector of the province (--as), an auditor, the admin or the operator."""
    import json

    from api.inspections import as_html, as_xlsx, build
    from ledger.calendar import local_date
    from ledger.errors import LedgerError

    chosen = document_format(output_format, output, ("xlsx", "html", "json"), "pack")
    moment = when_of(None, known_at).known_at
    ledger = caught_up_ledger()
    service = ledger.service
    try:
        province = ledger.read_model.inspected_province(caller_of_run(service.store), province)
        today = local_date(moment or service.clock())
        placed = ledger.read_model.lots_ever_in
        document = build(service.store, service.pack, province, year, today, moment, placed)
    except LedgerError as error:
        exit_refused(error)
        raise
    finally:
        ledger.close()
    found = sum(line["findings"] for line in document["summary"])
    if chosen == "xlsx":
        write_file(str(output), as_xlsx(document), "--output")
        typer.echo(f"wrote {output}: {len(document['warehouses'])} warehouses, {found} findings")
        return
    text = as_html(document) if chosen == "html" else json.dumps(document, indent=2)
    if output:
        write_file(output, text if text.endswith("\n") else text + "\n", "--output")
        typer.echo(f"wrote {output}: {len(document['warehouses'])} warehouses, {found} findings")
    else:
        typer.echo(text.rstrip("\n"))
