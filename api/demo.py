"""A realistic demo ledger (``bonded demo``, run by ``make run``): two provinces, five bonded
warehouses of two operators under three customs offices, seven goods owners, and about two
years of declarations and movements up to yesterday, in the public command vocabulary.

What it leaves for a newcomer to find: lots overdue and due soon, goods in transit, holds in
force and released, an extension of storage, a liquidation, stock counts with a variance,
reversed entries, declarations awaiting settlement, overdue for settlement and settled, and
one user with a token per role. Deterministic for a seed; every command has a ``command_id``,
so running it again records nothing twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stdnum.vn import mst

from ledger.calendar import WAREHOUSE_ZONE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from commands.service import LedgerService, Outcome

OPERATORS = {
    "saigon": ("Saigon Bonded Logistics JSC", "12 Nguyen Tat Thanh, District 4, Ho Chi Minh City"),
    "hanoi": ("Kinh Bac Bonded Warehousing Co., Ltd", "Km 12 Highway 5, Gia Lam, Ha Noi"),
}
WAREHOUSES = [
    # id, name, operator, province, customs office
    ("KNQ-HCM-01", "Cat Lai bonded warehouse", "saigon", "Ho Chi Minh City", "HCM Port Zone I"),
    ("KNQ-HCM-02", "Linh Trung bonded warehouse", "saigon", "Ho Chi Minh City", "HCM Port Zone I"),
    ("KNQ-HCM-03", "Hiep Phuoc bonded warehouse", "saigon", "Ho Chi Minh City", "HCM Port Zone II"),
    ("KNQ-HN-01", "Gia Lam bonded warehouse", "hanoi", "Ha Noi", "Gia Lam Customs"),
    ("KNQ-HN-02", "Noi Bai bonded warehouse", "hanoi", "Ha Noi", "Gia Lam Customs"),
]
GOODS_OWNERS = [
    "Hanoi Trading Co., Ltd",
    "Mekong Foods JSC",
    "Viet Electronics Components JSC",
    "Red River Wines Co., Ltd",
    "Pacific Auto Parts Co., Ltd",
    "Lotus Cosmetics JSC",
]
FOREIGN_OWNER = ("SG-201912345K", "Lion City Components Pte Ltd", "1 Raffles Place, Singapore")
GOODS = [
    # description, HS code, unit, unit value (USD), origin
    ("Integrated circuits", "85423100", "piece", "30", "SG"),
    ("Red wine, 750 ml bottles", "22042100", "bottle", "9", "FR"),
    ("Frozen shrimp, 2 kg cartons", "03061719", "carton", "24", "TH"),
    ("Lithium-ion cells", "85076090", "piece", "4", "CN"),
    ("Face cream, 50 ml", "33049930", "piece", "6", "KR"),
    ("Brake pads", "87083029", "set", "15", "JP"),
    ("Cotton yarn", "52051200", "kg", "3", "IN"),
    ("Coffee machines", "85167100", "piece", "120", "IT"),
]
START = date(2024, 12, 2)
INLAND = {"8542", "0306", "8507", "8708", "5205", "8516"}  # HS headings sold inland too


def tax_codes(count: int, start: int) -> list[str]:
    """Vietnamese tax codes (MST) that pass their check digit."""
    found: list[str] = []
    n = start
    while len(found) < count:
        n += 1
        for digit in range(10):
            if mst.is_valid(f"{n:09d}{digit}"):
                found.append(f"{n:09d}{digit}")
                break
    return found


def moment(day: date, hour: int = 9, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), WAREHOUSE_ZONE).isoformat()


@dataclass
class Lot:
    lot_id: str
    warehouse_id: str
    owner: str
    on_hand: Decimal
    last: date  # its latest effective day so far
    versions: int = 1
    splits: int = 0
    held: bool = False
    inland: bool = True  # may go inland: not on the not-for-inland list (wine, cosmetics)
    ex_versions: list[int] = field(default_factory=list)


# How long after the fact the demo's entries reach the ledger: in time, but for a few
# ex-warehousings and settlements keyed late (the inspection pack's late entries).
ON_TIME = timedelta(minutes=7)
LATE = {"ex_warehouse": timedelta(hours=2), "settle_declaration": timedelta(days=3)}
LATE_EVERY = {"ex_warehouse": 41, "settle_declaration": 11}


@dataclass(frozen=True)
class DemoCommand:
    """A command of the demo and the moment the ledger records it."""

    recorded_at: datetime
    command: dict[str, Any]


@dataclass
class Plan:
    """Commands with the moment they take effect; recorded a few minutes later, in that
    order, so that each lot's versions and split numbers come out as planned."""

    today: date
    rng: random.Random
    timed: list[tuple[datetime, int, dict[str, Any]]] = field(default_factory=list)
    last: list[dict[str, Any]] = field(default_factory=list)  # reversals, after everything

    def at(self, when: str, command: dict[str, Any]) -> None:
        self.timed.append((datetime.fromisoformat(when), len(self.timed), command))

    def commands(self) -> list[DemoCommand]:
        ordered = sorted(self.timed, key=lambda t: (t[0], t[1]))
        by_lot: dict[str, list[datetime]] = {}
        for when, _, command in ordered:
            by_lot.setdefault(command.get("lot_id", ""), []).append(when)
        recorded: list[tuple[datetime, int, dict[str, Any]]] = []
        seen: dict[str, int] = {}
        for index, (when, _, command) in enumerate(ordered):
            name = command["command"]
            seen[name] = seen.get(name, 0) + 1
            delay = ON_TIME
            late = LATE.get(name)
            if late and seen[name] % LATE_EVERY[name] == 0:
                others = by_lot.get(command.get("lot_id", ""), []) if "lot_id" in command else []
                if not any(when < other <= when + late + ON_TIME for other in others):
                    delay = late  # nothing else of the lot comes between: versions unchanged
            recorded.append((when + delay, index, command))
        recorded.sort(key=lambda t: (t[0], t[1]))
        after = datetime.combine(self.today - timedelta(days=1), time(9), WAREHOUSE_ZONE)
        recorded += [
            (after + timedelta(minutes=n), len(recorded) + n, c) for n, c in enumerate(self.last)
        ]
        return [
            DemoCommand(at, {"command_id": f"demo-{n:05d}", **command})
            for n, (at, _, command) in enumerate(recorded, 1)
        ]


class RecordingClock:
    """The service's clock while the demo loads: each command's recording moment in turn
    (the service asks once per command, in order), then the real time."""

    def __init__(self, moments: list[datetime]) -> None:
        self._moments = iter(moments)

    def __call__(self) -> datetime:
        moment = next(self._moments, None)
        return moment if moment is not None else datetime.now(WAREHOUSE_ZONE)


def reference(owners: dict[str, str], operators: dict[str, str]) -> list[dict[str, Any]]:
    commands: list[dict[str, Any]] = []
    for key, (name, address) in OPERATORS.items():
        commands.append(
            {
                "command": "register_enterprise",
                "tax_code": operators[key],
                "name": name,
                "address": address,
            }
        )
    for tax_code, name in owners.items():
        commands.append(
            {
                "command": "register_enterprise",
                "tax_code": tax_code,
                "name": name,
                "address": "Viet Nam" if tax_code[0].isdigit() else FOREIGN_OWNER[2],
                **({} if tax_code[0].isdigit() else {"country": "SG"}),
            }
        )
    for warehouse_id, name, operator, province, office in WAREHOUSES:
        commands.append(
            {
                "command": "register_warehouse",
                "warehouse_id": warehouse_id,
                "name": name,
                "owner_tax_code": operators[operator],
                "province": province,
                "customs_office": office,
                "address": f"{name}, {province}",
            }
        )
        for tax_code in owners:
            commands.append(
                {
                    "command": "register_rent_contract",
                    "contract_no": contract_no(warehouse_id, tax_code),
                    "warehouse_id": warehouse_id,
                    "goods_owner_tax_code": tax_code,
                    "starts_on": "2024-11-01",
                    "expires_on": "2027-12-31",
                    "registered_on": "2024-11-01",
                }
            )
    return commands


def contract_no(warehouse_id: str, tax_code: str) -> str:
    return f"HD-{warehouse_id}-{tax_code[-4:]}"


def demo_commands(today: date, seed: int = 2026, declarations: int = 320) -> list[DemoCommand]:
    """The demo's commands with their recording moments, in the order they are applied."""
    rng = random.Random(seed)
    operator_codes = tax_codes(2, 301_234_560)
    operators = dict(zip(OPERATORS, operator_codes, strict=True))
    owner_codes = [*tax_codes(len(GOODS_OWNERS), 100_109_100), FOREIGN_OWNER[0]]
    owners = dict(zip(owner_codes, [*GOODS_OWNERS, FOREIGN_OWNER[1]], strict=True))
    plan = Plan(today, rng)
    for command in reference(owners, operators):
        plan.at(moment(date(2024, 11, 1), 8), command)
    span = (today - timedelta(days=3) - START).days
    lots: list[Lot] = []
    emptied: list[tuple[str, date]] = []
    for number in range(1, declarations + 1):
        day = START + timedelta(days=round(span * (number - 1) / declarations))
        warehouse_id = rng.choice(WAREHOUSES)[0]
        owner = rng.choice(owner_codes)
        no = f"TK-{day:%y}{number:05d}"
        old = day < today - timedelta(days=380)  # by now most such goods have left
        lines = [rng.choice(GOODS) for _ in range(1 if old else rng.choice((1, 1, 1, 2, 3)))]
        quantities = [Decimal(rng.randrange(50, 2000, 10)) for _ in lines]
        seal_broken = rng.random() < 0.02
        plan.at(
            moment(day, 9, number % 60),
            {
                "command": "warehouse_goods",
                "declaration_no": no,
                "registered_on": (day - timedelta(days=1)).isoformat(),
                "effective_at": moment(day, 9, number % 60),
                "warehouse_id": warehouse_id,
                "goods_owner_tax_code": owner,
                "contract_no": contract_no(warehouse_id, owner),
                "expires_on": (day + timedelta(days=364)).isoformat(),
                "source": "abroad",
                "transport_doc": f"BL-{number:05d}",
                "seals": [
                    {
                        "container_no": f"MSKU{number:07d}",
                        "seal_no": f"ML-{number:06d}",
                        "intact": not seal_broken,
                    }
                ],
                "lines": [
                    {
                        "line_no": n,
                        "description": goods[0],
                        "hs_code": goods[1],
                        "quantity": str(quantity),
                        "unit": goods[2],
                        "customs_value": str(quantity * Decimal(goods[3])),
                        "currency": "USD",
                        "origin_country": goods[4],
                    }
                    for n, (goods, quantity) in enumerate(zip(lines, quantities, strict=True), 1)
                ],
            },
        )
        made = [
            Lot(f"{no}/{n}", warehouse_id, owner, quantity, day, inland=goods[1][:4] in INLAND)
            for n, (goods, quantity) in enumerate(zip(lines, quantities, strict=True), 1)
        ]
        if seal_broken:  # on hold from arrival; customs releases it a few days later
            for lot in made:
                release = day + timedelta(days=3)
                plan.at(moment(release, 15), hold_command("release_hold", lot, release))
                lot.versions += 1
                lot.last = release
        lots.extend(made)
        lately = today - timedelta(days=24) < day < today - timedelta(days=12)
        chance = 0.85 if old else 1.0 if lately else 0.25
        if len(made) == 1 and rng.random() < chance and day < today - timedelta(days=12):
            quick = day > today - timedelta(days=60)  # emptied lately: awaiting settlement
            emptied.append((no, _empty(plan, made[0], today, 3 if quick else 25)))
            continue
        for lot in made:
            _live(plan, lot, lots, owner_codes, today)
    _settlements(plan, emptied, today)
    _customs(plan, lots, today)
    _counts(plan, lots, today)
    _reports(plan, today)
    _reversals(plan, lots)
    _ecommerce(plan, WAREHOUSES[0][0], owner_codes[0], today)
    return plan.commands()


# --- e-commerce (DOMAIN.md §7): a goods list, licences, a stop notice, orders of two platforms

EC_GOODS = [
    # description, HS, unit, USD a unit, origin, warehoused, licence kind, licence quantity
    ("Smartphone", "85171300", "piece", 150, "CN", 8000, "licence", 4000),
    ("Food supplement", "21069072", "box", 12, "KR", 4000, "specialised_inspection", 2000),
]
PLATFORMS = ("shopee", "lazada")


def _ecommerce(plan: Plan, warehouse_id: str, owner: str, today: date) -> None:
    """Two lots sold order by order over the last eight weeks: phones need a licence;
    supplements need an inspection result, 3 boxes a buyer a year exempt, until the Ministry
    of Health's stop notice of three weeks ago."""
    rng = random.Random(431)
    opened = today - timedelta(days=60)
    plan.at(
        moment(opened, 8),
        {
            "command": "publish_goods_list",
            "list_ref": "DM-431/2020-1",
            "effective_at": moment(opened, 8),
            "entries": [
                {"hs_prefix": "8517", "requires": ["licence"]},
                {
                    "hs_prefix": "2106",
                    "requires": ["specialised_inspection"],
                    "exempt_quantity": "3",
                },
            ],
        },
    )
    arrived = opened + timedelta(days=2)
    plan.at(
        moment(arrived, 9),
        {
            "command": "warehouse_goods",
            "declaration_no": "TK-EC0001",
            "registered_on": (arrived - timedelta(days=1)).isoformat(),
            "effective_at": moment(arrived, 9),
            "warehouse_id": warehouse_id,
            "goods_owner_tax_code": owner,
            "contract_no": contract_no(warehouse_id, owner),
            "expires_on": (arrived + timedelta(days=300)).isoformat(),
            "source": "abroad",
            "transport_doc": "BL-EC0001",
            "seals": [{"container_no": "MSKU9000001", "seal_no": "ML-EC0001", "intact": True}],
            "lines": [
                {
                    "line_no": n,
                    "description": goods[0],
                    "hs_code": goods[1],
                    "quantity": str(goods[5]),
                    "unit": goods[2],
                    "customs_value": str(goods[5] * goods[3]),
                    "currency": "USD",
                    "origin_country": goods[4],
                }
                for n, goods in enumerate(EC_GOODS, 1)
            ],
        },
    )
    for n, goods in enumerate(EC_GOODS, 1):
        plan.at(
            moment(arrived, 8, n),
            {
                "command": "register_licence",
                "licence_no": f"GP-{arrived:%y}-{n:04d}",
                "kind": goods[6],
                "issuer": "Ministry of Industry and Trade" if n == 1 else "Ministry of Health",
                "goods_owner_tax_code": owner,
                "released_at": moment(arrived, 8, n),
                "valid_from": arrived.isoformat(),
                "valid_until": (arrived + timedelta(days=365)).isoformat(),
                "use": "multiple",
                "lines": [{"hs_prefix": goods[1][:4], "unit": goods[2], "quantity": str(goods[7])}],
            },
        )
    stopped = today - timedelta(days=21)
    plan.at(
        moment(stopped, 10),
        {
            "command": "stop_exemption",
            "notice_ref": "CV-1187/BYT-ATTP",
            "ministry": "Ministry of Health",
            "hs_prefixes": ["2106"],
            "reason": "food_safety",
            "effective_at": moment(stopped, 10),
        },
    )
    number = 0
    for day_offset in range(3, 60):
        day = opened + timedelta(days=day_offset)
        if day >= today:
            break
        for _ in range(rng.randrange(40, 70)):
            number += 1
            line = rng.choice((1, 1, 2))
            quantity = rng.choice((1, 1, 1, 2, 3))
            platform = PLATFORMS[number % 2]
            when = moment(day, rng.randrange(8, 22), rng.randrange(60))
            plan.at(
                when,
                {
                    "command": "ex_warehouse_order",
                    "order_no": f"{platform[:2].upper()}{number:07d}",
                    "platform": platform,
                    "buyer_id": f"CCCD-0790{rng.randrange(600):05d}",
                    "lot_id": f"TK-EC0001/{line}",
                    "quantity": str(quantity),
                    "customs_value": str(rng.randrange(200, 4000) * 1000 * quantity),
                    "effective_at": when,
                    "import_declaration_no": f"TKN-{number:07d}",
                    "waybill_no": f"VD{number:09d}",
                    "payment_ref": f"PAY{number:09d}",
                },
            )


def hold_command(kind: str, lot: Lot, day: date) -> dict[str, Any]:
    return {
        "command": kind,
        "lot_id": lot.lot_id,
        "effective_at": moment(day, 15 if kind == "release_hold" else 10),
        "ref": f"QD-{lot.lot_id}",
        "reason": "physical inspection of the goods",
    }


def _ex(lot: Lot, quantity: Decimal, day: date, inland: bool = False) -> dict[str, Any]:
    destination = (
        {
            "destination": "inland",
            "import_declaration_no": f"NK-{lot.lot_id}-{lot.versions}",
            "purpose": "domestic_sale",
        }
        if inland
        else {
            "destination": "abroad",
            "export_declaration_no": f"XK-{lot.lot_id}-{lot.versions}",
            "border_gate": "Cat Lai port",
        }
    )
    return {
        "command": "ex_warehouse",
        "lot_id": lot.lot_id,
        "quantity": str(quantity),
        "effective_at": moment(day, 14, lot.versions % 60),
        "bill_no": f"PX-{lot.lot_id}-{lot.versions}",
        **destination,
    }


def _step(lot: Lot, rng: random.Random, today: date, most: int = 40) -> date | None:
    day = lot.last + timedelta(days=rng.randint(3, most))
    return day if day < today - timedelta(days=2) else None


def _empty(plan: Plan, lot: Lot, today: date, most: int) -> date:
    """Takes the lot out in a few ex-warehousings, the last by three days ago; the day it
    emptied."""
    rng = plan.rng
    while True:
        day = _step(lot, rng, today, most) or lot.last + timedelta(days=1)
        if day >= today - timedelta(days=2):  # no time left: the rest goes at once
            day, part = lot.last, lot.on_hand
        else:
            half = (lot.on_hand / 2).to_integral_value()
            part = half if rng.random() < 0.5 else lot.on_hand
        plan.at(moment(day, 14), _ex(lot, part, day))
        lot.ex_versions.append(lot.versions + 1)
        lot.versions += 1
        lot.on_hand -= part
        lot.last = day
        if lot.on_hand == 0:
            return day


def _live(plan: Plan, lot: Lot, lots: list[Lot], owners: list[str], today: date) -> None:
    """A lot's life: partial ex-warehousings, now and then a transfer or a move."""
    rng = plan.rng
    for _ in range(rng.randint(0, 4)):
        day = _step(lot, rng, today)
        if day is None or lot.on_hand < 20:
            return
        roll = rng.random()
        part = Decimal(rng.randrange(1, int(lot.on_hand) // 3 + 1))
        if roll < 0.7:
            inland = lot.inland and rng.random() < 0.3
            plan.at(moment(day, 14), _ex(lot, part, day, inland=inland))
            lot.ex_versions.append(lot.versions + 1)
            lot.versions += 1
        elif roll < 0.85:
            new_owner = rng.choice([o for o in owners if o != lot.owner])
            lot.splits += 1
            child = Lot(f"{lot.lot_id}.{lot.splits}", lot.warehouse_id, new_owner, part, day)
            plan.at(
                moment(day, 11),
                {
                    "command": "transfer_ownership",
                    "lot_id": lot.lot_id,
                    "quantity": str(part),
                    "effective_at": moment(day, 11),
                    "new_owner_tax_code": new_owner,
                    "new_contract_no": contract_no(lot.warehouse_id, new_owner),
                    "trading_contract_no": f"SC-{lot.lot_id}",
                    "notice_no": f"TB-{lot.lot_id}",
                },
            )
            lot.versions += 1
            lots.append(child)
        else:
            to = rng.choice([w[0] for w in WAREHOUSES if w[0] != lot.warehouse_id])
            lot.splits += 1
            child = Lot(f"{lot.lot_id}.{lot.splits}", to, lot.owner, part, day)
            plan.at(
                moment(day, 8),
                {
                    "command": "dispatch_move",
                    "lot_id": lot.lot_id,
                    "quantity": str(part),
                    "effective_at": moment(day, 8),
                    "to_warehouse_id": to,
                    "contract_no": contract_no(to, lot.owner),
                    "approval_ref": f"CV-{lot.lot_id}",
                    "seal_no": f"HQ-{lot.lot_id}-{lot.splits}",
                },
            )
            lot.versions += 1
            arrival = day + timedelta(days=rng.randint(1, 3))
            if arrival < today - timedelta(days=2) and rng.random() < 0.9:
                plan.at(
                    moment(arrival, 16),
                    {
                        "command": "receive_move",
                        "lot_id": child.lot_id,
                        "effective_at": moment(arrival, 16),
                        "seal_intact": True,
                    },
                )
                child.versions += 1
                child.last = arrival
                lots.append(child)
            # else: still in transit today
        lot.on_hand -= part
        lot.last = day


def _settlements(plan: Plan, emptied: list[tuple[str, date]], today: date) -> None:
    """Most emptied declarations are settled within 15 days; a few recent ones wait; a few
    older ones were never settled (overdue); one had its settlement extended."""
    for index, (declaration_no, day) in enumerate(emptied):
        if day > today - timedelta(days=14) or index % 9 == 4:
            continue  # awaiting settlement, or overdue for it
        if index % 9 == 7:
            plan.at(
                moment(day + timedelta(days=10), 10),
                {
                    "command": "extend_settlement",
                    "declaration_no": declaration_no,
                    "effective_at": moment(day + timedelta(days=10), 10),
                    "approval_ref": f"CV-GH-{declaration_no}",
                    "reason": "documents held by the buyer",
                },
            )
        settled = day + timedelta(
            days=plan.rng.randint(11, 14) if index % 9 == 7 else plan.rng.randint(2, 12)
        )
        if settled < today - timedelta(days=1):
            plan.at(
                moment(settled, 11),
                {
                    "command": "settle_declaration",
                    "declaration_no": declaration_no,
                    "effective_at": moment(settled, 11),
                },
            )


def _customs(plan: Plan, lots: list[Lot], today: date) -> None:
    """Holds in force and released, an extension of storage, a liquidation of overdue goods."""
    rng = plan.rng
    live = [lot for lot in lots if lot.on_hand > 20 and lot.last < today - timedelta(days=5)]
    for lot in rng.sample(live, min(6, len(live))):
        day = lot.last + timedelta(days=1)
        plan.at(moment(day, 10), hold_command("place_hold", lot, day))
        lot.versions += 1
        lot.last = day
        lot.held = True
        if rng.random() < 0.5 and day < today - timedelta(days=3):
            lot.held = False
            release = day + timedelta(days=1)
            plan.at(moment(release, 15), hold_command("release_hold", lot, release))
            lot.versions += 1
            lot.last = release
        live.remove(lot)
    old = [lot for lot in live if lot.last < START + timedelta(days=330)]
    for lot in old[:3]:  # extended before the deadline
        day = lot.last + timedelta(days=1)
        plan.at(
            moment(day, 10),
            {
                "command": "extend_storage",
                "lot_id": lot.lot_id,
                "days": 180,
                "effective_at": moment(day, 10),
                "approval_ref": f"CV-GH-{lot.lot_id}",
                "reason": "buyer's contract delayed",
            },
        )
        lot.versions += 1
        lot.last = day
        live.remove(lot)
    overdue = [lot for lot in live if lot.last < START + timedelta(days=200)]
    for lot in overdue[:1]:
        day = today - timedelta(days=20)
        part = (lot.on_hand / 4).to_integral_value()
        plan.at(
            moment(day, 10),
            {
                "command": "liquidate_overdue",
                "lot_id": lot.lot_id,
                "quantity": str(part),
                "effective_at": moment(day, 10),
                "decision_ref": f"QD-TL-{lot.lot_id}",
                "method": "auction",
            },
        )
        lot.versions += 1
        lot.on_hand -= part
        lot.last = day


def _counts(plan: Plan, lots: list[Lot], today: date) -> None:
    """A stock count in each warehouse two days ago; two lots short of their book."""
    day = today - timedelta(days=2)
    short = 0
    for warehouse_id, *_ in WAREHOUSES:
        here = [lot for lot in lots if lot.warehouse_id == warehouse_id and lot.on_hand > 0]
        counted = []
        for lot in here[-5:]:
            quantity = lot.on_hand
            if short < 2 and lot.on_hand > 10:
                quantity -= 2
                short += 1
            counted.append({"lot_id": lot.lot_id, "counted_quantity": str(quantity)})
        if counted:
            plan.at(
                moment(day, 17),
                {
                    "command": "record_stock_count",
                    "warehouse_id": warehouse_id,
                    "effective_at": moment(day, 17),
                    "counts": counted,
                },
            )


def _reports(plan: Plan, today: date) -> None:
    """Each warehouse's quarterly report (vn-2015: due the 15th after the quarter), most five
    days before the due date; one filed late and one never filed. Reports are due from the
    quarter in which a warehouse first held goods."""
    for number, (warehouse_id, *_) in enumerate(WAREHOUSES):
        arrivals = [
            when.date()
            for when, _, command in plan.timed
            if command["command"] == "warehouse_goods" and command["warehouse_id"] == warehouse_id
        ]
        if not arrivals:
            continue
        first = min(arrivals)
        starts = first.replace(month=3 * ((first.month - 1) // 3) + 1, day=1)
        while True:
            ends = (starts + timedelta(days=95)).replace(day=1) - timedelta(days=1)
            due = ends + timedelta(days=15)
            late = number == 2 and starts.month == 4
            filed = due + timedelta(days=6) if late else due - timedelta(days=5)
            if filed >= today - timedelta(days=2):
                break
            quarter = (starts.month - 1) // 3 + 1
            if not (number == 1 and starts.year == today.year and quarter == 1):
                plan.at(
                    moment(filed, 16),
                    {
                        "command": "submit_report",
                        "warehouse_id": warehouse_id,
                        "period": f"{starts.year}-Q{quarter}",
                        "effective_at": moment(filed, 16),
                    },
                )
            starts = ends + timedelta(days=1)


def _reversals(plan: Plan, lots: list[Lot]) -> None:
    """Three ex-warehousings keyed by mistake, reversed."""
    chosen = [lot for lot in lots if lot.ex_versions and lot.on_hand > 0 and not lot.held][5:8]
    for lot in chosen:
        plan.last.append(
            {
                "command": "reverse_entry",
                "lot_id": lot.lot_id,
                "version": lot.ex_versions[0],
                "reason": "keyed twice by the night shift",
            }
        )


def demo_users(tax_code_of: dict[str, str]) -> list[dict[str, Any]]:
    """One user per role, acting for a place of the demo."""
    return [
        {"name": "demo-owner", "role": "warehouse_owner", "enterprise": tax_code_of["saigon"]},
        {"name": "demo-goods-owner", "role": "goods_owner", "enterprise": tax_code_of["goods"]},
        {"name": "demo-officer", "role": "customs_officer", "office": "HCM Port Zone I"},
        {"name": "demo-inspector", "role": "provincial_inspector", "province": "Ho Chi Minh City"},
        {"name": "demo-auditor", "role": "auditor"},
        {"name": "demo-admin", "role": "admin"},
    ]


def demo_places() -> dict[str, str]:
    """The demo's warehouse operator in Ho Chi Minh City and its first goods owner."""
    return {"saigon": tax_codes(1, 301_234_560)[0], "goods": tax_codes(1, 100_109_100)[0]}


def apply_demo(service: LedgerService, commands: list[DemoCommand]) -> Iterator[Outcome]:
    """Applies the demo's commands, each recorded at its own moment (``RecordingClock``)."""
    from commands.parsing import parse_command

    real = service.clock
    service.clock = RecordingClock([c.recorded_at for c in commands])
    try:
        yield from service.execute_many(parse_command(c.command) for c in commands)
    finally:
        service.clock = real
