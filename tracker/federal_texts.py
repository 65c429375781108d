"""Which federal bills' texts the ``govinfo_text`` crawl fetches: the latest version of each bill in scope whose
text is not stored yet, the most recently active bills first, at most ``limit`` of them.

Scope ``tracked`` (the default) is what a policy team reads: bills flagged for a topic, on a watchlist, or with a
position. ``all`` is every federal bill of the given Congresses. A version's text is read from its GovInfo package
XML (``https://www.govinfo.gov/content/pkg/BILLS-117hr1ih/xml/BILLS-117hr1ih.xml``), named from the version code
whichever feed listed the version: BILLSTATUS lists that URL, the Congress.gov API its own copies of the same file.
A published GovInfo version does not change, so a version whose text is stored is not fetched again.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, union
from sqlmodel import Session

from tracker.config import CONGRESS_SOURCES
from tracker.models import Bill, BillMatch, BillSource, BillVersion, Position, WatchlistItem
from tracker.queries import VERSION_ORDER
from tracker.sources.govinfo_billstatus import package_xml_url

SCOPES = ("tracked", "all")


@dataclass(frozen=True)
class TextTarget:
    bill_id: int
    source_key: str  # "117-hr-1": the key both federal feeds give the bill
    code: str  # the version's code: "ih", "enr"
    url: str  # its GovInfo package XML

    @property
    def expected(self) -> str:
        return f"{self.source_key} {self.code}"


@dataclass(frozen=True)
class TextScope:
    targets: list[TextTarget]
    in_scope: int  # federal bills in scope
    stored: int  # of which the latest version's text is stored already
    beyond_limit: int  # left for the next run by ``limit``


def package_xml(source_key: str, code: str) -> str:
    congress, bill_type, number = source_key.split("-")
    return package_xml_url(f"BILLS-{congress}{bill_type}{number}{code}")


def text_targets(session: Session, *, scope: str = "tracked", congresses: Sequence[int] = (),
                 limit: int = 500) -> TextScope:
    if scope not in SCOPES:
        raise ValueError(f"scope {scope!r}: expected one of {', '.join(SCOPES)}")
    bills = (select(Bill.id, BillSource.source_key).join(BillSource, BillSource.bill_id == Bill.id)
             .where(Bill.jurisdiction_id == "us", BillSource.source_name.in_(CONGRESS_SOURCES))
             .order_by(Bill.latest_action_date.desc().nulls_last(), Bill.id.desc()))
    if scope == "tracked":
        tracked = union(select(BillMatch.bill_id).where(BillMatch.flagged.is_(True)), select(WatchlistItem.bill_id),
                        select(Position.bill_id)).subquery()
        bills = bills.where(Bill.id.in_(select(tracked.c.bill_id)))
    else:
        bills = bills.where(or_(*(BillSource.source_key.startswith(f"{c}-") for c in congresses)))
    keys: dict[int, str] = {}
    for bill_id, key in session.execute(bills):
        keys.setdefault(bill_id, key)  # both feeds' rows give the same key
    latest: dict[int, tuple[str, bool]] = {}
    ids = list(keys)
    for start in range(0, len(ids), 500):
        for bill_id, code, has_text in session.execute(
                select(BillVersion.bill_id, BillVersion.code, BillVersion.text.is_not(None))
                .where(BillVersion.bill_id.in_(ids[start:start + 500]), BillVersion.code.is_not(None))
                .order_by(*VERSION_ORDER)):
            latest[bill_id] = (code, bool(has_text))  # ordered oldest first: the last one stays
    targets, stored, beyond = [], 0, 0
    for bill_id, key in keys.items():
        if bill_id not in latest:
            continue  # no version yet: nothing published to read
        code, has_text = latest[bill_id]
        if has_text:
            stored += 1
        elif len(targets) >= limit:
            beyond += 1
        else:
            targets.append(TextTarget(bill_id, key, code, package_xml(key, code)))
    return TextScope(targets, len(keys), stored, beyond)
