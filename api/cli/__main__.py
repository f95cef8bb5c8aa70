"""``python -m api.cli``: the ``bonded`` command (how a run starts its worker processes)."""

from api.cli import main

main()
