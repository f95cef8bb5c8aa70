"""Stream names: every event belongs to one stream, named ``kind:key``."""

from __future__ import annotations


def lot_stream(lot_id: str) -> str:
    return f"lot:{lot_id}"


def enterprise_stream(tax_code: str) -> str:
    return f"enterprise:{tax_code}"


def warehouse_stream(warehouse_id: str) -> str:
    return f"warehouse:{warehouse_id}"


def contract_stream(contract_no: str) -> str:
    return f"contract:{contract_no}"


def declaration_stream(declaration_no: str) -> str:
    return f"declaration:{declaration_no}"


def command_stream(command_id: str) -> str:
    return f"command:{command_id}"
