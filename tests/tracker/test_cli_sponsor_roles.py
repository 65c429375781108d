"""`tracker bills show` on a LegiScan bill that ranks no sponsor (real Alaska HB 3, 2011, sponsor_type_id 0 for
all 19): it printed all of them after "Sponsor:", as if each were a primary sponsor."""

import pytest
from realdata_paths import require_realdata
from typer.testing import CliRunner

from tracker.cli import app
from tracker.exports.packet import sponsorship_label

pytestmark = pytest.mark.realdata


def test_bills_show_says_the_roles_are_not_recorded(database_url: str) -> None:
    runner = CliRunner()
    path = require_realdata("legiscan", "dataset_json", "bill", "HB3.json")
    assert runner.invoke(app, ["import", "--quiet", str(path)], catch_exceptions=False).exit_code == 0
    result = runner.invoke(app, ["bills", "show", "HB 3", "--jurisdiction", "ak"], env={"COLUMNS": "400"},
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert not any(line.startswith("Sponsor: ") for line in lines)
    [listed] = [line for line in lines if line.startswith("Sponsors (primary sponsor not recorded): ")]
    assert listed.endswith("; Robert Lynn; Alan Dick") and listed.count(";") == 18
    # The bill page's sponsor table words each kind the same way.
    assert sponsorship_label("sponsor") == "Sponsor (primary or co-sponsor not recorded)"
    assert sponsorship_label("primary") == "Primary sponsor"
