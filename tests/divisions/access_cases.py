from __future__ import annotations

from tests.access_matrix import Case, everyone, signed_in

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
