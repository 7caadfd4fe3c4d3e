"""Scrap-yard permits: the application, the standards check, the ledger and the public
register, plugged into the case engine as one procedure (`procedure.py`)."""
