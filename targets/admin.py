"""Admin for the catalogue, with xlsx/csv import and export (django-import-export).

The import goes through the admin's standard flow: upload → dry-run preview with row-by-row
errors (each naming the field) → confirm. The file is read by the one bounded reader
(`core.uploads`), so a hostile file is refused with the same message as on the import page. Every row is validated with the model's
`full_clean()` (`clean_model_instances`), the whole file runs in one transaction, and a file
with any bad row offers no confirm button, so nothing of it is saved.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from core.upload_admin import BoundedImportMixin
from targets.models import Indicator, Programme, ProgrammeGoal, Target
from targets.services import BadValue, parse_date, parse_decimal


class IndicatorByCodeWidget(ForeignKeyWidget):
    """Looks indicators up by code from one query per import, not one query per row."""

    def __init__(self, **kwargs):
        super().__init__(Indicator, field="code", **kwargs)
        self._cache: dict[str, Indicator] | None = None

    def clean(self, value, row=None, **kwargs):
        code = str(value or "").strip()
        if not code:
            return None
        if self._cache is None:
            self._cache = Indicator.objects.in_bulk(field_name="code")
        try:
            return self._cache[code]
        except KeyError:
            raise ValueError(
                _("Không có chỉ tiêu nào có mã «%(code)s».") % {"code": code}
            ) from None


class _NoDuplicateRows:
    """Refuse a second row with the same import key in one file (it would silently win).

    Also turns a bad key cell (unknown indicator code, unreadable date) into a row validation
    error naming the column, instead of the generic error with a traceback the admin shows
    for exceptions raised while looking the row up.
    """

    def get_or_init_instance(self, instance_loader, row):
        try:
            return super().get_or_init_instance(instance_loader, row)
        except ValueError as exc:
            errors = {}
            for name in self.get_import_id_fields():
                field = self.fields[name]
                try:
                    field.clean(row)
                except ValueError as field_exc:
                    errors[field.attribute] = str(field_exc)
            raise ValidationError(errors or {"__all__": str(exc)}) from exc

    def before_import(self, dataset, **kwargs):
        self._seen_keys: dict[tuple, int] = {}
        super().before_import(dataset, **kwargs)

    def _check_duplicate(self, key: tuple, field: str, row_number: int | None) -> None:
        seen = getattr(self, "_seen_keys", {})
        if key in seen:
            raise ValidationError(
                {
                    field: _("Dòng này trùng %(what)s với dòng %(n)s của tệp.")
                    % {"what": self.duplicate_label, "n": seen[key]}
                }
            )
        seen[key] = row_number
        self._seen_keys = seen


class DayWidget(widgets.DateWidget):
    """Dates as the portal import reads them: Excel date cells (which arrive as datetimes and
    would otherwise look "changed" against the stored date), "31/12/2025", "2025-12-31"."""

    def __init__(self, *args, year_means: str = "start", **kwargs):
        # A bare year is 31/12 for a deadline and 1/1 for a baseline period.
        self.year_means = year_means
        super().__init__(*args, **kwargs)

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_date(value, "date", year_means=self.year_means)
        except BadValue as exc:
            raise ValueError(exc.message) from exc


class RuleDecimalWidget(widgets.DecimalWidget):
    """Numbers by the portal's one number rule, as the catalogue import reads them: text that
    two conventions read differently ("1.500") is refused, never guessed."""

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_decimal(value, "number")
        except BadValue as exc:
            raise ValueError(exc.message) from exc


class _CatalogueMeta:
    """Import options every catalogue sheet shares: rows validated by the model, the whole file
    in one transaction, unchanged rows reported as such."""

    clean_model_instances = True
    use_transactions = True
    skip_unchanged = True
    report_skipped = True


class _ByCodeMeta(_CatalogueMeta):
    import_id_fields = ("code",)
    exclude = ("id",)


class _CatalogueResource(_NoDuplicateRows, resources.ModelResource):
    # An empty Excel cell is None; text columns (notes, wording_en) are NOT NULL with blank
    # allowed, so read them as "" like CharFields (else the save fails instead of validating).
    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "TextField": widgets.CharWidget,
        "DateField": DayWidget,
        "DecimalField": RuleDecimalWidget,
    }


class _ByCodeResource(_CatalogueResource):
    """Rows matched by their `code`; the same code twice in one file is refused."""

    def before_import_row(self, row, **kwargs):
        self._check_duplicate(
            (str(row.get("code") or "").strip(),), "code", kwargs.get("row_number")
        )


class IndicatorResource(_ByCodeResource):
    duplicate_label = "mã chỉ tiêu"

    class Meta(_ByCodeMeta):
        model = Indicator

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        if not str(row.get("counting_window") or "").strip():
            # Which months count is declared for every indicator, never taken from a default.
            raise ValidationError(
                {
                    "counting_window": _(
                        "Thiếu khoảng cộng dồn: ghi cumulative, year_to_date hoặc latest."
                    )
                }
            )


class TargetResource(_CatalogueResource):
    duplicate_label = "chương trình, chỉ tiêu, thời hạn và phạm vi"
    programme = fields.Field(
        attribute="programme",
        column_name="programme",
        widget=ForeignKeyWidget(Programme, field="code"),
    )
    indicator = fields.Field(
        attribute="indicator", column_name="indicator", widget=IndicatorByCodeWidget()
    )

    class Meta(_CatalogueMeta):
        model = Target
        import_id_fields = ("programme", "indicator", "deadline", "scope_level")
        widgets = {"deadline": {"year_means": "end"}}
        fields = (
            "programme",
            "indicator",
            "wording_vi",
            "wording_en",
            "deadline",
            "scope_level",
            "kind",
            "value",
            "comparator",
            "baseline_value",
            "baseline_period",
            "baseline_provisional",
            "source_document",
            "notes",
        )

    def before_import(self, dataset, **kwargs):
        # Indicators may have been added since the last import: start from a fresh lookup.
        self.fields["indicator"].widget._cache = None
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        key = tuple(
            str(row.get(k) or "").strip()
            for k in ("programme", "indicator", "deadline", "scope_level")
        )
        self._check_duplicate(key, "scope_level", kwargs.get("row_number"))


class ProgrammeGoalResource(_ByCodeResource):
    duplicate_label = "mã mục tiêu tổng quát"

    class Meta(_ByCodeMeta):
        model = ProgrammeGoal


class _CatalogueAdmin(BoundedImportMixin, ImportExportModelAdmin, SimpleHistoryAdmin):
    # Excel and CSV only, read by the one bounded reader: the formats steering staff use.
    export_formats = [XLSX, CSV]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = (
        "programme",
        "deadline",
        "scope_level",
        "kind",
        "value",
        "comparator",
        "baseline_value",
    )
    show_change_link = True


@admin.register(Indicator)
class IndicatorAdmin(_CatalogueAdmin):
    resource_classes = [IndicatorResource]
    list_display = (
        "code",
        "name_vi",
        "pillar",
        "unit",
        "measurement",
        "division_aggregation",
        "time_aggregation",
        "counting_window",
        "is_active",
    )
    list_filter = ("pillar", "measurement", "counting_window", "is_active")
    search_fields = ("code", "name_vi", "name_en")
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(_CatalogueAdmin):
    resource_classes = [TargetResource]
    list_display = (
        "programme",
        "indicator",
        "deadline",
        "scope_level",
        "kind",
        "value",
        "comparator",
        "baseline_value",
        "baseline_provisional",
    )
    list_filter = ("programme", "deadline", "scope_level", "kind", "indicator__pillar")
    search_fields = ("indicator__code", "indicator__name_vi", "wording_vi")
    list_select_related = ("indicator", "programme")
    raw_id_fields = ("indicator",)


@admin.register(ProgrammeGoal)
class ProgrammeGoalAdmin(_CatalogueAdmin):
    resource_classes = [ProgrammeGoalResource]
    list_display = ("code", "deadline_year", "position", "text_vi")
    search_fields = ("code", "text_vi", "text_en")


class TargetOfProgrammeInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ("indicator", "deadline", "scope_level", "kind", "value", "comparator")
    raw_id_fields = ("indicator",)
    show_change_link = True


class ProgrammeResource(_ByCodeResource):
    duplicate_label = "mã chương trình"

    class Meta(_ByCodeMeta):
        model = Programme


@admin.register(Programme)
class ProgrammeAdmin(_CatalogueAdmin):
    resource_classes = [ProgrammeResource]
    list_display = ("number", "kind", "issuer", "issued_on", "first_year", "last_year", "code")
    list_filter = ("kind",)
    search_fields = ("code", "number", "title_vi", "title_en")
    inlines = [TargetOfProgrammeInline]
