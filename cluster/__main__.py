"""``python -m cluster``: start, watch, switch over and stop the cluster on this machine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cluster import control
from cluster.layout import DEFAULT_BASE_PORT, DEFAULT_FOLDER, Layout
from cluster.packages import Missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cluster",
        description="A PostgreSQL 15 cluster on this machine for the ledger: etcd, three "
        "nodes under Patroni with synchronous replication (a commit is acknowledged once on "
        "two nodes), HAProxy in front. Loopback ports only, from --base-port: etcd +0, "
        "HAProxy's leader port +10 and replicas' port +11 (statistics +12), PostgreSQL "
        "+21..+23, Patroni's REST API +31..+33.",
    )
    parser.add_argument(
        "action",
        choices=("start", "status", "switchover", "stop", "wipe"),
        help="start (installs Debian's patroni, etcd-server and haproxy when missing), "
        "status, switchover (a planned change of leader), stop, or wipe (stop and delete the "
        "folder)",
    )
    parser.add_argument(
        "--dir", type=Path, default=DEFAULT_FOLDER, help=f"the cluster's folder ({DEFAULT_FOLDER})"
    )
    parser.add_argument(
        "--base-port",
        type=int,
        default=DEFAULT_BASE_PORT,
        help=f"the first of the cluster's loopback ports ({DEFAULT_BASE_PORT})",
    )
    parser.add_argument(
        "--candidate",
        help="switchover: the node to lead; only the synchronous standby may (the default)",
    )
    args = parser.parse_args(argv)
    try:
        layout = Layout(args.dir.resolve(), args.base_port)
    except ValueError as error:
        parser.error(str(error))
    try:
        if args.action == "start":
            control.start(layout)
        elif args.action == "stop":
            control.stop(layout)
        elif args.action == "wipe":
            control.wipe(layout)
        elif args.action == "switchover":
            print(f"the leader is now {control.switchover(layout, args.candidate)}")
        else:
            return _status(layout)
    except (control.ClusterError, Missing) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _status(layout: Layout) -> int:
    found = control.members(layout)
    if not found:
        print(f"no node answers (is the cluster in {layout.folder} started?)", file=sys.stderr)
        return 1
    print(f"{'member':8} {'role':13} {'state':10} lag (bytes)")
    for member in found:
        lag = "" if member.lag is None else str(member.lag)
        print(f"{member.name:8} {member.role:13} {member.state:10} {lag}")
    print(f"writes: {layout.leader_url}")
    print(f"reads:  {layout.replicas_url}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # its output cut short (`| head`): nothing more to say
        sys.stderr.close()
        raise SystemExit(1) from None
