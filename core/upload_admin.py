"""The Django admin's spreadsheet imports (django-import-export) read by the one bounded reader.

Owns `BoundedImportMixin`: an import-export admin that accepts .xlsx and .csv only, read by
`core.uploads.read_table` (every limit, the same Vietnamese refusals as the portal's import
pages), refuses an oversized file before the admin reads it, and shows a refusal's own message
instead of the exception's class name. Imports Django, import-export and `core.uploads`.
"""

from __future__ import annotations

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from core import uploads


class _BoundedFormat:
    """A file format read as bytes by the bounded reader, so a CSV that is not UTF-8 is
    refused by its Vietnamese message too."""

    extension = ""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream) -> tablib.Dataset:
        upload = SimpleUploadedFile(f"import{self.extension}", in_stream)
        header, *body = uploads.read_table(upload).rows or [()]
        width = len(header)
        dataset = tablib.Dataset(headers=list(header))
        for row in body:
            if any(c not in (None, "") for c in row):  # blank lines are common and harmless
                dataset.append(list(row[:width]) + [None] * (width - len(row)))
        return dataset


class BoundedXLSX(_BoundedFormat, XLSX):
    extension = ".xlsx"


class BoundedCSV(_BoundedFormat, CSV):
    extension = ".csv"


class BoundedImportForm(ImportForm):
    """The admin's upload form, refusing an oversized file before the admin reads it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        uploads.check_size(upload)
        return upload


class BoundedImportMixin:
    """Put first in the bases of an ImportExportModelAdmin."""

    import_formats = [BoundedXLSX, BoundedCSV]
    import_form_class = BoundedImportForm

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        """A refused upload shows its own message, not the exception's class name."""
        if isinstance(e, uploads.UploadError):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)
