from __future__ import annotations

from tests.access_matrix import Case, Write, everyone, signed_in
from tests.divisions.factories import PASSWORD

CASES = [
    Case("home", everyone(200)),
    Case("healthz", everyone(200)),
    Case("readyz", everyone(200)),
    Case("login", everyone(200)),
    Case("password_change", signed_in(200)),
    Case("password_change_done", signed_in(200)),
    # Logout is POST-only in Django 5; a GET is refused for everyone.
    Case("logout", everyone(405)),
    Case("set_language", everyone(302), method="post", data=lambda w: {"language": "en"}),
    Case("divisions:tree", signed_in(200)),
]

CASES += [
    # Divisions and the API documentation are public information.
    Case("api:divisions", everyone(200)),
    Case("api:schema", everyone(200)),
    Case("api:docs", everyone(200)),
]

WRITE_CASES = [
    # A weak new password is refused by the validators (form shown again, 200).
    Write(
        "password_change",
        "weak new password",
        signed_in(200),
        (),
        data=lambda w: {
            "old_password": PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    ),
    Write("logout", "sign out", everyone(302), ()),
    # A wrong password: the form again with its error; nothing but the axes counter changes.
    Write(
        "login",
        "wrong password",
        everyone(200),
        (),
        data=lambda w: {"username": "officer_a", "password": "sai-mat-khau"},
    ),
]
