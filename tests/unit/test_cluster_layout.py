"""The cluster's layout and configuration (``cluster/``): loopback ports only, never 5432,
and each node's Patroni configuration and HAProxy's rendered whole, with the replication
settings an acknowledged commit relies on. The cluster itself runs in
tests/e2e/test_failover.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cluster.control import _prepare
from cluster.layout import NODES, Layout


def test_ports_are_distinct_and_never_the_tests_5432() -> None:
    layout = Layout(Path("/var/tmp/x"), 55400)
    assert len(set(layout.ports())) == len(layout.ports()) == 11
    assert 5432 not in layout.ports()
    with pytest.raises(ValueError, match="5432"):
        Layout(Path("/var/tmp/x"), 5411)  # its nodes would start at 5432
    with pytest.raises(ValueError, match="base port"):
        Layout(Path("/var/tmp/x"), 80)


def test_each_nodes_configuration_is_whole_and_strictly_synchronous(tmp_path: Path) -> None:
    layout = Layout(tmp_path / "cluster", 57400)
    _prepare(layout)
    for node in NODES:
        text = layout.config(node).read_text()
        assert "$" not in text
        config: dict[str, Any] = yaml.safe_load(text)
        assert config["name"] == node
        assert config["restapi"]["listen"] == f"127.0.0.1:{layout.rest_port(node)}"
        assert config["postgresql"]["listen"] == f"127.0.0.1:{layout.pg_port(node)}"
        assert config["etcd3"]["hosts"] == f"127.0.0.1:{layout.etcd_port}"
        dcs = config["bootstrap"]["dcs"]
        assert dcs["synchronous_mode"] is True and dcs["synchronous_mode_strict"] is True
        assert dcs["primary_start_timeout"] == 0
        assert dcs["loop_wait"] + 2 * dcs["retry_timeout"] <= dcs["ttl"]  # Patroni's rule
        assert dcs["postgresql"]["parameters"]["synchronous_commit"] == "on"
        assert all("127.0.0.1/32" in rule for rule in config["postgresql"]["pg_hba"][1:])


def test_haproxy_sends_writes_to_the_leader_and_questions_to_the_replicas(
    tmp_path: Path,
) -> None:
    layout = Layout(tmp_path / "cluster", 57400)
    _prepare(layout)
    text = layout.haproxy_config.read_text()
    assert "$" not in text
    leader, replicas = text.split("listen leader")[1].split("listen replicas")
    assert f"bind 127.0.0.1:{layout.leader_port}" in leader and "uri /primary" in leader
    assert f"bind 127.0.0.1:{layout.replicas_port}" in replicas and "uri /replica" in replicas
    for node in NODES:
        server = f"server {node} 127.0.0.1:{layout.pg_port(node)} check port"
        assert f"{server} {layout.rest_port(node)}" in leader
        assert f"{server} {layout.rest_port(node)}" in replicas
    assert "shutdown-sessions" in leader  # a node that stops leading has its sessions cut
