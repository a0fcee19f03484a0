import pytest

from conftest import ROOT


@pytest.fixture
def pau(db):
    """The imaging service of the CH de Pau (seed 004): runbooks, groups, vendors."""
    from escalade.core.packs import load_pack

    return load_pack(ROOT / "packs" / "ch-pau-imaging").institution


@pytest.fixture
def crew(pau, make_user):
    """Users of the imaging service by role."""
    roles = ("level1_agent", "it_technician", "level2_analyst", "manager", "requester")
    roles += ("telehealth_technician",)
    return {role: make_user(role, [pau], username=f"pau-{role}") for role in roles}
