from __future__ import annotations

from tests.access_matrix import LOGIN_REDIRECT, Case, Write, everyone, signed_in

# The catalogue is open information: everyone reads it, signed in or not. Only steering staff
# (Action.MANAGE_CATALOGUE) import targets.
STEERING_ONLY = signed_in(403, anonymous=LOGIN_REDIRECT, steering=200)

CASES: list[Case] = [
    Case("targets:catalogue", everyone(200), world=("target_indicator",)),
    Case("targets:methodology", everyone(200), world=("target_indicator",)),
    Case(
        "targets:indicator",
        everyone(200),
        kwargs=lambda w: {"code": w["target_indicator"].code},
        world=("target_indicator",),
    ),
    Case(
        "targets:programme",
        everyone(200),
        # The indicator's target belongs to Resolution 05-NQ/TU (the default programme).
        kwargs=lambda w: {"code": w["target_indicator"].targets.get().programme.code},
        world=("target_indicator",),
    ),
    Case("targets:import", STEERING_ONLY),
    Case("targets:import_template", STEERING_ONLY, world=("target_indicator",)),
]


def _targets_template(client, w):
    """The steering user's own template download is the upload (others get no file)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    response = client.get(reverse("targets:import_template"))
    return {"file": SimpleUploadedFile("muc-tieu.xlsx", response.content)}


WRITE_CASES = [
    # Upload is a preview (dry run); the confirm needs the preview's session token.
    Write(
        "targets:import",
        "upload (preview only)",
        STEERING_ONLY,
        (),
        world=("target_indicator",),
        prepare=_targets_template,
    ),
    Write(
        "targets:import",
        "confirm without a preview",
        signed_in(403, anonymous=LOGIN_REDIRECT, steering=302),
        (),
        data=lambda w: {"confirm": "1", "token": "forged"},
        world=("target_indicator",),
    ),
]
