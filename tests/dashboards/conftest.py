from __future__ import annotations

import pytest

from tests.dashboards.helpers import build_world


@pytest.fixture
def world(camau):
    """Figures of January 2024 in districts A (967) and B (966), recomputed."""
    ind, targets, flow = build_world(camau)
    return {"indicator": ind, "targets": targets, "flow": flow, "camau": camau}
