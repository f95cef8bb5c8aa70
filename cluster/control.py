"""Starting, watching and stopping the cluster's processes: etcd, a Patroni per node (each
running its PostgreSQL), HAProxy. Each runs detached in a session of its own, its output in
``logs/``, its pid in ``pids/``, so that ``stop`` finds them from another process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from cluster.layout import DATABASE, NODES, Layout
from cluster.owner import as_owner as owner_arguments
from cluster.owner import give
from cluster.packages import PG_BIN, command, ensure_installed

HERE = Path(__file__).resolve().parent
Say = Callable[[str], None]


class ClusterError(RuntimeError):
    """The cluster did not come up (or down) as asked; the message says where to look."""


@dataclass(frozen=True)
class Member:
    name: str
    role: str  # leader, sync_standby, replica
    state: str  # running, streaming, stopped, starting…
    lag: int | None  # bytes behind the leader; None on the leader or when unknown

    @property
    def replicating(self) -> bool:
        return self.role != "leader" and self.state in ("running", "streaming")


# --- starting -------------------------------------------------------------------------------


def start(layout: Layout, say: Say = print, timeout: float = 120) -> None:
    """Starts whatever of the cluster is not running, and waits until a leader, a synchronous
    standby and a second replica answer, HAProxy reaches the leader through its port, and the
    ledger's database exists."""
    ensure_installed(say)
    ours = any(_running(layout, part) for part in ("etcd", "haproxy", *NODES))
    if not ours and (taken := _taken(layout)):
        raise ClusterError(
            f"loopback ports {', '.join(map(str, taken))} are taken: another cluster "
            "(python -m cluster stop --dir ITS_FOLDER) or another server holds them; "
            "choose another --base-port"
        )
    _prepare(layout)
    if not _running(layout, "etcd"):
        say(f"etcd on 127.0.0.1:{layout.etcd_port}")
        _spawn(layout, "etcd", _etcd_command(layout))
    _wait(lambda: _get(f"http://127.0.0.1:{layout.etcd_port}/health") is not None, 30, "etcd")
    for node in NODES:
        if not _running(layout, node):
            say(
                f"{node}: PostgreSQL on 127.0.0.1:{layout.pg_port(node)}, Patroni on "
                f"127.0.0.1:{layout.rest_port(node)}"
            )
            _spawn(layout, node, [command("patroni"), str(layout.config(node))], as_owner=True)
    if not _running(layout, "haproxy"):
        say(
            f"haproxy: the leader on 127.0.0.1:{layout.leader_port}, the replicas on "
            f"127.0.0.1:{layout.replicas_port}, statistics on 127.0.0.1:{layout.stats_port}"
        )
        _spawn(layout, "haproxy", [command("haproxy"), "-db", "-f", str(layout.haproxy_config)])
    say("waiting for a leader and two replicas streaming")
    wait_healthy(layout, timeout)
    _wait(lambda: _leader_answers(layout), 30, "HAProxy's leader port", layout)
    _create_database(layout)
    say(f"ready: BONDED_DATABASE_URL={layout.leader_url}")


def _taken(layout: Layout) -> list[int]:
    """The cluster's ports something else already listens on."""
    import socket

    found = []
    for port in layout.ports():
        with socket.socket() as probe:
            # a port some closed connection left in TIME_WAIT is free to listen on
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                found.append(port)
    return found


def _prepare(layout: Layout) -> None:
    """The folder, the nodes' configuration and HAProxy's, written afresh from the
    templates; the nodes' folders owned by the user PostgreSQL runs as."""
    for folder in (layout.folder, layout.folder / "logs", layout.folder / "pids"):
        folder.mkdir(parents=True, exist_ok=True)
    layout.folder.chmod(0o755)  # the nodes' user must reach its folder inside
    for node in NODES:
        folder = layout.node_folder(node)
        folder.mkdir(exist_ok=True)
        folder.chmod(0o700)
        values = {
            "name": node,
            "rest_port": layout.rest_port(node),
            "pg_port": layout.pg_port(node),
            "etcd_port": layout.etcd_port,
            "data_dir": layout.data_dir(node),
            "bin_dir": PG_BIN,
            "folder": folder,
        }
        text = Template((HERE / "patroni.yml.in").read_text()).substitute(values)
        layout.config(node).write_text(text)
        give(folder)
        give(layout.config(node))
    servers = {
        port_name: "\n".join(
            f"    server {node} 127.0.0.1:{layout.pg_port(node)} check port "
            f"{layout.rest_port(node)}"
            for node in NODES
        )
        for port_name in ("leader_servers", "replica_servers")
    }
    values = {
        "stats_port": layout.stats_port,
        "leader_port": layout.leader_port,
        "replicas_port": layout.replicas_port,
        **servers,
    }
    text = Template((HERE / "haproxy.cfg.in").read_text()).substitute(values)
    layout.haproxy_config.write_text(text)


def _etcd_command(layout: Layout) -> list[str]:
    client = f"http://127.0.0.1:{layout.etcd_port}"
    peer = f"http://127.0.0.1:{layout.etcd_peer_port}"
    return [
        command("etcd"),
        "--name=bonded-etcd",
        f"--data-dir={layout.etcd_dir}",
        f"--listen-client-urls={client}",
        f"--advertise-client-urls={client}",
        f"--listen-peer-urls={peer}",
        f"--initial-advertise-peer-urls={peer}",
        f"--initial-cluster=bonded-etcd={peer}",
        "--initial-cluster-state=new",
        "--enable-v2=false",
    ]


def _spawn(layout: Layout, part: str, argv: list[str], as_owner: bool = False) -> None:
    user = owner_arguments() if as_owner else {}
    with layout.log(part).open("ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=layout.folder,
            start_new_session=True,  # neither a Ctrl-C of ours nor our exit stops it
            **user,
        )
    layout.pid_file(part).write_text(str(process.pid))


def _create_database(layout: Layout) -> None:
    import psycopg2

    connection = psycopg2.connect(
        host="127.0.0.1", port=layout.leader_port, user="postgres", dbname="postgres"
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        connection.close()


# --- watching -------------------------------------------------------------------------------


def members(layout: Layout) -> list[Member]:
    """The cluster as any node's Patroni sees it (an empty list when none answers)."""
    for node in NODES:
        found = _get(f"http://127.0.0.1:{layout.rest_port(node)}/cluster")
        if found is not None:
            return [
                Member(m["name"], m["role"], m["state"], _lag(m.get("lag")))
                for m in found.get("members", [])
            ]
    return []


def _lag(value: Any) -> int | None:
    return value if isinstance(value, int) else None


def healthy(layout: Layout) -> bool:
    """A leader running, a synchronous standby and a second replica replicating."""
    found = members(layout)
    leader = [m for m in found if m.role == "leader" and m.state == "running"]
    replicas = [m for m in found if m.replicating]
    return bool(leader) and len(replicas) == 2 and any(m.role == "sync_standby" for m in replicas)


def wait_healthy(layout: Layout, timeout: float = 120) -> None:
    """Until a leader, its synchronous standby and a second replica answer."""
    _wait(lambda: healthy(layout), timeout, "a leader with two replicas", layout)


def leader(layout: Layout) -> str | None:
    found = [m.name for m in members(layout) if m.role == "leader" and m.state == "running"]
    return found[0] if found else None


def postmaster_pid(layout: Layout, node: str) -> int | None:
    """The pid of the node's postmaster (the first line of its postmaster.pid)."""
    try:
        return int((layout.data_dir(node) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _leader_answers(layout: Layout) -> bool:
    import psycopg2

    try:
        connection = psycopg2.connect(
            host="127.0.0.1",
            port=layout.leader_port,
            user="postgres",
            dbname="postgres",
            connect_timeout=2,
        )
    except psycopg2.Error:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT NOT pg_is_in_recovery()")
            row = cursor.fetchone()
            return bool(row and row[0])
    finally:
        connection.close()


def _get(url: str) -> Any:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return json.loads(answer.read() or b"{}")
    except (OSError, ValueError, urllib.error.URLError):
        return None


def _wait(
    ready: Callable[[], bool], timeout: float, what: str, layout: Layout | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    where = f"; see {layout.folder / 'logs'}" if layout is not None else ""
    raise ClusterError(f"{what} not ready after {timeout:.0f} s{where}")


# --- changing the leader ----------------------------------------------------------------------


def switchover(layout: Layout, candidate: str | None = None) -> str:
    """A planned change of leader with ``patronictl switchover`` to the synchronous standby
    (the only node Patroni promotes in synchronous mode); returns once the new leader leads
    with a synchronous standby of its own again, and answers its name."""
    wait_healthy(layout, 60)
    current = leader(layout)
    standby = next((m.name for m in members(layout) if m.role == "sync_standby"), None)
    if current is None or standby is None:
        raise ClusterError("no leader with a synchronous standby to switch over to")
    if candidate is not None and candidate != standby:
        raise ClusterError(
            f"{candidate} cannot lead: in synchronous mode only the synchronous standby "
            f"({standby}) may (it alone holds every acknowledged commit)"
        )
    done = subprocess.run(
        [
            command("patronictl"),
            "-c",
            str(layout.config(current)),
            "switchover",
            "--leader",
            current,
            "--candidate",
            standby,
            "--force",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # patronictl exits 0 even when Patroni refused: who leads afterwards is the answer
    if done.returncode != 0 or "failed" in done.stdout.lower():
        raise ClusterError(f"patronictl switchover failed: {done.stdout}{done.stderr}")
    _wait(lambda: leader(layout) == standby, 60, f"{standby} to lead", layout)
    wait_healthy(layout, 60)
    return standby


# --- stopping -------------------------------------------------------------------------------


def stop(layout: Layout, say: Say = print, timeout: float = 60) -> None:
    """Stops HAProxy, the replicas' Patroni, the leader's last (each stops its PostgreSQL
    with a fast shutdown), then etcd. What does not stop within ``timeout`` is killed."""
    current = leader(layout)
    nodes = [node for node in NODES if node != current] + ([current] if current else [])
    for part in ["haproxy", *nodes, "etcd"]:
        pid = _pid(layout, part)
        if pid is None:
            continue
        say(f"stopping {part}")
        _signal(pid, signal.SIGTERM)
        if not _gone(pid, timeout):
            say(f"{part} did not stop within {timeout:.0f} s: killed")
            _signal(pid, signal.SIGKILL, group=True)
            _gone(pid, 10)
        if part in NODES:
            _stop_postmaster(layout, part)
        layout.pid_file(part).unlink(missing_ok=True)


def _stop_postmaster(layout: Layout, node: str) -> None:
    """A postmaster left behind by a Patroni that was killed: stopped with an immediate
    shutdown."""
    pid = postmaster_pid(layout, node)
    if pid is not None and _alive(pid):
        _signal(pid, signal.SIGQUIT)
        _gone(pid, 30)


def wipe(layout: Layout, say: Say = print) -> None:
    """Stops the cluster and deletes its folder: the next start bootstraps a new one."""
    stop(layout, say)
    if layout.folder.exists():
        shutil.rmtree(layout.folder)
        say(f"deleted {layout.folder}")


def _running(layout: Layout, part: str) -> bool:
    return _pid(layout, part) is not None


def _pid(layout: Layout, part: str) -> int | None:
    try:
        pid = int(layout.pid_file(part).read_text())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie of ours is gone for this purpose
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _signal(pid: int, number: int, group: bool = False) -> None:
    try:
        if group:
            os.killpg(pid, number)
        else:
            os.kill(pid, number)
    except (ProcessLookupError, PermissionError):
        pass


def _gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return not _alive(pid)
