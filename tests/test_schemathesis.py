"""schemathesis over the whole committed OpenAPI schema, in-process (WSGI), with a fixed
seed and bounded examples: no server error, no answer outside the schema, for every
operation, as a level-2 analyst of the demo institution."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import ROOT

schema = schemathesis.openapi.from_path(ROOT / "openapi" / "schema.json")
schema.app = get_wsgi_application()
EXAMPLES = 12


@pytest.fixture
def token(db, cusm, make_user):
    """A token, and the requests kept inside the test's transaction: as Django's test
    client does, the handler must not close the connection after each request."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from escalade.accounts.services import create_api_token

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield create_api_token(make_user("level2_analyst", [cusm], username="fuzzer"))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_within_its_schema(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
