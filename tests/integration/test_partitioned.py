"""Read models projected by several runners at once, one per read model (as several processes
do, ``bonded projections run --workers``), on both backends: the rows are those of the
sequential fold, and the current lots, which read the reference read model's tables, never go
past it."""

from __future__ import annotations

import threading

import pytest

from api.wiring import open_ledger
from commands.settings import Settings
from commands.store import EventStore
from projections.runner import ReadModelRunner, shares
from tests.integration.test_read_models import ReadSide, dump, random_history
from tests.support import Harness, world


def _runner(store: EventStore, names: list[str]) -> ReadModelRunner:
    return ReadSide(store).runner.only(names)


def test_runners_of_one_read_model_each_equal_the_sequential_fold(
    ledger: Harness, store: EventStore
) -> None:
    read = ReadSide(store)
    names = [p.name for p in read.runner.projections]
    runners = {name: _runner(store, [name]) for name in names}
    random_history(ledger, lambda: None)
    head = store.head()

    # the current lots read the warehouses and contracts: never projected past the reference
    assert runners["lots"].catch_up() == 0
    runners["reference"].catch_up(until=head // 2)
    runners["lots"].catch_up()
    positions = read.runner.status().positions
    assert positions["lots"] == positions["reference"] <= head // 2

    # then every runner at once, in threads, while more is recorded
    errors: list[BaseException] = []

    def follow(runner: ReadModelRunner) -> None:
        try:
            for _ in range(3):
                runner.catch_up()
        except Exception as error:  # noqa: BLE001 - reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=follow, args=(r,)) for r in runners.values()]
    for thread in threads:
        thread.start()
    random_history(ledger, lambda: None, first=31)
    for thread in threads:
        thread.join()
    assert not errors
    for runner in runners.values():
        runner.catch_up()
    assert runners["lots"].status().lag == 0
    parallel = dump(read.engine)
    assert len(parallel["rm_lots"]) > 30
    read.runner.rebuild()
    assert dump(read.engine) == parallel


def test_the_shares_of_two_workers_keep_each_read_model_in_one() -> None:
    from ledger.rulepacks import load_pack
    from projections.runner import read_model_projections

    projections = read_model_projections(lambda topic, state: NotImplemented, load_pack("vn-2015"))
    two = shares(projections, 2)
    assert sorted(name for share in two for name in share) == sorted(p.name for p in projections)
    weights = {p.name: p.weight for p in projections}
    loads = sorted(sum(weights[n] for n in share) for share in two)
    assert loads[1] - loads[0] <= max(weights.values())
    assert shares(projections, 1) == [
        [p.name for p in sorted(projections, key=lambda p: -p.weight)]
    ]
    assert len(shares(projections, 20)) == len(projections)
    from api.cli.operations import READ_MODELS  # what --only's help names

    assert ", ".join(p.name for p in projections) == READ_MODELS


@pytest.mark.postgres
def test_a_rebuild_by_two_processes_equals_the_live_read_models(postgres_url: str) -> None:
    ledger = open_ledger(Settings(postgres_url))
    try:
        harness = Harness(ledger.service.store)
        harness.given(*world())
        random_history(harness, ledger.catch_up)
        ledger.catch_up()
        engine = ledger.runner.engine
        live = dump(engine)
        seen: list[int] = []
        ledger.runner.rebuild(lambda position, head: seen.append(position), workers=2)
        assert dump(engine) == live
        assert seen and seen[-1] == ledger.runner.status().head
        generations = {r.generation for r in ledger.runner.status().read_models.values()}
        assert generations == {1}  # swapped in once, every read model
    finally:
        ledger.close()
