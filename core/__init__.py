"""core: rules shared by every app: numbers, months, bulk SQL, the REST API plumbing.

Owns no models and no URLs; plain functions and classes, testable without a database.
May import only Django, DRF and the standard library: never another app of the project.
"""
