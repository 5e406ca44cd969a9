"""Fixtures of the teams tests only (the shared ones are in tests/teams/fixtures.py)."""

from tests.teams.present import present  # noqa: F401
