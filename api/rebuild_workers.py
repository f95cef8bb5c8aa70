"""Processes that build shares of a blue/green rebuild's shadow at once (PostgreSQL): the
composition root's part of ``ReadModelRunner.rebuild(workers=N)``, since only it knows how to
open the ledger in a new process."""

from __future__ import annotations

import multiprocessing

from commands.settings import Settings
from projections.projection import tracked
from projections.runner import BuildShares, Progress, ReadModelRunner
from projections.shadow import Shadow

POLL_SECONDS = 0.5


def _build_share(settings: Settings, schema: str, names: list[str], head: int) -> None:
    from api.wiring import open_ledger

    ledger = open_ledger(settings)
    try:
        live = ledger.runner
        shadow = Shadow(live.engine, schema)
        projections = live.fresh() if live.fresh is not None else live.projections
        runner = ReadModelRunner(shadow.engine, live.source, live.decode, projections, shadow)
        runner.only(names).catch_up(until=head)
    finally:
        ledger.close()


def share_builder(settings: Settings) -> BuildShares:
    """Builds each share of a shadow up to ``head`` in a process of its own, reporting the
    slowest read model's position as it goes; raises if a process fails."""

    def build(shadow: Shadow, split: list[list[str]], head: int, progress: Progress | None) -> None:
        context = multiprocessing.get_context("spawn")
        processes = [
            context.Process(target=_build_share, args=(settings, shadow.schema, share, head))
            for share in split
        ]
        names = [name for share in split for name in share]
        for process in processes:
            process.start()
        try:
            for process in processes:
                while process.is_alive():
                    process.join(POLL_SECONDS)
                    if progress is not None:
                        with shadow.engine.connect() as connection:
                            found = tracked(shadow.translated(connection))
                        progress(min(found[n].position if n in found else 0 for n in names), head)
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()
                process.join()
        failed = [process.exitcode for process in processes if process.exitcode]
        if failed:
            raise RuntimeError(f"a rebuild worker failed (exit status {failed[0]})")

    return build
