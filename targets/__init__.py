"""targets: the indicator catalogue, programmes (plans) and their targets and milestones.

Owns Indicator, Programme, Target; the catalogue pages and the targets import.
May import core and divisions.
"""
