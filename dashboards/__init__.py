"""dashboards: dashboards, exports, open data and the methodology page.

Reads attainment rows and approved figures only; writes nothing.
May import every app below it: core, divisions, targets, reports, teams, attainment.
"""
