"""attainment: the engine (Celery) that turns approved figures into attainment rows.

Owns the Attainment model, the progress method, the outbox drain and the recompute tasks.
May import core, divisions, targets and reports; never teams or dashboards.
"""
