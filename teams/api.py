"""REST endpoints of the Tổ CNSCĐ registry: teams (with members) and activities.

Members' phone numbers go out only to clients allowed to read them
(`teams.selectors.phone_visible`, the one place that decides); everyone else gets them masked.
"""

from __future__ import annotations

from django.db.models import Case, F, Q, When
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from core import months as periods
from core.api import params
from core.api import schema as schema_params
from core.api.pagination import StableCursorPagination
from divisions.models import Division
from teams.models import Activity, ActivityKind, Member, Team
from teams.selectors import phone_display, phone_visible


class MemberSchema(serializers.Serializer):
    full_name = serializers.CharField()
    role = serializers.CharField()
    body = serializers.CharField()
    phone = serializers.CharField(help_text="Masked unless the client may read it")
    joined_on = serializers.DateField()
    left_on = serializers.DateField(allow_null=True)


class TeamSchema(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    commune = serializers.CharField(
        help_text="GSO code of the commune-level unit the team belongs to now (in force)"
    )
    former_commune = serializers.CharField(
        allow_null=True,
        help_text="GSO code of the commune it belonged to before its unit started (07/2025)",
    )
    division = serializers.CharField(help_text="GSO code of the hamlet (or commune)")
    is_pilot = serializers.BooleanField()
    status = serializers.CharField()
    decision_number = serializers.CharField()
    decision_date = serializers.DateField()
    dissolved_on = serializers.DateField(allow_null=True)
    members = MemberSchema(many=True)


def _scoped_teams(request, qs):
    """Teams the client may see, narrowed by `commune` / `within` codes. A code matches the
    teams that belong to the unit now or belonged to it before 07/2025 (old codes keep
    working for history; codes reused in 2025 find both)."""
    qs = qs.for_user(request.user)
    if wanted := params.codes(request, "commune"):
        found = set(Division.objects.filter(code__in=wanted).values_list("code", flat=True))
        params.require_known("commune", wanted, found)
        qs = qs.filter(Q(commune__code__in=wanted) | Q(former_commune__code__in=wanted))
    if within := params.codes(request, "within"):
        if len(within) != 1:
            raise ValidationError({"within": [_("Chỉ một mã đơn vị.")]})
        root = Division.objects.filter(code__in=within).order_by("-valid_from").first()
        params.require_known("within", within, {root.code} if root else set())
        qs = qs.filter(
            Q(commune__path__startswith=root.path) | Q(former_commune__path__startswith=root.path)
        )
    return qs


SCOPE_FILTERS = [
    schema_params.codes_param("commune", "Commune GSO codes, comma-separated"),
    schema_params.code_param("within", "GSO code of a unit: teams in its subtree"),
    *schema_params.PAGE_PARAMS,
]


@extend_schema(
    summary="Tổ CNSCĐ teams with their members",
    parameters=SCOPE_FILTERS,
    responses=TeamSchema(many=True),
)
class TeamList(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = TeamSchema
    queryset = Team.objects.none()

    def get(self, request):
        qs = _scoped_teams(
            request,
            Team.objects.select_related("commune", "former_commune", "division").prefetch_related(
                "members"
            ),
        )
        paginator = StableCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        rows = []
        for team in page:
            visible = phone_visible(request.user, team)
            rows.append(
                {
                    "id": team.pk,
                    "name": team.name,
                    "commune": team.commune.code,
                    "former_commune": team.former_commune.code if team.former_commune else None,
                    "division": team.division.code,
                    "is_pilot": team.is_pilot,
                    "status": team.status,
                    "decision_number": team.decision_number,
                    "decision_date": team.decision_date,
                    "dissolved_on": team.dissolved_on,
                    "members": [_member_row(m, visible) for m in team.members.all()],
                }
            )
        return paginator.get_paginated_response(rows)


def _member_row(member: Member, visible: bool) -> dict:
    return {
        "full_name": member.full_name,
        "role": member.role,
        "body": member.body,
        "phone": phone_display(member.phone, visible=visible) if member.phone else "",
        "joined_on": member.joined_on,
        "left_on": member.left_on,
    }


class ActivitySchema(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.IntegerField()
    commune = serializers.CharField(
        help_text="GSO code of the commune-level unit the activity counted for on its date"
    )
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=ActivityKind.values)
    households = serializers.IntegerField()
    people = serializers.IntegerField()
    businesses = serializers.IntegerField()
    dvctt_accounts = serializers.IntegerField()
    epayment_accounts = serializers.IntegerField()
    ecommerce_sellers = serializers.IntegerField()


ACTIVITY_FIELDS = (
    "id",
    "team_id",
    "unit_code",
    "date",
    "kind",
    "households",
    "people",
    "businesses",
    "dvctt_accounts",
    "epayment_accounts",
    "ecommerce_sellers",
)


@extend_schema(
    summary="Activities of the Tổ CNSCĐ teams",
    parameters=[
        *SCOPE_FILTERS,
        schema_params.period_param("period_from"),
        schema_params.period_param("period_to"),
        OpenApiParameter("kind", str, enum=ActivityKind.values),
    ],
    responses=ActivitySchema(many=True),
)
class ActivityList(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ActivitySchema
    queryset = Activity.objects.none()

    def get(self, request):
        teams = _scoped_teams(request, Team.objects.all())
        # The unit of the activity's day: the former commune before the current one started.
        qs = Activity.objects.filter(team__in=teams).annotate(
            unit_code=Case(
                When(
                    team__former_commune__isnull=False,
                    date__lt=F("team__commune__valid_from"),
                    then=F("team__former_commune__code"),
                ),
                default=F("team__commune__code"),
            )
        )
        start, end = params.period_range(request)
        if start:
            qs = qs.filter(date__gte=start)
        if end:
            qs = qs.filter(date__lt=periods.next_month(end))
        if kind := params.choice(request, "kind", set(ActivityKind.values)):
            qs = qs.filter(kind=kind)
        paginator = StableCursorPagination()
        page = paginator.paginate_queryset(qs.values(*ACTIVITY_FIELDS), request, view=self)
        rows = [
            {
                **{k: r[k] for k in ACTIVITY_FIELDS if k not in ("team_id", "unit_code")},
                "team": r["team_id"],
                "commune": r["unit_code"],
            }
            for r in page
        ]
        return paginator.get_paginated_response(rows)
