"""The small form of the periodic report: the unit's remembered header and the report's own
number, date and free-text sections."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import NUMBER_PLACEHOLDER, PeriodicReport, ReportHeader


class HeaderForm(forms.ModelForm):
    prefix = "header"

    class Meta:
        model = ReportHeader
        fields = [
            "parent_body",
            "issuing_body",
            "number_pattern",
            "place",
            "authority",
            "authority_body",
            "signer_position",
            "signer_name",
            "recipients",
        ]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 5})}

    def clean_number_pattern(self) -> str:
        pattern = self.cleaned_data["number_pattern"].strip()
        if NUMBER_PLACEHOLDER not in pattern:
            raise forms.ValidationError(
                _("Mẫu số văn bản phải có {so} ở chỗ của số, ví dụ {so}/BC-BCĐ.")
            )
        return pattern


class ReportForm(forms.ModelForm):
    prefix = "report"

    class Meta:
        model = PeriodicReport
        fields = ["document_number", "issued_on", "tasks_ahead", "proposals"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "tasks_ahead": forms.Textarea(attrs={"rows": 5}),
            "proposals": forms.Textarea(attrs={"rows": 4}),
        }
