"""Planning algebra above the ORM: fiscal calendar, reverse calculation (逆算), sensitivity, SMART checks.

Pure Python; nothing in this package imports Django.
"""
