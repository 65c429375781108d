"""Real roll calls for the scorecard tests: a few Mississippi 2014 bills from LegiScan's XML dataset archive (the
bills, their roll-call files and every people file, taken out of the archive into a temporary folder: importing
the whole archive takes far longer) and California's 1999 pubinfo extract, both imported through
``tracker.importer`` as ``tracker import`` does. Positions are set here, as staff would.

Hand-checked against the raw files (the numbers the tests assert):

- Mississippi, Stephen Holland (people_id 6504, House): HB 48 House Passed (roll call 307127) Yea; HB 49 House
  Passed (309059) Nay; HB 350 House Passed (311164) NV; HB 115 House Passed (310976) Nay and House Passed As
  Amended (312144) NV.
- California 1999-2000 First Extraordinary Session, Assembly floor (``BILL_DETAIL_VOTE_TBL``): SB 1's last floor
  vote (seq 1011, 59-16), SB 2's (seq 1013, 75-0), AB 1's (seq 1014, concurrence, 55-17): Thompson AYE, AYE, AYE;
  Battin NOE, AYE, ABS; Frusetta ABS, ABS, AYE.
"""

import re
import tarfile
from pathlib import Path

from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker import positions, users
from tracker.importer import import_path
from tracker.models import Bill, LegislativeSession, User

MS_BILLS = ("HB48", "HB49", "HB350", "HB115", "HB548", "HB71")
MS_VOTES = ("307127", "311195", "309059", "311164", "310976", "312144", "316061", "311037", "314370")
MS_POSITIONS = {"HB 48": "Support", "HB 49": "Support", "HB 350": "Oppose", "HB 115": "Oppose unless amended",
                "HB 548": "Oppose", "HB 71": "Watch"}
CA_POSITIONS = {"SB 1": "Support", "SB 2": "Oppose", "AB 1": "Oppose unless amended", "SCR 2": "Neutral"}
CA_SESSION = "19992000s1"


def ms_folder(tmp: Path) -> Path:
    archive = require_realdata("legiscan", "dataset_xml_MS2014.tar.gz")
    wanted = {f"bill/{b}.xml" for b in MS_BILLS} | {f"vote/{v}.xml" for v in MS_VOTES}
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and (
            "/people/" in m.name or m.name.split("regSession2014/", 1)[-1] in wanted)]
        tar.extractall(tmp, members=members, filter="data")
    return tmp / "regSession2014"


def ms_people() -> list[dict[str, str]]:
    """Each member's people_id, chamber (role 1: House, 2: Senate) and name as LegiScan gives them."""
    people = []
    with tarfile.open(require_realdata("legiscan", "dataset_xml_MS2014.tar.gz")) as tar:
        for member in tar.getmembers():
            if member.isfile() and "/people/" in member.name:
                xml = tar.extractfile(member).read().decode()  # type: ignore[union-attr]
                field = {k: re.search(f"<{k}>(.*?)</{k}>", xml).group(1)  # type: ignore[union-attr]
                         for k in ("people_id", "role_id", "name", "last_name")}
                people.append({"id": field["people_id"], "name": field["name"], "last": field["last_name"],
                               "chamber": {"1": "lower", "2": "upper"}[field["role_id"]]})
    return people


def person(session: Session, role: str = "staff") -> User:
    """A user of that role (the first account made is the admin every tracker starts with)."""
    email = f"{role}@example.org"
    existing = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if existing:
        return existing
    admin = session.execute(select(User).where(User.role == "admin")).scalars().first() or users.add_user(
        session, email="admin@example.org", role="admin", name="Ada Admin")
    return admin if role == "admin" else users.add_user(session, email=email, role=role,
                                                        name=f"Sam {role.title()}", actor=admin)


def set_positions(session: Session, actor: User, jurisdiction: str, wanted: dict[str, str],
                  session_identifier: str | None = None) -> dict[str, int]:
    where = [Bill.jurisdiction_id == jurisdiction, Bill.identifier.in_(wanted)]
    if session_identifier:
        where.append(LegislativeSession.identifier == session_identifier)
    ids = dict(session.execute(select(Bill.identifier, Bill.id).join(
        LegislativeSession, LegislativeSession.id == Bill.session_id).where(*where)).all())
    assert set(ids) == set(wanted), ids
    for identifier, stance in wanted.items():
        positions.set_position(session, actor=actor, bill_id=ids[identifier], stance=stance, expected_version=None)
    session.commit()
    return ids


def load_ms(engine: Engine, tmp: Path) -> dict[str, int]:
    report = import_path(engine, ms_folder(tmp), flag=False)
    assert report.errors == [], report.errors
    with Session(engine, expire_on_commit=False) as s:
        return set_positions(s, person(s), "ms", MS_POSITIONS)


def load_ca(engine: Engine) -> dict[str, int]:
    folder = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")
    report = import_path(engine, folder, flag=False)
    assert report.errors == [], report.errors
    with Session(engine, expire_on_commit=False) as s:
        return set_positions(s, person(s), "ca", CA_POSITIONS, CA_SESSION)
