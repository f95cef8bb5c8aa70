"""The read models answer on both axes, on SQLite and PostgreSQL, and rebuild exactly."""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select, text, update

from commands.store import EventStore
from ledger.errors import LedgerError
from ledger.rulepacks import load_pack
from projections import tables as t
from projections.history import LotHistoryProjection
from projections.projection import PositionMoved, Recorded
from projections.projector import CurrentLotsProjection
from projections.queries import Filters, ReadModel, When
from projections.runner import ReadModelRunner, read_model_projections
from projections.schema import HEAD, MIGRATIONS
from tests.support import (
    OWNER_B,
    Harness,
    at,
    dispatch,
    ex_warehousing,
    hold,
    line,
    receipt,
    reversal,
    transfer,
    warehousing,
    world,
)


class ReadSide:
    def __init__(self, store: EventStore) -> None:
        engine = store.recorder.datastore.engine  # type: ignore[attr-defined]
        assert isinstance(engine, Engine)
        self.engine = engine
        pack = load_pack("vn-2015")
        projections = read_model_projections(store.decode, pack)
        self.runner = ReadModelRunner(engine, store.recorder, store.decode, projections)  # type: ignore[arg-type]
        self.model = ReadModel(engine, store.decode, pack)

    def ask(self, question: str, *args: Any) -> list[dict[str, Any]]:
        self.runner.catch_up()
        answer: list[dict[str, Any]] = getattr(self.model, question)(*args)
        return answer


@pytest.fixture
def read(store: EventStore) -> ReadSide:
    return ReadSide(store)


def on_hand(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {row["lot_id"]: row["on_hand"] for row in rows}


def test_balances_now_with_filters(ledger: Harness, read: ReadSide) -> None:
    ledger.given(warehousing("D1", line(1, "100"), line(2, "40.5")), transfer(quantity="30"))
    ledger.given(dispatch("D1/2", "40.5"))
    now = When(date(2026, 11, 23))
    assert on_hand(read.ask("balances", Filters(), now)) == {
        "D1/1": "70",
        "D1/1.1": "30",
        "D1/2": "0",
    }
    assert on_hand(read.ask("balances", Filters(owner=OWNER_B), now)) == {"D1/1.1": "30"}
    in_w2 = read.ask("balances", Filters(warehouse_id="W2"), now)
    assert [(r["lot_id"], r["in_transit"]) for r in in_w2] == [("D1/2", "40.5")]
    ledger.given(receipt("D1/2"))
    assert on_hand(read.ask("balances", Filters(warehouse_id="W2"), now)) == {"D1/2": "40.5"}


def test_a_backdated_entry_answers_right_on_both_axes(ledger: Harness, read: ReadSide) -> None:
    ledger.now = at("2026-03-10 09:00")
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="30", when="2026-03-01")
    )
    first_known = ledger.now
    ledger.now = at("2026-03-12 09:00")
    ledger.given(ex_warehousing(quantity="20", when="2026-02-20"))  # late entry, backdated
    filters = Filters(lot_id="D1/1")
    assert on_hand(read.ask("balances", filters, When(date(2026, 2, 25)))) == {"D1/1": "80"}
    assert on_hand(read.ask("balances", filters, When(date(2026, 2, 25), first_known))) == {
        "D1/1": "100"
    }
    assert on_hand(read.ask("balances", filters, When(date(2026, 3, 5)))) == {"D1/1": "50"}
    assert on_hand(read.ask("balances", filters, When(date(2026, 3, 5), first_known))) == {
        "D1/1": "70"
    }
    assert read.ask("balances", filters, When(date(2026, 2, 10))) == []  # not yet arrived


def test_a_reversal_leaves_the_original_out_only_once_recorded(
    ledger: Harness, read: ReadSide
) -> None:
    ledger.now = at("2026-03-10 09:00")
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="30", when="2026-03-01")
    )
    before = ledger.now
    ledger.now = at("2026-04-01 09:00")
    ledger.given(reversal("D1/1", 2))
    filters = Filters(lot_id="D1/1")
    assert on_hand(read.ask("balances", filters, When(date(2026, 3, 5)))) == {"D1/1": "100"}
    assert on_hand(read.ask("balances", filters, When(date(2026, 3, 5), before))) == {"D1/1": "70"}
    card = read.ask("stock_card", "D1/1", When(date(2026, 11, 23)))
    assert [(r["version"], r["event"], r["reversed"], r["balance"]) for r in card] == [
        (1, "LotWarehoused", False, "100"),
        (2, "LotExWarehoused", True, "100"),
        (3, "EntryReversed", False, "100"),
    ]
    known_card = read.ask("stock_card", "D1/1", When(date(2026, 11, 23), before))
    assert [(r["version"], r["balance"]) for r in known_card] == [(1, "100"), (2, "70")]


def test_stock_card_shows_lineage_and_running_balance(ledger: Harness, read: ReadSide) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="10"))
    ledger.given(transfer(quantity="30"), dispatch(quantity="60"), receipt("D1/1"))
    card = read.ask("stock_card", "D1/1", When(date(2026, 11, 23)))
    assert [
        (r["event"], r["quantity_in"], r["quantity_out"], r["balance"], r["related_lot_id"])
        for r in card
    ] == [
        ("LotWarehoused", "100", "0", "100", None),
        ("LotExWarehoused", "0", "10", "90", None),
        ("OwnershipTransferred", "0", "30", "60", "D1/1.1"),
        ("MoveDispatched", "0", "0", "60", None),
        ("MoveReceived", "0", "0", "60", None),
    ]
    assert [r["in_transit"] for r in card] == ["0", "0", "0", "60", "0"]
    child = read.ask("stock_card", "D1/1.1", When(date(2026, 11, 23)))
    assert [(r["event"], r["related_lot_id"], r["balance"]) for r in child] == [
        ("LotSplitOff", "D1/1", "30")
    ]


def test_clocks_and_overdue_follow_the_deadline(ledger: Harness, read: ReadSide) -> None:
    ledger.given(warehousing("D1", line(1, "100")))  # box 2 expiry 2027-02-10
    ledger.given(
        warehousing(
            "D2",
            line(1, "5"),
            expires_on="2026-12-01",
            registered_on="2026-03-01",
            effective_at="2026-03-02",
        )
    )
    ledger.given(ex_warehousing("D2/1", "5", "2026-04-01"))
    (clock,) = read.ask("clocks", Filters(lot_id="D1/1"), When(date(2026, 11, 23)))
    assert clock == {
        "lot_id": "D1/1",
        "warehouse_id": "W1",
        "first_warehoused_on": "2026-02-11",
        "deadline": "2027-02-10",
        "days_in_storage": 285,
        "days_left": 79,
        "status": "ok",
    }
    (soon,) = read.ask("clocks", Filters(lot_id="D1/1"), When(date(2027, 1, 15)))
    assert (soon["status"], soon["days_left"]) == ("due_soon", 26)
    assert read.ask("overdue", Filters(), When(date(2027, 2, 10))) == []
    (late,) = read.ask("overdue", Filters(warehouse_id="W1"), When(date(2027, 2, 11)))
    assert (late["lot_id"], late["status"], late["days_left"]) == ("D1/1", "overdue", -1)
    assert read.ask("overdue", Filters(province="Ha Noi"), When(date(2027, 2, 11))) == []


def test_a_storage_extension_and_a_contract_extension_move_the_clock(
    ledger: Harness, read: ReadSide
) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    ledger.given(
        {
            "command": "extend_rent_contract",
            "contract_no": "C-A-W1",
            "expires_on": "2027-12-31",
            "effective_at": "2026-06-01",
        }
    )
    (clock,) = read.ask("clocks", Filters(lot_id="D1/1"), When(date(2026, 11, 23)))
    assert clock["deadline"] == "2027-02-11"  # now the statutory 12 months bind
    ledger.given(
        {
            "command": "extend_storage",
            "lot_id": "D1/1",
            "days": 100,
            "effective_at": "2026-07-01",
            "approval_ref": "CV",
            "reason": "r",
        }
    )
    (extended,) = read.ask("clocks", Filters(lot_id="D1/1"), When(date(2026, 11, 23)))
    assert extended["deadline"] == "2027-05-22"
    (before,) = read.ask("clocks", Filters(lot_id="D1/1"), When(date(2026, 5, 1)))
    assert before["deadline"] == "2027-02-10"  # as of May, neither extension had happened


def test_settlement_statuses_through_time(ledger: Harness, read: ReadSide) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="100", when="2026-06-01")
    )

    def status(day: date) -> tuple[str, str | None]:
        (row,) = read.ask("settlements", Filters(warehouse_id="W1"), When(day))
        return row["status"], row["settlement_due_on"]

    assert status(date(2026, 5, 31)) == ("open", None)
    assert status(date(2026, 6, 16)) == ("awaiting_settlement", "2026-06-16")
    assert status(date(2026, 6, 17)) == ("settlement_overdue", "2026-06-16")
    ledger.given(
        {
            "command": "extend_settlement",
            "declaration_no": "D1",
            "effective_at": "2026-06-10",
            "approval_ref": "A",
            "reason": "r",
        }
    )
    assert status(date(2026, 6, 17)) == ("awaiting_settlement", "2026-07-01")
    ledger.given(
        {"command": "settle_declaration", "declaration_no": "D1", "effective_at": "2026-06-20"}
    )
    assert status(date(2026, 6, 19))[0] == "awaiting_settlement"
    (row,) = read.ask("settlements", Filters(warehouse_id="W1"), When(date(2026, 6, 20)))
    assert (row["status"], row["settled_on"], row["emptied_on"]) == (
        "settled",
        "2026-06-20",
        "2026-06-01",
    )


def test_settlements_as_of_count_nothing_before_it_took_effect(
    ledger: Harness, read: ReadSide
) -> None:
    ledger.given(
        warehousing("D1", line(1, "100")), ex_warehousing(quantity="100", when="2026-06-01")
    )
    assert (
        read.ask("settlements", Filters(warehouse_id="W1"), When(date(2026, 2, 10))) == []
    )  # goods arrive on 11 Feb
    assert [
        r["declaration_no"]
        for r in read.ask("settlements", Filters(warehouse_id="W1"), When(date(2026, 2, 11)))
    ]
    ledger.given(
        {
            "command": "extend_settlement",
            "declaration_no": "D1",
            "effective_at": "2026-06-12",
            "approval_ref": "A",
            "reason": "r",
        }
    )

    def due(day: date) -> str | None:
        (row,) = read.ask("settlements", Filters(warehouse_id="W1"), When(day))
        return row["settlement_due_on"]

    assert due(date(2026, 6, 11)) == "2026-06-16"  # the extension is not granted yet
    assert due(date(2026, 6, 12)) == "2026-07-01"


def test_a_held_lot_and_one_whose_creation_was_reversed(ledger: Harness, read: ReadSide) -> None:
    ledger.given(warehousing("D1", line(1, "100"), line(2, "1")), hold("D1/1", "2026-03-01"))
    ledger.given(reversal("D1/2", 1))
    rows = read.ask("balances", Filters(), When(date(2026, 11, 23)))
    assert on_hand(rows) == {"D1/1": "100"}
    with read.engine.connect() as connection:
        held = connection.execute(select(t.lots.c.held).where(t.lots.c.lot_id == "D1/1")).scalar()
    assert held is True


def test_a_rebuild_equals_the_live_read_models(ledger: Harness, read: ReadSide) -> None:
    random_history(ledger, lambda: read.runner.catch_up())  # live: in several catch-ups
    read.runner.catch_up()
    live = dump(read.engine)
    assert len(live["rm_lots"]) > 30
    read.runner.rebuild()
    assert dump(read.engine) == live


def random_history(ledger: Harness, every_hundred: Callable[[], object], first: int = 1) -> None:
    """Thirty warehousings (declarations D``first`` on), then 400 random movements of their
    lots (many refused), calling ``every_hundred`` after each hundred."""
    rng = random.Random(20261123 + first)
    for n in range(first, first + 30):
        ledger.given(warehousing(f"D{n}", line(1, str(rng.randint(10, 90))), line(2, "7")))
    for step in range(400):
        n = rng.randint(first, first + 29)
        lot = f"D{n}/{rng.randint(1, 2)}"
        month, day_of_month, hour = rng.randint(3, 10), rng.randint(1, 28), rng.randint(8, 17)
        day = f"2026-{month:02d}-{day_of_month:02d}T{hour:02d}:00:00+07:00"
        choice = rng.random()
        command: dict[str, Any]
        if choice < 0.4:
            command = ex_warehousing(lot, str(rng.randint(1, 5)), day)
        elif choice < 0.55:
            command = transfer(lot, str(rng.randint(1, 4)), day)
        elif choice < 0.7:
            command = dispatch(lot, str(rng.randint(1, 4)), day)
        elif choice < 0.8:
            command = receipt(f"{lot}.1", day)
        elif choice < 0.9:
            command = reversal(lot, rng.randint(2, 4))
        else:
            command = hold(lot, day, release=rng.random() < 0.5)
        with contextlib.suppress(LedgerError):  # random commands are often refused
            ledger.given(command)
        if step % 100 == 0:
            every_hundred()


def test_one_read_model_rebuilds_alone(ledger: Harness, read: ReadSide) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="30"))
    ledger.given(transfer(quantity="20"), reversal("D1/1", 2))
    read.runner.catch_up()
    live = dump(read.engine)
    with read.engine.begin() as connection:  # damage one read model only
        connection.execute(t.lot_history.delete())
    read.runner.rebuild(names=["lot_history"])
    assert dump(read.engine) == live
    with pytest.raises(ValueError, match="no read model named nope"):
        read.runner.rebuild(names=["nope"])


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every read model's rows, and each one's position and version (not when it last moved,
    how fast, or how many times it was rebuilt)."""
    c = t.tracking.c
    with engine.connect() as connection:
        dumped = {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)))
            for table in t.READ_MODEL_TABLES
        }
        positions = select(c.projection, c.position, c.version)
        dumped[t.tracking.name] = sorted(tuple(row) for row in connection.execute(positions))
        return dumped


def test_a_runner_that_fell_behind_another_applies_nothing(
    ledger: Harness, read: ReadSide, store: EventStore
) -> None:
    ledger.given(warehousing("D1", line(1, "100")))
    read.runner.catch_up()
    ledger.given(ex_warehousing(quantity="1"))
    late = CurrentLotsProjection(store.decode, load_pack("vn-2015"))
    rows = store.recorder.notification_rows(0, 1000)  # type: ignore[attr-defined]
    batch = [Recorded(*row, store.decode(row[2], row[3])) for row in rows]  # type: ignore[misc]
    with pytest.raises(PositionMoved), read.engine.begin() as connection:
        late.apply(connection, batch[-1:])
        late.advance(connection, 0, batch[-1].position)  # it believes it is still at 0
    read.runner.catch_up()
    assert on_hand(read.model.balances(Filters(), When(date(2026, 11, 23)))) == {"D1/1": "99"}


def test_the_schema_head_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_the_due_soon_window_is_configurable(
    ledger: Harness, read: ReadSide, store: EventStore
) -> None:
    ledger.given(warehousing("D1", line(1, "100")))  # deadline 2027-02-10
    wide = ReadModel(read.engine, store.decode, load_pack("vn-2015"), due_soon_days=90)
    read.runner.catch_up()
    (default,) = read.model.clocks(Filters(), When(date(2026, 12, 1)))
    (widened,) = wide.clocks(Filters(), When(date(2026, 12, 1)))
    assert (default["status"], widened["status"]) == ("ok", "due_soon")


def test_a_follower_catches_up_and_stops_when_asked(
    ledger: Harness, read: ReadSide, store: EventStore
) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="1"))
    seen: list[int] = []
    head = store.head()
    read.runner.follow(
        0.01,
        should_stop=lambda: bool(seen) and seen[-1] >= head,
        progress=lambda position, _: seen.append(position),
    )
    assert read.runner.status().lag == 0
    assert on_hand(read.model.balances(Filters(), When(date(2026, 11, 23)))) == {"D1/1": "99"}


def test_runners_of_two_processes_taking_turns_keep_the_read_models_exact(
    ledger: Harness, read: ReadSide, store: EventStore
) -> None:
    """Each runner caches what it projected; when the other moved the read models on
    meanwhile, those caches miss events and must go."""
    other = ReadSide(store)
    ledger.given(warehousing("D1", line(1, "100")))
    for turn in range(6):
        ledger.given(ex_warehousing(quantity="1", when=f"2026-03-{turn + 1:02d}"))
        (read if turn % 2 else other).runner.catch_up()
    live = dump(read.engine)
    read.runner.rebuild()
    assert dump(read.engine) == live
    assert on_hand(read.model.balances(Filters(), When(date(2026, 11, 23)))) == {"D1/1": "94"}


@pytest.mark.postgres
def test_postgresql_gets_fresh_statistics_for_the_read_models(postgres_url: str) -> None:
    """After a large catch-up the planner must not plan from the empty tables' estimates."""
    from sqlalchemy import text as sql

    from commands.settings import Settings

    store = EventStore(Settings(postgres_url).event_store_env())
    side = ReadSide(store)
    side.runner.migrate()
    side.runner.analyze()
    with side.engine.connect() as connection:
        analyzed = connection.execute(
            sql(
                "SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'rm_%' "
                "AND last_analyze IS NOT NULL"
            )
        ).scalars()
        assert {"rm_lot_states", "rm_lot_history", "rm_lot_origins", "rm_lots"} <= set(analyzed)
    store.close()


def test_a_rebuild_is_swapped_in_while_others_record_follow_and_read(
    ledger: Harness, read: ReadSide, store: EventStore
) -> None:
    """Blue/green: the rebuild builds beside the live read models, which a follower of its
    own keeps projecting and readers keep reading; every answer has every lot, and the
    read models after the swap equal a rebuild from nothing."""
    lots = [f"D{n}/1" for n in range(12)]
    ledger.given(*(warehousing(lot.split("/")[0], line(1, "1000")) for lot in lots))
    read.runner.catch_up()
    follower = ReadSide(store)  # another process's runner, as `bonded serve` has
    stop = threading.Event()
    failures: list[BaseException] = []
    answers: list[int] = []

    def record_and_follow() -> None:
        n = 0
        while not stop.is_set():
            ledger.given(ex_warehousing(lots[n % len(lots)], "1"))
            follower.runner.catch_up()
            n += 1

    def ask() -> None:
        while not stop.is_set():
            answers.append(len(follower.model.balances(Filters(), When(date(2026, 11, 23)))))

    def guarded(work: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                work()
            except BaseException as failure:  # noqa: BLE001 - any failure in a thread fails the test
                failures.append(failure)
                stop.set()

        return run

    threads = [threading.Thread(target=guarded(w)) for w in (record_and_follow, ask)]
    for thread in threads:
        thread.start()
    try:
        for names in ([], ["lots"], ["lot_history", "reference"], []):
            read.runner.rebuild(names=names)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert answers and set(answers) == {len(lots)}  # never empty, never half-built
    read.runner.catch_up()
    live = dump(read.engine)
    assert read.runner.status().read_models["lots"].generation == 3  # rebuilt three times
    with read.engine.begin() as connection:  # from nothing: cleared and built in place
        for projection in read.runner.projections:
            projection.clear(connection)
    read.runner.rebuild()
    assert dump(read.engine) == live
    assert len(on_hand(read.model.balances(Filters(), When(date(2026, 11, 23))))) == len(lots)


def test_a_read_model_built_by_another_version_is_rebuilt_beside_on_catch_up(
    ledger: Harness, read: ReadSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="30"))
    read.runner.catch_up()
    live = dump(read.engine)
    newer = LotHistoryProjection.version + 1
    monkeypatch.setattr(LotHistoryProjection, "version", newer)  # its definition changed
    assert read.runner.stale() == ["lot_history"]
    ledger.given(ex_warehousing(quantity="5"))
    read.runner.catch_up()
    status = read.runner.status()
    history = status.read_models["lot_history"]
    assert (history.version, history.generation, history.position) == (newer, 1, status.head)
    assert status.read_models["lots"].generation == 0  # the others were not touched
    assert read.runner.stale() == []
    assert on_hand(read.model.balances(Filters(), When(date(2026, 11, 23)))) == {"D1/1": "65"}
    assert len(dump(read.engine)["rm_lot_history"]) == len(live["rm_lot_history"]) + 1


def test_read_models_beyond_the_logs_head_are_rebuilt_and_said_so(
    ledger: Harness, read: ReadSide, store: EventStore, caplog: pytest.LogCaptureFixture
) -> None:
    """The log lost its last events (restored from an older backup; a failover to a server
    that lacked them): the read models that had projected them are rebuilt from the log as
    it is, not left saying what it no longer does, and the runner says why."""
    ledger.given(warehousing("D1", line(1, "100")), ex_warehousing(quantity="30"))
    kept = store.head()
    ledger.given(ex_warehousing(quantity="5"), ex_warehousing(quantity="7"))
    read.runner.catch_up()
    assert on_hand(read.model.balances(Filters(), When(date(2026, 11, 23)))) == {"D1/1": "58"}
    events = store.recorder.events_table_name  # type: ignore[attr-defined]
    with read.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {events} WHERE id > :kept"), {"kept": kept})
    with caplog.at_level(logging.WARNING, logger="bonded.projections"):
        read.runner.catch_up()
    assert "beyond the event log's head" in caplog.text and "rebuilding" in caplog.text
    status = read.runner.status()
    assert status.head == kept and set(status.positions.values()) == {kept}
    assert on_hand(read.model.balances(Filters(), When(date(2026, 11, 23)))) == {"D1/1": "70"}
    live = dump(read.engine)
    read.runner.rebuild()
    assert dump(read.engine) == live


def test_reversing_one_of_two_entries_at_the_same_last_moment(
    ledger: Harness, read: ReadSide
) -> None:
    """The lot's states are kept a day at a time and folded on from the last day's when an
    entry comes after every other; a reversal is never such an entry, even when what is left
    last shares the reversed entry's moment."""
    ledger.given(warehousing("D1", line(1, "100")))
    ledger.given(ex_warehousing(quantity="10", when="2026-03-01T10:00:00+07:00"))
    ledger.given(ex_warehousing(quantity="5", when="2026-03-01T10:00:00+07:00"))
    read.runner.catch_up()
    ledger.given(reversal("D1/1", 3))
    read.runner.catch_up()
    day = When(date(2026, 3, 1), at("2026-12-31 00:00"))  # as known now: the lot states
    assert on_hand(read.model.balances(Filters(), day)) == {"D1/1": "90"}
    read.runner.rebuild()
    assert on_hand(read.model.balances(Filters(), day)) == {"D1/1": "90"}


def test_a_question_leaves_a_stale_read_model_to_the_follower(database_url: str) -> None:
    """A read model built by another version of its projection is not projected by this one
    (its rows would mix two definitions) and a question does not wait for its rebuild: it
    stays as built until the follower rebuilds it beside the live ones, with projections of
    its own."""
    from api.wiring import open_ledger
    from commands.settings import Settings

    ledger = open_ledger(Settings(database_url))
    try:
        harness = Harness(ledger.service.store)
        harness.given(*world(), warehousing("D1", line(1, "100")))
        ledger.catch_up()
        with ledger.runner.engine.begin() as connection:  # built by an older definition
            connection.execute(
                update(t.tracking).where(t.tracking.c.projection == "lot_history").values(version=1)
            )
        harness.given(ex_warehousing(quantity="30"))
        ledger.catch_up()
        status = ledger.runner.status()
        assert status.read_models["lots"].position == status.head
        assert status.read_models["lot_history"].position < status.head  # left as it was
        assert ledger.runner.stale() == ["lot_history"]
        ledger.follow_once()
        status = ledger.runner.status()
        history = status.read_models["lot_history"]
        assert (history.position, history.version, history.generation) == (
            status.head,
            LotHistoryProjection.version,
            1,
        )
        past = When(date(2026, 3, 2), at("2026-12-31 00:00"))  # answered from the lot states
        assert on_hand(ledger.read_model.balances(Filters(), past)) == {"D1/1": "70"}
    finally:
        ledger.close()
