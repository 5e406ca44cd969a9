"""reports: monthly reports, figures and their history, the approval workflow, imports, reminders.

Owns Report, DataValue (+ history) and the RecomputeRequest outbox row written with approvals.
May import core, divisions and targets; queues the attainment drain by task name only.
"""
