"""Forms of the Tổ CNSCĐ pages: large inputs for phones; the rules live in teams/services.py."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import numbers
from divisions.access import Action, can, visible_root
from divisions.models import Division, Level
from teams import placement
from teams.models import ActivityKind, MemberBody, MemberRole, TeamStatus
from teams.selectors import structure_labels

# Notes are the officers' own words, written in Vietnamese whatever language the page is in.
USER_TEXT = {"lang": "vi"}


class DateInput(forms.DateInput):
    """The phone's native date picker; it sends ISO dates, typed dd/mm/yyyy also accepted."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"class": "form-control form-control-lg", **(attrs or {})}, format="%Y-%m-%d"
        )


def _style(form: forms.Form) -> None:
    for f in form.fields.values():
        widget = f.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-lg")
        else:
            widget.attrs.setdefault("class", "form-control form-control-lg")


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the matching fields (others at the top)."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def manageable_divisions(user):
    """Communes and hamlets/khóm where the user may set up teams: the scope's units, and the
    ended communes (with their hamlets) whose teams the scope's units now hold, for teams set
    up before 07/2025 and registered late, or in a hamlet of the old commune."""
    root = visible_root(user)
    if root is None or not can(user, Action.MANAGE_TEAMS, root):
        return Division.objects.none()
    held = placement.predecessors_held_by(root).values("pk")
    return (
        Division.objects.filter(
            Q(path__startswith=root.path) | Q(pk__in=held) | Q(parent_id__in=held)
        )
        .filter(level__in=(Level.COMMUNE, Level.HAMLET))
        .select_related("parent")
        .order_by("path")
    )


class DivisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Division) -> str:
        commune = obj if obj.level == Level.COMMUNE else obj.parent
        ended = commune is not None and commune.valid_to and commune.valid_to < timezone.localdate()
        if obj.level == Level.COMMUNE:
            if ended:
                return _("%(name)s (trước 07/2025)") % {"name": placement.former_label(obj)}
            return obj.name
        if ended:
            return _("— %(name)s (%(commune)s, trước 07/2025)") % {
                "name": obj.name,
                "commune": commune.name,
            }
        return f"— {obj.name}"


class TeamForm(forms.Form):
    division = DivisionChoiceField(
        label=_("Xã hoặc ấp, khóm"),
        queryset=Division.objects.none(),
        help_text=_("Chọn ấp/khóm nơi tổ hoạt động (chọn xã nếu tổ phụ trách cả xã)."),
    )
    name = forms.CharField(label=_("Tên tổ"), max_length=200)
    decision_number = forms.CharField(label=_("Số quyết định thành lập"), max_length=60)
    decision_date = forms.DateField(
        label=_("Ngày quyết định của Chủ tịch UBND xã"), widget=DateInput
    )
    is_pilot = forms.BooleanField(label=_("Tổ thí điểm"), required=False)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2, **USER_TEXT})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = manageable_divisions(user)
        _style(self)


class DissolveForm(forms.Form):
    dissolved_on = forms.DateField(label=_("Ngày giải thể"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    role = forms.ChoiceField(
        label=_("Vai trò"), choices=MemberRole.choices, initial=MemberRole.MEMBER
    )
    # No preselected body: the first choice would be saved for whoever did not look.
    body = forms.ChoiceField(
        label=_("Đơn vị, đoàn thể"),
        choices=[("", _("— Chọn —")), *MemberBody.choices],
        error_messages={"required": _("Hãy chọn đơn vị, đoàn thể của thành viên.")},
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Di động 10 số (03, 05, 07, 08, 09) hoặc cố định 02xx; có thể nhập +84."),
    )
    joined_on = forms.DateField(label=_("Ngày tham gia"), widget=DateInput)
    left_on = forms.DateField(label=_("Ngày rời tổ"), required=False, widget=DateInput)
    member_user = forms.ModelChoiceField(
        label=_("Tài khoản cổng (tổ trưởng, tổ phó)"),
        queryset=None,
        required=False,
        help_text=_("Liên kết để tổ trưởng cập nhật tổ từ điện thoại."),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2, **USER_TEXT})
    )

    def __init__(self, *args, team, can_link_user: bool, adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if adding:
            # Someone who has left is recorded with "Rời tổ", not added as already gone.
            del self.fields["left_on"]
            self.fields["joined_on"].help_text = _(
                "Ngày quyết định thành lập tổ: %(day)s. Thành viên từ khi thành lập tổ: "
                "chọn ngày đó."
            ) % {"day": team.decision_date.strftime("%d/%m/%Y")}
        if can_link_user:
            # Team-leader accounts scoped to this team's commune.
            self.fields["member_user"].queryset = (
                get_user_model()
                .objects.filter(groups__name="team_leader", cds_scope__division_id=team.commune_id)
                .order_by("username")
            )
        else:
            del self.fields["member_user"]
        _style(self)


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Ngày rời tổ"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class CountField(forms.IntegerField):
    """A count typed the Vietnamese way by the portal's one number rule ("1.500" is 1500).
    A text box, not type=number: browsers rewrite or drop what a number box cannot parse in
    their own locale, so the server would not see what was typed."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = numbers.parse(value, numbers.COMMA)
        except numbers.NumberError as exc:
            raise ValidationError(exc.message, code="invalid") from exc
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValidationError(
                _("«%(text)s» không phải là số nguyên.") % {"text": value}, code="invalid"
            )
        return int(number)


def _count_field(label) -> forms.IntegerField:
    # No min_value here: the service refuses negatives with its own message.
    return CountField(
        label=label,
        initial=0,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ActivityForm(forms.Form):
    date = forms.DateField(label=_("Ngày"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Nội dung"), choices=ActivityKind.choices)
    households = _count_field(_("Số hộ gia đình được hướng dẫn"))
    people = _count_field(_("Số người dân được hướng dẫn"))
    businesses = _count_field(_("Số DN, HTX, hộ kinh doanh được hỗ trợ"))
    dvctt_accounts = _count_field(_("Tài khoản DVCTT được tạo"))
    epayment_accounts = _count_field(_("Tài khoản thanh toán điện tử được mở"))
    ecommerce_sellers = _count_field(_("Người bán đưa lên sàn TMĐT"))
    notes = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3, **USER_TEXT})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean(self):
        data = super().clean()
        for name in (
            "households",
            "people",
            "businesses",
            "dvctt_accounts",
            "epayment_accounts",
            "ecommerce_sellers",
        ):
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        return data


class CodeChoiceField(forms.ModelChoiceField):
    """A division chosen by code. Codes are unique per validity period only (the 2025 units
    reuse old codes): the unit in force today wins, else the one that started last."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        candidates = list(self.queryset.filter(code=str(value)))
        if not candidates:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        today = timezone.localdate()
        current = [
            d
            for d in candidates
            if (d.valid_from is None or d.valid_from <= today)
            and (d.valid_to is None or d.valid_to >= today)
        ]
        return (current or sorted(candidates, key=lambda d: d.valid_from or dt.date.min))[-1]


class TeamFilterForm(forms.Form):
    district = CodeChoiceField(
        label=_("Huyện, thành phố"),
        queryset=Division.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Tất cả"),
    )
    commune = CodeChoiceField(
        label=_("Xã, phường, thị trấn"),
        queryset=Division.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Tất cả"),
    )
    pilot = forms.TypedChoiceField(
        label=_("Thí điểm"),
        choices=[("", _("Tất cả")), ("1", _("Tổ thí điểm")), ("0", _("Không thí điểm"))],
        required=False,
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=[("", _("Tất cả")), *TeamStatus.choices], required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        root = visible_root(user)
        # Labels and choices of the structure in force (an ended scope: its own period). Since
        # 07/2025 there is no district level: the district filter is left out.
        self.labels = structure_labels(root)
        day = timezone.localdate()
        if root is not None and root.valid_to and root.valid_to < day:
            day = root.valid_to
        visible = Division.objects.within(root).valid_on(day) if root else Division.objects.none()
        if self.labels.has_districts:
            self.fields["district"].label = self.labels.district
            self.fields["district"].queryset = visible.at_level(Level.DISTRICT).order_by("code")
        else:
            del self.fields["district"]
        commune = self.fields["commune"]
        commune.label = self.labels.commune
        # Every unit of the scope is accepted (an old code, from a link or a bookmark, filters
        # the teams it had: history); the list offers the units of the structure in force.
        everyone = Division.objects.within(root) if root else Division.objects.none()
        commune.queryset = everyone.at_level(Level.COMMUNE).order_by("path")
        in_force = visible.at_level(Level.COMMUNE).order_by("path")
        commune.widget.choices = [("", commune.empty_label)] + [
            (unit.code, unit.name) for unit in in_force
        ]
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select"


class PilotCommuneForm(forms.Form):
    commune = forms.ModelChoiceField(
        label=_("Xã, phường, thị trấn"), queryset=Division.objects.none()
    )
    chosen_on = forms.DateField(label=_("Ngày lựa chọn"), widget=DateInput)
    decision_reference = forms.CharField(
        label=_("Văn bản lựa chọn"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs=USER_TEXT),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        root = visible_root(user)
        communes = Division.objects.none()
        if (
            root is not None
            and root.level <= Level.DISTRICT
            and can(user, Action.MANAGE_TEAMS, root)
        ):
            # The 2023 pilot's communes: those under a district (the structure of the time).
            communes = (
                Division.objects.within(root)
                .at_level(Level.COMMUNE)
                .filter(parent__level=Level.DISTRICT)
                .order_by("path")
            )
        self.fields["commune"].queryset = communes
        _style(self)
