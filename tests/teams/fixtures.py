"""Fixtures of the teams app that tests elsewhere (the access matrix) may request by name."""

from __future__ import annotations
