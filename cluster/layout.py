"""Where a cluster's parts live: its folder and its loopback ports, all derived from one base
port (never PostgreSQL's 5432, which the tests' own server uses)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

NODES = ("node1", "node2", "node3")
DEFAULT_BASE_PORT = 55400
DEFAULT_FOLDER = Path("/var/tmp/bonded-cluster")
DATABASE = "bonded"


@dataclass(frozen=True)
class Layout:
    folder: Path
    base_port: int = DEFAULT_BASE_PORT

    def __post_init__(self) -> None:
        if not 1024 <= self.base_port <= 65000:
            raise ValueError(f"base port {self.base_port}: give one from 1024 to 65000")
        if 5432 in self.ports():
            raise ValueError(f"base port {self.base_port} would take 5432: choose another")

    # --- ports -----------------------------------------------------------------------------

    @property
    def etcd_port(self) -> int:
        return self.base_port

    @property
    def etcd_peer_port(self) -> int:
        return self.base_port + 1

    @property
    def leader_port(self) -> int:
        """HAProxy's port to whichever node leads: where the ledger writes."""
        return self.base_port + 10

    @property
    def replicas_port(self) -> int:
        """HAProxy's port to the running replicas, in turn: where questions may be asked."""
        return self.base_port + 11

    @property
    def stats_port(self) -> int:
        return self.base_port + 12

    def pg_port(self, node: str) -> int:
        return self.base_port + 21 + NODES.index(node)

    def rest_port(self, node: str) -> int:
        """The node's Patroni REST API (its role, its health, the cluster's members)."""
        return self.base_port + 31 + NODES.index(node)

    def ports(self) -> list[int]:
        nodes = [port for node in NODES for port in (self.pg_port(node), self.rest_port(node))]
        fixed = [self.etcd_port, self.etcd_peer_port, self.leader_port, self.replicas_port]
        return [*fixed, self.stats_port, *nodes]

    # --- files -----------------------------------------------------------------------------

    def node_folder(self, node: str) -> Path:
        return self.folder / node

    def data_dir(self, node: str) -> Path:
        return self.node_folder(node) / "data"

    def config(self, node: str) -> Path:
        return self.folder / f"{node}.yml"

    @property
    def haproxy_config(self) -> Path:
        return self.folder / "haproxy.cfg"

    @property
    def etcd_dir(self) -> Path:
        return self.folder / "etcd"

    def log(self, part: str) -> Path:
        return self.folder / "logs" / f"{part}.log"

    def pid_file(self, part: str) -> Path:
        return self.folder / "pids" / f"{part}.pid"

    # --- what the ledger is given ----------------------------------------------------------

    def url(self, port: int | None = None, database: str = DATABASE) -> str:
        """A SQLAlchemy URL through HAProxy: the leader's port unless told another."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{port or self.leader_port}/{database}"

    @property
    def leader_url(self) -> str:
        return self.url(self.leader_port)

    @property
    def replicas_url(self) -> str:
        return self.url(self.replicas_port)
