"""A PostgreSQL 15 cluster on one machine for the ledger: an etcd, three nodes under Patroni
with synchronous replication, and HAProxy in front (one port to the leader, one to the
replicas), all on loopback ports. ``python -m cluster start|status|switchover|stop``;
docs/deploy.md, "A cluster: Patroni, etcd, HAProxy"."""
