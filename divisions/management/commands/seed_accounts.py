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

# username, role, scope code, full name. Thới Bình (967) and commune Biển Bạch (32068) are
# pilot-shaped examples; the second district officer lets people try the access rules. The
# provincial agency is the Department of Science and Technology, which took over the
# information-communication department's digital-transformation work in 2025.
DEMO_ACCOUNTS = [
    ("bcd", Role.STEERING, "96", "Nguyễn Văn Bạch (BCĐ tỉnh)"),
    ("so_khcn", Role.PROVINCE_OFFICER, "96", "Đỗ Thị Khoa (Sở Khoa học và Công nghệ)"),
    ("huyen_thoibinh", Role.DISTRICT_OFFICER, "967", "Trần Thị Bình (huyện Thới Bình)"),
    ("huyen_umin", Role.DISTRICT_OFFICER, "966", "Lê Văn Minh (huyện U Minh)"),
    ("xa_bienbach", Role.COMMUNE_OFFICER, "32068", "Phạm Thị Bạch (xã Biển Bạch)"),
    ("totruong", Role.TEAM_LEADER, "32068", "Võ Văn Tổ (tổ trưởng Tổ CNSCĐ)"),
    ("xem", Role.VIEWER, "96", "Người xem (chỉ đọc)"),
]


class Command(BaseCommand):
    help = "Create one demo account per role (password documented in README). DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_accounts creates demo accounts and runs only with DJANGO_DEBUG=1."
            )
        User = get_user_model()
        # Demo scopes are units of the structure before 01/07/2025 (the demo teams live there);
        # codes resolve on 30/06/2025, or today when only one structure is loaded.
        codes = [c for *_, c, _n in DEMO_ACCOUNTS]
        scopes = Division.objects.by_codes(codes, on=REORG_DATE - dt.timedelta(days=1))
        missing = {c for *_, c, _n in DEMO_ACCOUNTS} - set(scopes)
        if missing:
            raise CommandError(f"Load divisions first (missing {sorted(missing)}).")
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        with transaction.atomic():
            for username, role, code, full_name in DEMO_ACCOUNTS:
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={"first_name": full_name, "email": f"{username}@demo.camau.invalid"},
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                user.groups.set([groups[role.value]])
                UserScope.objects.update_or_create(user=user, defaults={"division": scopes[code]})
            admin, created = User.objects.get_or_create(
                username="admin", defaults={"is_staff": True, "is_superuser": True}
            )
            if created:
                admin.set_password(DEMO_PASSWORD)
                admin.save(update_fields=["password"])
        self.stdout.write(f"demo accounts ready (password: {DEMO_PASSWORD})")
