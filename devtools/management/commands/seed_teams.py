"""Demo data shaped like Cà Mau's Tổ CNSCĐ pilot (DEBUG only, idempotent, bulk inserts).

48 pilot communes over all 9 district-level units, 364 teams in hamlets/khóm, about 1,700
members, monthly activities up to the current month. Every row is labelled "Dữ liệu minh hoạ";
phone numbers are obviously fake (0900 0xx xxx). The teams were set up in 2023 by the communes of
the time; where those have ended (the 2025 reorganisation is loaded) each team belongs to the unit
in force that continues its commune and keeps the old one as `former_commune`, as a real
registry does after the `teams` migration.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from divisions.models import PATH_SEPARATOR, Division, Kind, Level
from teams.figures import months_between, pilot_figures_sync, team_figures_sync
from teams.models import (
    DEMO_LABEL,
    Activity,
    ActivityKind,
    Member,
    MemberBody,
    MemberRole,
    PilotCommune,
    Team,
)
from teams.placement import successors_in_force
from teams.services import teams_move_to_units_in_force

PILOT_COMMUNES = 48
TEAMS = 364
SEED = 2023
LEADER_COMMUNE = "32068"
LEADER_USERNAME = "totruong"
BATCH = 2000

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Lý",
    "Châu",
    "Tô",
    "Lâm",
    "Quách",
    "Mai",
]
MIDDLE_M = ["Văn", "Minh", "Hoàng", "Thanh", "Quốc", "Hữu", "Công", "Đức"]
MIDDLE_F = ["Thị", "Ngọc", "Thu", "Kim", "Mỹ", "Thanh", "Bích", "Hồng"]
GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khoa",
    "Lâm",
    "Long",
    "Nam",
    "Phúc",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Toàn",
    "Trung",
    "Tuấn",
    "Vinh",
    "Hiếu",
    "Nhân",
]
GIVEN_F = [
    "Anh",
    "Diễm",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Ngân",
    "Nhung",
    "Phương",
    "Thảo",
    "Trang",
    "Tuyết",
    "Vân",
    "Yến",
    "Hằng",
    "Loan",
    "Duyên",
]
OTHER_BODIES = [
    MemberBody.POLICE,
    MemberBody.YOUTH_UNION,
    MemberBody.WOMEN_UNION,
    MemberBody.VETERANS,
    MemberBody.DIGITAL_BUSINESS,
    MemberBody.OTHER,
]
KIND_WEIGHTS = {
    ActivityKind.PROPAGANDA: 4,
    ActivityKind.PUBLIC_SERVICES: 5,
    ActivityKind.ECOMMERCE: 2,
    ActivityKind.EPAYMENT: 3,
    ActivityKind.ONLINE_SAFETY: 2,
    ActivityKind.LOCAL_PLATFORMS: 3,
    ActivityKind.HEALTH_EDUCATION: 2,
    ActivityKind.DIGITAL_PRODUCTION: 1,
}


def _name(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _split(total: int, weights: list[int], minimum: int) -> list[int]:
    """Integers ≥ minimum, proportional to weights, summing to total (largest remainder)."""
    base = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    shares = [rest * w / sum(weights) for w in weights]
    alloc = [int(s) for s in shares]
    for i in sorted(range(len(weights)), key=lambda i: shares[i] - alloc[i], reverse=True)[
        : rest - sum(alloc)
    ]:
        alloc[i] += 1
    return [b + a for b, a in zip(base, alloc, strict=True)]


def _plan_members(rng: random.Random, teams: list[Team]) -> list[Member]:
    """Phase: 4 to 6 members per team: the hamlet head leads, a deputy, the rest from the
    other bodies; fake phone numbers numbered in order."""
    members: list[Member] = []
    phone = 0
    for team in teams:
        size = 4 + (rng.random() < 0.6) + (rng.random() < 0.15)
        for i in range(size):
            phone += 1
            role = (
                MemberRole.LEADER if i == 0 else MemberRole.DEPUTY if i == 1 else MemberRole.MEMBER
            )
            body = MemberBody.HAMLET_HEAD if i == 0 else rng.choice(OTHER_BODIES)
            members.append(
                Member(
                    team=team,
                    full_name=_name(rng),
                    role=role,
                    body=body,
                    phone=f"09000{phone:05d}",
                    joined_on=team.decision_date,
                    note=DEMO_LABEL,
                )
            )
    return members


def _activity(rng: random.Random, team: Team, day: dt.date) -> Activity:
    """One activity of `team` on `day`, its kind weighted and its counts fitting the kind."""
    kind = rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
    households = rng.randint(3, 25)
    return Activity(
        team=team,
        date=day,
        kind=kind,
        households=households,
        people=households + rng.randint(0, 30),
        businesses=rng.randint(0, 3)
        if kind in (ActivityKind.ECOMMERCE, ActivityKind.DIGITAL_PRODUCTION)
        else 0,
        dvctt_accounts=rng.randint(1, 12) if kind == ActivityKind.PUBLIC_SERVICES else 0,
        epayment_accounts=rng.randint(1, 10) if kind == ActivityKind.EPAYMENT else 0,
        ecommerce_sellers=rng.randint(0, 3) if kind == ActivityKind.ECOMMERCE else 0,
        notes=DEMO_LABEL,
    )


def _plan_activities(rng: random.Random, teams: list[Team], today: dt.date) -> list[Activity]:
    """Phase: 1 to 3 activities per team and month, from its decision date up to today."""
    activities: list[Activity] = []
    for team in teams:
        for month in months_between(team.decision_date, today):
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                last_day = (month + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
                first_day = max(month, team.decision_date)
                last_day = min(last_day, today)
                if last_day < first_day:
                    continue
                day = first_day + dt.timedelta(days=rng.randint(0, (last_day - first_day).days))
                activities.append(_activity(rng, team, day))
    return activities


class Command(BaseCommand):
    help = "Load demo Tổ CNSCĐ data shaped like the 2023 pilot (DEBUG only; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-figures", action="store_true", help="Do not write the monthly team figures."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_teams loads demo data and runs only with DJANGO_DEBUG=1.")
        if not Division.objects.filter(level=Level.COMMUNE).exists():
            raise CommandError("Load divisions first (manage.py load_divisions).")
        if Team.objects.filter(note=DEMO_LABEL).exists():
            moved = teams_move_to_units_in_force()
            self.stdout.write(f"demo teams already present; {moved} moved to the units in force")
        else:
            with transaction.atomic():
                counts = self._seed()
            self.stdout.write(
                "demo teams: {communes} pilot communes, {teams} teams, {members} members, "
                "{activities} activities".format(**counts)
            )
        self._link_demo_leader()
        if not options["no_figures"]:
            written = team_figures_sync(
                commune_ids=PilotCommune.objects.values_list("commune_id", flat=True)
            )
            written += pilot_figures_sync()
            self.stdout.write(f"team figures: {written} rows sent to the figures service")

    # -- the data ---------------------------------------------------------------------------

    def _seed(self) -> dict[str, int]:
        """Pilot communes, their teams, members and activities, drawn from one seeded random
        stream: the phases run in a fixed order so the same seed gives the same data."""
        rng = random.Random(SEED)
        today = timezone.localdate()
        chosen = self._seed_pilots(rng)
        teams_per_commune = _split(TEAMS, [rng.randint(5, 10) for _ in chosen], 4)
        hamlets = self._hamlets(chosen, teams_per_commune)
        teams = self._seed_teams(rng, chosen, teams_per_commune, hamlets, today)
        members = _plan_members(rng, teams)
        bulk_create_with_history(members, Member, batch_size=BATCH)
        activities = _plan_activities(rng, teams, today)
        bulk_create_with_history(activities, Activity, batch_size=BATCH)
        return {
            "communes": len(chosen),
            "teams": len(teams),
            "members": len(members),
            "activities": len(activities),
        }

    def _seed_pilots(self, rng: random.Random) -> list[Division]:
        """Phase: pick the pilot communes per district (the demo leader's commune always among
        them), record the missing PilotCommune rows; returns the chosen communes."""
        # The pilot ran in 2023, in Cà Mau's districts of the time (not in Bạc Liêu, merged in
        # 2025, nor in the units of the 2025 structure).
        province = Division.objects.province()
        districts = list(
            Division.objects.at_level(Level.DISTRICT)
            .filter(path__startswith=province.path if province else "")
            .valid_on(dt.date(2023, 1, 1))
            .order_by("code")
        )
        communes_by_district = {d.pk: [] for d in districts}
        for c in Division.objects.at_level(Level.COMMUNE).order_by("code"):
            if c.parent_id in communes_by_district:
                communes_by_district[c.parent_id].append(c)
        sizes = [len(communes_by_district[d.pk]) for d in districts]
        per_district = _split(PILOT_COMMUNES, sizes, 1)

        pilots: list[PilotCommune] = []
        chosen: list[Division] = []
        for district, n in zip(districts, per_district, strict=True):
            pool = communes_by_district[district.pk]
            picked = rng.sample(pool, min(n, len(pool)))
            demo_commune = next((c for c in pool if c.code == LEADER_COMMUNE), None)
            if demo_commune and demo_commune not in picked:
                picked[0] = demo_commune
            chosen_on = dt.date(2023, 1, 10) + dt.timedelta(days=rng.randint(0, 60))
            for c in sorted(picked, key=lambda c: c.code):
                chosen.append(c)
                pilots.append(
                    PilotCommune(
                        district=district,
                        commune=c,
                        chosen_on=chosen_on,
                        decision_reference=f"{DEMO_LABEL}: Quyết định {rng.randint(10, 99)}/QĐ-UBND",
                    )
                )
        existing_pilots = set(PilotCommune.objects.values_list("commune_id", flat=True))
        bulk_create_with_history(
            [p for p in pilots if p.commune_id not in existing_pilots], PilotCommune
        )
        return chosen

    def _seed_teams(
        self,
        rng: random.Random,
        chosen: list[Division],
        teams_per_commune: list[int],
        hamlets: dict[int, list[Division]],
        today: dt.date,
    ) -> list[Team]:
        """Phase: one team per hamlet needed, under the unit in force that continues its
        commune (the old commune kept as `former_commune`); returns the saved demo teams."""
        ended = [c.pk for c in chosen if c.valid_to and c.valid_to < today]
        successor = successors_in_force(ended) if ended else {}
        teams: list[Team] = []
        for commune, n in zip(chosen, teams_per_commune, strict=True):
            decision = dt.date(2023, 2, 1) + dt.timedelta(days=rng.randint(0, 75))
            in_force = successor.get(commune.pk)
            for hamlet in hamlets[commune.pk][:n]:
                teams.append(
                    Team(
                        division=hamlet,
                        commune=in_force or commune,
                        former_commune=commune if in_force else None,
                        name=f"Tổ CNSCĐ {hamlet.name}, {commune.name}",
                        decision_number=f"{rng.randint(10, 250)}/QĐ-UBND",
                        decision_date=decision,
                        is_pilot=True,
                        note=DEMO_LABEL,
                    )
                )
        bulk_create_with_history(teams, Team, batch_size=BATCH)
        # Re-read for the primary keys (bulk inserts do not return them on every database).
        return list(Team.objects.filter(note=DEMO_LABEL).order_by("pk"))

    def _hamlets(self, communes: list[Division], needed: list[int]) -> dict[int, list[Division]]:
        """Hamlets/khóm "<commune code>-NN" under each commune, created where missing."""
        existing: dict[int, list[Division]] = {c.pk: [] for c in communes}
        for h in Division.objects.filter(parent__in=communes, level=Level.HAMLET).order_by("code"):
            existing[h.parent_id].append(h)
        new: list[Division] = []
        for commune, n in zip(communes, needed, strict=True):
            urban = commune.kind in (Kind.WARD, Kind.TOWNSHIP)
            kind, word = (Kind.KHOM, "Khóm") if urban else (Kind.HAMLET, "Ấp")
            have = {h.code for h in existing[commune.pk]}
            number = 0
            while len(existing[commune.pk]) + sum(1 for d in new if d.parent_id == commune.pk) < n:
                number += 1
                code = f"{commune.code}-{number:02d}"
                if code in have:
                    continue
                # bulk_create skips save(), so level and path are set here as save() would.
                new.append(
                    Division(
                        code=code,
                        name=f"{word} {number}",
                        kind=kind,
                        level=Level.HAMLET,
                        parent=commune,
                        path=f"{commune.path}{code}{PATH_SEPARATOR}",
                    )
                )
        if new:
            bulk_create_with_history(new, Division, batch_size=BATCH)
            for h in Division.objects.filter(code__in=[d.code for d in new]):
                existing[h.parent_id].append(h)
        for hs in existing.values():
            hs.sort(key=lambda h: h.code)
        return existing

    def _link_demo_leader(self) -> None:
        """Make the demo account `totruong` the leader of one demo team set up by commune 32068
        (old Xã Biển Bạch): since 07/2025 the team belongs to Xã Biển Bạch (32069)."""
        user = get_user_model().objects.filter(username=LEADER_USERNAME).first()
        if user is None:
            return
        if Team.objects.led_by(user).exists():
            return
        leader = (
            Member.objects.filter(
                Q(team__commune__code=LEADER_COMMUNE)
                | Q(team__former_commune__code=LEADER_COMMUNE),
                team__note=DEMO_LABEL,
                role=MemberRole.LEADER,
                left_on__isnull=True,
            )
            .select_related("team")
            .order_by("team__division__code")
            .first()
        )
        if leader is None:
            return
        leader.user = user
        leader.full_name = user.first_name.split(" (")[0] or leader.full_name
        leader.save(update_fields=["user", "full_name"])
        self.stdout.write(f"{LEADER_USERNAME} leads “{leader.team.name}”")
