"""The access matrix: every named URL × every role → expected status code.

Each app lists its cases in tests/<app>/access_cases.py; the test in tests/test_access_matrix.py
walks the URL configuration and fails for any URL that has no case, so a new view cannot escape.

Roles (see tests/conftest.py `role_users`): anonymous, steering, province_officer (a provincial
agency's officer: reads the province, changes only the province's own figures), officer_a
(district A), officer_b (district B), commune (commune officer in A), team_leader (in A), viewer
(province, read-only), no_role (signed in, no group or scope).

A province officer reads what the province-wide viewer reads and changes nothing below the
province, so where a case does not name the role it expects the viewer's status; the cases of
the province's own report (tests/reports/access_cases.py) name it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "anonymous",
    "steering",
    "province_officer",
    "officer_a",
    "officer_b",
    "commune",
    "team_leader",
    "viewer",
    "no_role",
)
SIGNED_IN = ROLES[1:]
LOGIN_REDIRECT = 302


@dataclass
class Case:
    """One URL (by name) with how to build its arguments and what each role gets.

    `expect` maps role → status code for GET (and for POST when `method` is "post").
    `kwargs` receives the pytest `request` fixture's world dict and returns URL kwargs.
    """

    name: str
    expect: dict[str, int]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    method: str = "get"
    data: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    query: str = ""
    world: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.name}: no expectation for roles {sorted(missing)}")


def everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, code)


def signed_in(code: int, *, anonymous: int = LOGIN_REDIRECT, **overrides: int) -> dict[str, int]:
    """`code` for every signed-in role, login redirect for anonymous, then overrides; the
    province officer gets the viewer's status unless named."""
    result = {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, code)}
    result.update(overrides)
    if "province_officer" not in overrides:
        result["province_officer"] = result["viewer"]
    return result


DENIED = 403


@dataclass
class Write:
    """One write (POST/PATCH) to a URL with what each role gets and who may change data.

    `expect` maps role → status code. Roles in `allowed` must change something in the
    database (a row or a history row); every other role must leave every table as it was.
    `prepare(client, world)` runs first as the same role (e.g. an upload before its confirm)
    and returns extra data merged into the request.
    """

    name: str
    label: str
    expect: dict[str, int]
    allowed: tuple[str, ...]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    data: Callable[[dict[str, Any]], Any] | None = None
    method: str = "post"
    json: bool = False
    world: tuple[str, ...] = field(default_factory=tuple)
    prepare: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.name}/{self.label}: no expectation for {sorted(missing)}")
        unknown = set(self.allowed) - set(ROLES)
        if unknown:
            raise ValueError(f"{self.name}/{self.label}: unknown roles {sorted(unknown)}")
