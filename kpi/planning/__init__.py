"""Planning algebra above the ORM: fiscal calendar, reverse calculation (逆算), sensitivity, SMART checks.

Pure Python: no ORM, no settings, no gettext. What the modules say (refusals, notes, summaries, labels) are
``core.messages.Message`` codes with parameters; the edge renders them from the KPI catalogue.
"""
