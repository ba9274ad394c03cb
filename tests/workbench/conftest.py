"""The API tests' county, keys and findings, reused by the browser tests."""

from tests.api.conftest import api_settings, county, detected, keys  # noqa: F401 - fixtures
