"""The Exports page names jurisdictions as the inbox does, not by bare codes."""

from apptest_helpers import no_exception, signed_in
from dash_fixtures import Seeded


def test_the_jurisdiction_picker_names_each_jurisdiction(seeded: Seeded) -> None:
    # A lobbyist picking the packet's jurisdictions saw "al", "ak", "ar", "ca", "us": Alaska or Alabama?
    at = signed_in(seeded.users["lobbyist"], "views/exports.py")
    no_exception(at)
    assert at.multiselect(key="x_jurisdictions").options == ["ca — California", "us — United States"]
    at.multiselect(key="x_jurisdictions").select("ca — California").run()
    no_exception(at)
    assert at.multiselect(key="x_jurisdictions").value == ["ca"]
