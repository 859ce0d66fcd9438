import pytest


@pytest.fixture(autouse=True)
def _actuals_typed(request: pytest.FixtureRequest) -> None:
    """The KPI engine's tests type their actuals, as a client does before connecting a CRM (a connected one feeds
    the base metrics and refuses typed values: tests/integrations prove that)."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world_before_crm")
