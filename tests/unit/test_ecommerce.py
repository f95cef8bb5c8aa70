"""DOMAIN.md §7, rule by rule: given what is recorded, when an e-commerce command comes, then
these events, or this refusal with nothing recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commands.parsing import parse_command
from commands.unit_of_work import UnitOfWork
from ledger.ecommerce_events import (
    AllowanceGivenBack,
    AllowanceUsed,
    DeductionReversed,
    LicenceDeducted,
    LicenceRegistered,
    OrderExWarehoused,
    OrderNumberTaken,
)
from ledger.errors import LedgerError
from ledger.events import EntryReversed
from ledger.roles import Role
from ledger.rulepacks import load_pack
from ledger.users import User
from tests.support import (
    OWNER_A,
    OWNER_B,
    Harness,
    at,
    goods_list,
    hold,
    licence,
    line,
    order,
    refuses,
    resume_notice,
    reversal,
    revocation,
    stop_notice,
    warehousing,
)


@pytest.fixture
def shop(ledger: Harness) -> Harness:
    """W1 holds lot D1/1: 100 pieces of HS 85423100 of OWNER_A; the goods list says HS 8542
    needs a licence, 5 a buyer a year exempt; OWNER_A holds licence L1 for 100 pieces."""
    ledger.given(warehousing("D1", line(1, "100")), goods_list(), licence())
    return ledger


def order_of(events: list) -> OrderExWarehoused:  # type: ignore[type-arg]
    return next(e for e in events if isinstance(e, OrderExWarehoused))


def remaining(ledger: Harness, licence_no: str = "L1") -> Decimal:
    return UnitOfWork(ledger.store).licence(licence_no).remaining(1)


def used(ledger: Harness, buyer: str = "B-1", year: int = 2026) -> Decimal:
    return UnitOfWork(ledger.store).allowance(buyer, year).used("8542")


# --- the basis, in §7's order ------------------------------------------------------------------


def test_goods_without_a_list_entry_are_not_controlled(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100", hs_code="61091000")), goods_list())
    events = ledger.when(order(quantity="50"))
    assert order_of(events).basis == "not_controlled"
    assert [type(e) for e in events] == [OrderExWarehoused, OrderNumberTaken]


def test_an_entry_that_requires_nothing_controls_nothing(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1"),
        goods_list("GL-1", {"hs_prefix": "8542", "requires": []}),
    )
    assert order_of(ledger.when(order(quantity="50"))).basis == "not_controlled"


def test_the_longest_prefix_governs(ledger: Harness) -> None:
    ledger.given(
        warehousing("D1"),
        goods_list(
            "GL-1",
            {"hs_prefix": "85", "requires": ["licence"]},
            {"hs_prefix": "854231", "requires": []},
        ),
    )
    assert order_of(ledger.when(order())).basis == "not_controlled"


def test_an_order_worth_at_most_the_exemption_value_is_low_value(shop: Harness) -> None:
    assert load_pack("vn-2015").order_exemption_value == Decimal("1000000")
    events = shop.when(order(quantity="50", value="1000000"))
    assert order_of(events).basis == "low_value"
    assert remaining(shop) == 100 and used(shop) == 0


def test_never_exempt_goods_are_deducted_whatever_their_value(shop: Harness) -> None:
    shop.given(
        goods_list(
            "GL-2",
            {"hs_prefix": "8542", "requires": ["licence"], "never_exempt": True},
            when="2026-02-20",
        )
    )
    events = shop.when(order(quantity="2", value="10"))
    assert order_of(events).basis == "deducted"
    assert remaining(shop) == 98


def test_a_stop_notice_ends_exemptions_while_in_force(shop: Harness) -> None:
    shop.given(stop_notice(when="2026-03-01"), resume_notice(when="2026-03-10"))
    stopped = shop.when(order("O-1", "1", "10", when="2026-03-05T10:00:00+07:00"))
    resumed = shop.when(order("O-2", "1", "10", when="2026-03-11T10:00:00+07:00"))
    before = shop.when(order("O-3", "1", "10", when="2026-02-28T10:00:00+07:00"))
    assert [order_of(e).basis for e in (stopped, resumed, before)] == [
        "deducted",
        "low_value",
        "low_value",
    ]


def test_a_buyer_gets_the_exempt_quantity_then_orders_are_deducted(shop: Harness) -> None:
    first = shop.when(order("O-1", "3"))
    second = shop.when(order("O-2", "2"))
    third = shop.when(order("O-3", "1"))
    assert [order_of(e).basis for e in (first, second, third)] == [
        "quantity_list",
        "quantity_list",
        "deducted",
    ]
    assert any(isinstance(e, AllowanceUsed) for e in first)
    assert not any(isinstance(e, AllowanceUsed) for e in third)
    assert used(shop) == 5 and remaining(shop) == 99


def test_an_order_over_what_is_left_of_the_allowance_is_deducted_whole(shop: Harness) -> None:
    shop.given(order("O-1", "4"))
    assert order_of(shop.when(order("O-2", "2"))).basis == "deducted"
    assert used(shop) == 4 and remaining(shop) == 98


def test_the_allowance_is_the_buyers_own_and_the_years_own(shop: Harness) -> None:
    shop.now = at("2027-01-10 10:00")
    shop.given(order("O-1", "5"))
    other_buyer = shop.when(order("O-2", "5", buyer="B-2"))
    next_year = shop.when(order("O-3", "5", when="2027-01-01T00:30:00+07:00"))
    assert order_of(other_buyer).basis == "quantity_list"
    # 00:30 on 1 January in Vietnam is still 31 December in UTC: the year is Vietnam's
    assert order_of(next_year).basis == "quantity_list"
    assert used(shop, year=2027) == 5


def test_deducted_orders_come_off_the_licence_line(shop: Harness) -> None:
    events = shop.when(order("O-1", "30"))
    deducted = [e for e in events if isinstance(e, LicenceDeducted)]
    assert [(d.licence_no, d.line_no, d.quantity) for d in deducted] == [("L1", 1, 30)]
    assert order_of(events).licence_nos == ("L1",)
    assert remaining(shop) == 70


def test_the_answer_names_the_basis_and_what_remains(shop: Harness) -> None:
    outcome = shop.outcome(order("O-1", "30"))
    assert outcome.result["basis"] == "deducted"
    assert outcome.result["licences"] == [{"licence_no": "L1", "deducted": "30", "remaining": "70"}]


# --- choosing the licence -----------------------------------------------------------------


def test_the_licence_that_expires_first_then_the_lowest_number(shop: Harness) -> None:
    shop.given(
        licence("L3", "100", valid_until="2026-10-31"),
        licence("L2", "100", valid_until="2026-10-31"),
    )
    assert order_of(shop.when(order("O-1", "10"))).licence_nos == ("L2",)


def test_a_licence_outside_its_validity_is_passed_over(shop: Harness) -> None:
    shop.given(licence("L0", "100", valid_until="2026-02-28"))
    assert order_of(shop.when(order("O-1", "10"))).licence_nos == ("L1",)


def test_every_kind_the_entry_requires_is_deducted(shop: Harness) -> None:
    shop.given(
        goods_list(
            "GL-2",
            {"hs_prefix": "8542", "requires": ["licence", "specialised_inspection"]},
            when="2026-02-20",
        ),
        licence("KQ-1", "50", kind="specialised_inspection"),
    )
    events = shop.when(order("O-1", "10"))
    assert sorted(order_of(events).licence_nos) == ["KQ-1", "L1"]
    assert remaining(shop, "KQ-1") == 40


def test_no_licence_refuses_naming_the_kind(shop: Harness) -> None:
    shop.given(
        goods_list(
            "GL-2",
            {"hs_prefix": "8542", "requires": ["licence", "condition"]},
            when="2026-02-20",
        )
    )
    refuses(shop, order("O-1", "10"), "licence_required", "licence_nos", "needs a condition")


def test_what_remains_is_named_when_no_licence_covers_the_order(shop: Harness) -> None:
    shop.given(order("O-1", "95"))
    refuses(shop, order("O-2", "10"), "licence_required", "licence_nos", "has 5 piece left")


def test_a_licence_of_another_goods_owner_is_never_used(shop: Harness) -> None:
    shop.given(licence("LB", "1000", OWNER_B), warehousing("D2", line(1, "1000")))
    shop.given(order("O-1", "100", lot_id="D2/1"))
    refuses(
        shop,
        order("O-2", "6", lot_id="D2/1"),
        "licence_required",
        match="of goods owner " + OWNER_A,
    )


def test_a_line_in_another_unit_does_not_serve(shop: Harness) -> None:
    shop.given(revocation("L1", when="2026-02-15"), licence("LK", "100", owner=OWNER_A))
    shop.given(
        {
            **licence("LK2", "100"),
            "lines": [{"hs_prefix": "8542", "unit": "kg", "quantity": "100"}],
        }
    )
    assert order_of(shop.when(order("O-1", "6"))).licence_nos == ("LK",)
    shop.given(revocation("LK", when="2026-03-02"))
    refuses(
        shop,
        order("O-2", "6", when="2026-03-03T10:00:00+07:00"),
        "licence_required",
        match="no line for HS 85423100 in piece",
    )


def test_a_named_licence_is_used_and_never_replaced(shop: Harness) -> None:
    shop.given(licence("L2", "100", valid_until="2026-11-30"))
    events = shop.when(order("O-1", "10", licence_nos=["L1"]))
    assert order_of(events).licence_nos == ("L1",)  # though L2 expires first
    refuses(
        shop,
        order("O-2", "200", licence_nos=["L1"]),
        "licence_not_usable",
        "licence_nos",
        "has 90 piece left",
    )


def test_a_named_licence_that_does_not_exist_is_refused(shop: Harness) -> None:
    refuses(shop, order("O-1", "10", licence_nos=["NOPE"]), "unknown_licence", "licence_nos/0")


def test_a_single_use_licence_serves_one_order(shop: Harness) -> None:
    shop.given(revocation("L1", when="2026-02-15"), licence("S1", "100", use="single"))
    shop.given(order("O-1", "10"))
    refuses(shop, order("O-2", "10"), "licence_required", match="single-use")


def test_a_single_use_licence_whose_order_is_reversed_serves_another(shop: Harness) -> None:
    shop.given(revocation("L1", when="2026-02-15"), licence("S1", "100", use="single"))
    shop.given(order("O-1", "10"), reversal("D1/1", 2))
    events = shop.when(order("O-2", "10"))
    assert order_of(events).licence_nos == ("S1",)
    refuses(shop, order("O-3", "10"), "licence_required", match="single-use")


def test_a_revoked_licence_serves_orders_before_its_revocation_only(shop: Harness) -> None:
    shop.given(revocation("L1", when="2026-03-01"))
    refuses(shop, order("O-1", "6", when="2026-03-02T10:00:00+07:00"), "licence_required")
    events = shop.when(order("O-2", "6", when="2026-02-27T10:00:00+07:00"))
    assert order_of(events).licence_nos == ("L1",)


# --- never overdrawn, backdating included ---------------------------------------------------


def test_a_backdated_order_may_not_take_what_later_orders_already_took(shop: Harness) -> None:
    shop.given(order("O-1", "90", when="2026-05-01T10:00:00+07:00"))
    # at 1 March the line still held 100, but the order of 1 May needs 90 of it afterwards
    refuses(
        shop,
        order("O-2", "20", when="2026-03-01T10:00:00+07:00"),
        "licence_required",
        match="has 10 piece left",
    )


def test_a_backdated_order_may_not_overdraw_the_allowance(shop: Harness) -> None:
    shop.given(order("O-1", "4", when="2026-05-01T10:00:00+07:00"))
    backdated = shop.when(order("O-2", "2", when="2026-03-01T10:00:00+07:00"))
    assert order_of(backdated).basis == "deducted"
    assert used(shop) == 4


def test_the_lot_balance_is_checked_at_every_later_time(shop: Harness) -> None:
    shop.given(
        goods_list("GL-2", {"hs_prefix": "8542", "requires": []}, when="2026-02-20"),
        order("O-1", "90", when="2026-05-01T10:00:00+07:00"),
    )
    refuses(
        shop,
        order("O-2", "20", when="2026-03-01T10:00:00+07:00"),
        "insufficient_balance",
        "effective_at",
    )


# --- the rules of an inland ex-warehousing ----------------------------------------------------


def test_an_order_on_a_held_lot_is_refused(shop: Harness) -> None:
    shop.given(hold("D1/1", when="2026-02-20"))
    refuses(shop, order("O-1", "1"), "lot_on_hold", "lot_id")


def test_not_for_inland_goods_take_no_orders(ledger: Harness) -> None:
    ledger.given(warehousing("D1", line(1, "100", hs_code="22030010")))
    refuses(ledger, order("O-1", "1"), "not_for_inland", "lot_id")


def test_an_order_number_is_used_once_on_its_platform(shop: Harness) -> None:
    shop.given(order("O-1", "1"))
    refuses(shop, order("O-1", "1"), "order_no_used", "order_no")
    assert order_of(shop.when(order("O-1", "1", platform="lazada"))).platform == "lazada"


def test_a_refused_order_records_nothing_on_any_stream(shop: Harness) -> None:
    shop.given(order("O-1", "95"))
    # the licence would serve 5, the lot holds 5, the allowance is empty: yet 10 is too many
    refuses(shop, order("O-2", "10", value="1"), "insufficient_balance")
    assert remaining(shop) == 5 and used(shop) == 0


# --- reversal gives all three back ------------------------------------------------------------


def test_reversing_an_order_gives_back_the_lot_the_licence_and_the_allowance(
    shop: Harness,
) -> None:
    shop.given(order("O-1", "3"), order("O-2", "30"))
    back_allowance = shop.when(reversal("D1/1", 2))
    back_licence = shop.when(reversal("D1/1", 3))
    assert [type(e) for e in back_allowance] == [EntryReversed, AllowanceGivenBack]
    assert [type(e) for e in back_licence] == [EntryReversed, DeductionReversed]
    assert remaining(shop) == 100 and used(shop) == 0
    lot = UnitOfWork(shop.store).lot("D1/1").current()
    assert lot is not None and lot.on_hand == 100
    # what was given back can be ordered again, and the number stays taken
    assert order_of(shop.when(order("O-3", "5"))).basis == "quantity_list"
    refuses(shop, order("O-1", "1"), "order_no_used")


# --- goods lists, licences, notices ---------------------------------------------------------


def test_a_list_replaces_the_one_before_it_from_its_effective_time(shop: Harness) -> None:
    shop.given(goods_list("GL-2", {"hs_prefix": "99", "requires": ["licence"]}, when="2026-04-01"))
    before = shop.when(order("O-1", "10", when="2026-03-31T10:00:00+07:00"))
    after = shop.when(order("O-2", "10", when="2026-04-01T10:00:00+07:00"))
    assert (order_of(before).basis, order_of(after).basis) == ("deducted", "not_controlled")


@pytest.mark.parametrize(
    ("entries", "code", "field"),
    [
        ([{"hs_prefix": "8", "requires": []}], "invalid_hs_prefix", "entries/0/hs_prefix"),
        ([{"hs_prefix": "85x2", "requires": []}], "invalid_hs_prefix", "entries/0/hs_prefix"),
        (
            [{"hs_prefix": "8542", "requires": []}, {"hs_prefix": "8542", "requires": []}],
            "duplicate_hs_prefix",
            "entries/1/hs_prefix",
        ),
        ([{"hs_prefix": "8542", "requires": ["visa"]}], "invalid_command", None),
        (
            [{"hs_prefix": "8542", "requires": [], "exempt_quantity": "0"}],
            "invalid_command",
            None,
        ),
    ],
)
def test_a_goods_list_entry_keeps_its_rules(
    ledger: Harness,
    entries: list,
    code: str,
    field: str | None,  # type: ignore[type-arg]
) -> None:
    head = ledger.store.head()
    with pytest.raises(LedgerError) as caught:
        ledger.service.execute(parse_command(goods_list("GL-1", *entries)))
    assert caught.value.code == code
    if field is not None:
        assert caught.value.field == field
    assert ledger.store.head() == head


def test_a_list_ref_is_used_once(shop: Harness) -> None:
    refuses(shop, goods_list(), "list_ref_used", "list_ref")


def test_a_licence_number_is_used_once(shop: Harness) -> None:
    refuses(shop, licence(), "licence_exists", "licence_no")


def test_a_licence_needs_a_registered_goods_owner(shop: Harness) -> None:
    refuses(shop, licence("L9", owner="0101245486"), "unknown_enterprise", "goods_owner_tax_code")


def test_a_licence_is_recorded_once_released(shop: Harness) -> None:
    refuses(
        shop,
        licence("L9", released="2026-11-24T08:00:00+07:00"),
        "released_in_future",
        "released_at",
    )


def test_a_licence_is_valid_from_before_until(shop: Harness) -> None:
    refuses(shop, licence("L9", valid_until="2026-01-01"), "invalid_validity", "valid_until")


def test_a_licence_recorded_more_than_two_hours_after_release_is_late(shop: Harness) -> None:
    pack = load_pack("vn-2015")
    shop.now = at("2026-02-01 10:00")
    on_time = shop.when(licence("L8", released="2026-02-01T08:00:00+07:00"))
    shop.now = at("2026-02-01 10:01")
    late = shop.when(licence("L9", released="2026-02-01T08:00:00+07:00"))
    registered = [
        next(e for e in events if isinstance(e, LicenceRegistered)) for events in (on_time, late)
    ]
    assert [r.is_late(pack) for r in registered] == [False, True]


def test_a_revocation_is_refused_while_a_deduction_stands_at_or_after_it(shop: Harness) -> None:
    shop.given(order("O-1", "10", when="2026-05-01T10:00:00+07:00"))
    refuses(shop, revocation(when="2026-05-01"), "deduction_after_revocation", "effective_at")
    shop.given(revocation(when="2026-05-02"))
    refuses(shop, revocation(when="2026-05-03"), "licence_revoked", "licence_no")
    refuses(shop, revocation("NOPE"), "unknown_licence", "licence_no")


def test_a_resumption_names_a_notice_in_force(shop: Harness) -> None:
    refuses(shop, resume_notice("N-9"), "unknown_notice", "notice_ref")
    shop.given(stop_notice(when="2026-04-01"), resume_notice(when="2026-05-01"))
    refuses(shop, resume_notice(when="2026-06-01"), "notice_not_in_force", "notice_ref")
    refuses(shop, stop_notice(when="2026-06-01"), "notice_ref_used", "notice_ref")


def test_a_stop_notice_gives_one_of_the_laws_reasons(shop: Harness) -> None:
    with pytest.raises(LedgerError) as caught:
        shop.service.execute(parse_command({**stop_notice("N-2"), "reason": "whim"}))
    assert caught.value.code == "invalid_command"


# --- roles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "command"),
    [
        (Role.WAREHOUSE_OWNER, goods_list("GL-9")),
        (Role.CUSTOMS_OFFICER, stop_notice("N-9")),
        (Role.WAREHOUSE_OWNER, licence("L9")),
        (Role.GOODS_OWNER, order("O-9")),
        (Role.CUSTOMS_OFFICER, order("O-9")),
    ],
)
def test_only_the_roles_of_section_7_record_its_commands(
    shop: Harness,
    role: Role,
    command: dict,  # type: ignore[type-arg]
) -> None:
    place = {"office": "HCM Port 1"} if role is Role.CUSTOMS_OFFICER else {"enterprise": OWNER_A}
    caller = User("someone", role, **place)
    head = shop.store.head()
    with pytest.raises(LedgerError) as caught:
        shop.outcome(command, caller)
    assert caught.value.code == "role_not_allowed"
    assert shop.store.head() == head
