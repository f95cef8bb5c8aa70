"""Bonded Ledger: the write model, pure. Events, lots, decisions, rule packs."""
