from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class StrictFormatNegotiation(DefaultContentNegotiation):
    """`?format=` must name a renderer (json, csv); an empty one is refused, not ignored."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) == "":
            raise NotAcceptable(_("format phải là json hoặc csv."))
        return super().select_renderer(request, renderers, format_suffix)
