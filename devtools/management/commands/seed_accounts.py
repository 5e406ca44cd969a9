from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from divisions.access import Role
from divisions.models import REORG_DATE, Division, UserScope

DEMO_PASSWORD = "camau-demo-2025"

# username, role, scope code, full name, history. The accounts serve the structure in force:
# officers of two commune-level units of 07/2025 (Xã Biển Bạch 32069, which took in old Biển
# Bạch and Biển Bạch Đông, and Phường An Xuyên 32002), the provincial agency (the Department of
# Science and Technology took over the information-communication department's
# digital-transformation work in 2025), steering staff, a viewer and a team leader of a team now
# under Xã Biển Bạch. The two district accounts of 2023–2025 are history: their units ended on
# 30/06/2025, so their scope resolves on that day and access.py makes them read-only.
DEMO_ACCOUNTS = [
    ("bcd", Role.STEERING, "96", "Nguyễn Văn Bạch (BCĐ tỉnh)", False),
    ("so_khcn", Role.PROVINCE_OFFICER, "96", "Đỗ Thị Khoa (Sở Khoa học và Công nghệ)", False),
    ("xa_bienbach", Role.COMMUNE_OFFICER, "32069", "Phạm Thị Bạch (Xã Biển Bạch)", False),
    ("phuong_anxuyen", Role.COMMUNE_OFFICER, "32002", "Lý Văn Xuyên (Phường An Xuyên)", False),
    ("totruong", Role.TEAM_LEADER, "32069", "Võ Văn Tổ (tổ trưởng Tổ CNSCĐ)", False),
    ("xem", Role.VIEWER, "96", "Người xem (chỉ đọc)", False),
    ("huyen_thoibinh", Role.DISTRICT_OFFICER, "967", "Trần Thị Bình (Thới Bình, 2023–2025)", True),
    ("huyen_umin", Role.DISTRICT_OFFICER, "966", "Lê Văn Minh (U Minh, 2023–2025)", True),
]


def demo_scopes() -> dict[str, Division]:
    """username → scope unit: history accounts' units on 30/06/2025, the others' today.

    When only the structure before 2025 is loaded (open-ended), both resolve to it.
    """
    history_day = REORG_DATE - dt.timedelta(days=1)
    present = Division.objects.by_codes({a[2] for a in DEMO_ACCOUNTS if not a[4]})
    past = Division.objects.by_codes({a[2] for a in DEMO_ACCOUNTS if a[4]}, on=history_day)
    scopes = {}
    for username, _role, code, _name, history in DEMO_ACCOUNTS:
        unit = (past if history else present).get(code)
        if unit is not None:
            scopes[username] = unit
    return scopes


class Command(BaseCommand):
    help = "Create one demo account per role (password documented in README). DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_accounts creates demo accounts and runs only with DJANGO_DEBUG=1."
            )
        User = get_user_model()
        scopes = demo_scopes()
        missing = {a[2] for a in DEMO_ACCOUNTS if a[0] not in scopes}
        if missing:
            raise CommandError(f"Load divisions first (missing {sorted(missing)}).")
        with transaction.atomic():
            # The role groups come with the migrations; a flushed database (or one restored
            # without them) gets them back here rather than failing on the first account.
            groups = {r.value: Group.objects.get_or_create(name=r.value)[0] for r in Role}
            for username, role, _code, full_name, _history in DEMO_ACCOUNTS:
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={"first_name": full_name, "email": f"{username}@demo.camau.invalid"},
                )
                if user.first_name != full_name:
                    user.first_name = full_name
                    user.save(update_fields=["first_name"])
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                user.groups.set([groups[role.value]])
                UserScope.objects.update_or_create(
                    user=user, defaults={"division": scopes[username]}
                )
            admin, created = User.objects.get_or_create(
                username="admin", defaults={"is_staff": True, "is_superuser": True}
            )
            if created:
                admin.set_password(DEMO_PASSWORD)
                admin.save(update_fields=["password"])
        self.stdout.write(f"demo accounts ready (password: {DEMO_PASSWORD})")
