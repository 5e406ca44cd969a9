from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from targets.imports import check_upload
from targets.models import ScopeLevel


class CatalogueFilterForm(forms.Form):
    """GET filter of the catalogue page; unknown values are ignored rather than refused."""

    year = forms.TypedChoiceField(label=_("Thời hạn"), required=False, coerce=int, empty_value=None)
    level = forms.TypedChoiceField(
        label=_("Cấp"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả các cấp")), *ScopeLevel.choices],
    )

    programme = forms.ChoiceField(label=_("Chương trình"), required=False)

    def __init__(self, *args, years: list[int], programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Tất cả các năm")), *((y, str(y)) for y in years)]
        self.fields["programme"].choices = [
            ("", _("Tất cả các chương trình")),
            *((p.code, f"{p.get_kind_display()} {p.number}") for p in programmes),
        ]
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> dict[str, int | None]:
        if not self.is_valid():
            # Unknown values are ignored one by one, not all together.
            return {
                name: getattr(self, "cleaned_data", {}).get(name) or None
                for name in ("year", "level", "programme")
            }
        return {
            "year": self.cleaned_data["year"],
            "level": self.cleaned_data["level"],
            "programme": self.cleaned_data["programme"] or None,
        }


class TargetImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp mục tiêu (.xlsx hoặc .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return upload
