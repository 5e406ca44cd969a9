"""A client generated from the schema works: openapi-python-client builds a package from the
live `/api/schema/`, and that package writes a figure and reads it back from a live server."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from divisions.tokens import api_token_issue
from reports.models import DataValue
from tests.reports.factories import count_indicator

PACKAGE = "ca_mau_cds_portal_api_client"


def _generate(schema_url: str, into: Path) -> None:
    schema = into / "schema.yaml"
    with urllib.request.urlopen(schema_url) as response:  # noqa: S310 (the live test server)
        schema.write_bytes(response.read())
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            bin_dir / "openapi-python-client",
            "generate",
            "--path",
            schema,
            "--output-path",
            into / PACKAGE,
            "--meta",
            "none",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=300,
    )


@pytest.mark.django_db(transaction=True)
def test_generated_client_writes_and_reads(live_server, camau, officer_a, tmp_path, monkeypatch):
    count_indicator("people_guided")
    _, key = api_token_issue(user=officer_a, name="generated client", read_only=False)
    _generate(f"{live_server.url}/api/schema/", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module(PACKAGE)
    create = importlib.import_module(f"{PACKAGE}.api.v1.v1_values_create")
    read = importlib.import_module(f"{PACKAGE}.api.v1.v1_values_list")
    models = importlib.import_module(f"{PACKAGE}.models")

    client = package.AuthenticatedClient(base_url=live_server.url, token=key, prefix="Token")
    row = models.ValueInputRequest(
        indicator="people_guided", division="32068", period="2024-05", value=7
    )
    written = create.sync_detailed(client=client, body=[row])
    assert written.status_code == 201, written.content
    assert written.parsed.created == 1 and written.parsed.results[0].version == 1
    assert DataValue.objects.get().value == 7

    page = read.sync(
        client=client,
        indicator="people_guided",
        division="32068",
        period_from="2024-05",
        status=models.V1ValuesListStatus.ALL,
    )
    assert isinstance(page, models.PaginatedValueSchemaList)
    [figure] = page.results
    assert (figure.division, figure.period, figure.value, figure.version) == (
        "32068",
        "2024-05",
        7,
        1,
    )
    assert figure.division_name and figure.division_id == DataValue.objects.get().division_id

    refused = read.sync_detailed(client=client, period_from="2024-13")
    assert refused.status_code == 400 and refused.parsed.errors[0].field == "period_from"
