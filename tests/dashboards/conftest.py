from __future__ import annotations

import pytest
from django.test.utils import CaptureQueriesContext

from tests.dashboards.helpers import build_world


@pytest.fixture
def dash_world(camau):
    """Figures of January 2024 in districts A (967) and B (966), recomputed."""
    return {**build_world(camau), "camau": camau}


@pytest.fixture
def count_queries(client):
    """GET a URL with the client and return (response, number of queries)."""
    from django.db import connection

    def run(url):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        return response, len(ctx.captured_queries)

    return run
