"""How people are named to other people: the one rule the top bar, report pages and histories share."""

from __future__ import annotations


def person_name(user) -> str:
    """The user's full name ("Nguyễn Văn Bạch"), or the username when no name is recorded.

    Returns "" for no user (a system write, a deleted account), so templates can chain
    `|default:"—"`. Login names are credentials-adjacent and mean nothing to readers, so
    pages show them only when there is nothing better.
    """
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
