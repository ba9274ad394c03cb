"""The API tests' county, keys and client, reused by the evidence-pack tests."""

from tests.api.conftest import api_settings, client, county, keys  # noqa: F401 - fixtures
