"""Generates a realistic command file: a province of warehouses, their owners and contracts,
then declarations followed by partial ex-warehousings, transfers and moves of their lots.

    python bench/generate.py 100000 > commands.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from stdnum.vn import mst

ZONE = timezone(timedelta(hours=7))
START = datetime(2025, 1, 2, 8, 0, tzinfo=ZONE)


def tax_codes(count: int, seed: int) -> list[str]:
    found: list[str] = []
    n = seed
    while len(found) < count:
        n += 1
        base = f"{n:09d}"
        for digit in range(10):
            if mst.is_valid(base + str(digit)):
                found.append(base + str(digit))
                break
    return found


def reference_data(
    warehouses: int, owners: int, provinces: int = 3
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    operator, *goods_owners = tax_codes(owners + 1, 300_000_000)
    commands: list[dict[str, Any]] = [
        {
            "command": "register_enterprise",
            "tax_code": t,
            "name": f"Enterprise {t}",
            "address": "VN",
        }
        for t in (operator, *goods_owners)
    ]
    warehouse_ids = [f"KNQ-{n:03d}" for n in range(warehouses)]
    for index, warehouse_id in enumerate(warehouse_ids):
        commands.append(
            {
                "command": "register_warehouse",
                "warehouse_id": warehouse_id,
                "name": warehouse_id,
                "owner_tax_code": operator,
                "province": f"Province {index % provinces}",
                "customs_office": f"Office {index % 5}",
            }
        )
        for owner in goods_owners:
            commands.append(
                {
                    "command": "register_rent_contract",
                    "contract_no": f"HD-{warehouse_id}-{owner}",
                    "warehouse_id": warehouse_id,
                    "goods_owner_tax_code": owner,
                    "starts_on": "2024-12-01",
                    "expires_on": "2027-12-31",
                    "registered_on": "2024-12-01",
                }
            )
    return commands, warehouse_ids, goods_owners


def stamp(moment: datetime) -> str:
    return moment.isoformat()


def generate(
    total: int,
    seed: int = 7,
    warehouses: int = 10,
    owners: int = 20,
    provinces: int = 3,
    close: float = 0.0,
) -> Iterator[dict[str, Any]]:
    """``close``: the share of lots whose remainder finally leaves (so balances stay few)."""
    rng = random.Random(seed)
    setup, warehouse_ids, goods_owners = reference_data(warehouses, owners, provinces)
    yield from setup
    emitted = len(setup)
    declaration = 0
    moment = START
    while emitted < total:
        declaration += 1
        moment += timedelta(seconds=20)
        warehouse_id = rng.choice(warehouse_ids)
        owner = rng.choice(goods_owners)
        lines = rng.randint(1, 3)
        quantities = [rng.randint(50, 500) for _ in range(lines)]
        no = f"TK{declaration:07d}"
        yield {
            "command": "warehouse_goods",
            "declaration_no": no,
            "registered_on": moment.date().isoformat(),
            "effective_at": stamp(moment),
            "warehouse_id": warehouse_id,
            "goods_owner_tax_code": owner,
            "contract_no": f"HD-{warehouse_id}-{owner}",
            "expires_on": (moment.date() + timedelta(days=300)).isoformat(),
            "source": "abroad",
            "transport_doc": f"BL-{declaration}",
            "seals": [
                {"container_no": f"C{declaration}", "seal_no": f"S{declaration}", "intact": True}
            ],
            "lines": [
                {
                    "line_no": n + 1,
                    "description": f"goods {n}",
                    "hs_code": "85423100",
                    "quantity": str(q),
                    "unit": "piece",
                    "customs_value": str(q * 3),
                    "currency": "USD",
                    "origin_country": "SG",
                }
                for n, q in enumerate(quantities)
            ],
        }
        emitted += 1
        for n, quantity in enumerate(quantities):
            lot_id = f"{no}/{n + 1}"
            left = quantity
            for step in range(rng.randint(1, 4)):
                if emitted >= total or left <= 1:
                    break
                moment += timedelta(seconds=5)
                take = rng.randint(1, max(1, left // 3))
                left -= take
                emitted += 1
                kind = rng.random()
                if kind < 0.7:
                    yield {
                        "command": "ex_warehouse",
                        "lot_id": lot_id,
                        "quantity": str(take),
                        "effective_at": stamp(moment),
                        "destination": "abroad",
                        "bill_no": f"PX-{declaration}-{n}-{step}",
                        "export_declaration_no": f"XK-{declaration}",
                        "border_gate": "Cat Lai",
                    }
                elif kind < 0.85:
                    new_owner = rng.choice([o for o in goods_owners if o != owner])
                    yield {
                        "command": "transfer_ownership",
                        "lot_id": lot_id,
                        "quantity": str(take),
                        "effective_at": stamp(moment),
                        "new_owner_tax_code": new_owner,
                        "new_contract_no": f"HD-{warehouse_id}-{new_owner}",
                        "trading_contract_no": f"SC-{declaration}",
                        "notice_no": f"TB-{declaration}",
                    }
                else:
                    to = rng.choice([w for w in warehouse_ids if w != warehouse_id])
                    yield {
                        "command": "dispatch_move",
                        "lot_id": lot_id,
                        "quantity": str(take),
                        "effective_at": stamp(moment),
                        "to_warehouse_id": to,
                        "contract_no": f"HD-{to}-{owner}",
                        "approval_ref": f"CV-{declaration}",
                        "seal_no": f"HQ-{declaration}-{n}",
                    }
            if left > 0 and emitted < total and rng.random() < close:
                moment += timedelta(seconds=5)
                emitted += 1
                yield {
                    "command": "ex_warehouse",
                    "lot_id": lot_id,
                    "quantity": str(left),
                    "effective_at": stamp(moment),
                    "destination": "abroad",
                    "bill_no": f"PX-{declaration}-{n}-end",
                    "export_declaration_no": f"XK-{declaration}",
                    "border_gate": "Cat Lai",
                }


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    out = sys.stdout
    for command in generate(total):
        out.write(json.dumps(command) + "\n")


if __name__ == "__main__":
    main()
