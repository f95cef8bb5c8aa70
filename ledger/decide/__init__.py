"""Pure decisions: given a typed intent, its envelope and what is recorded (``Recorded``),
the whole events to record, or a ``LedgerError`` naming the rule. No I/O, no clock.

One module per area (``movements``, ``customs``, ``ecommerce``…); a handler registration
(``commands/handlers.py``) names the decision it asks for, so a new one is added in its area
alone."""
