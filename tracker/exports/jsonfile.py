"""JSON for integrations: the whole packet, structured, with ISO dates and text exactly as stored.

No spreadsheet escaping here: a program reading JSON gets the real title, and escapes it wherever it shows it.
"""

import json
from typing import Any

from tracker.exports.packet import Packet, PacketBill

SCHEMA = "policy-tracker/packet/v1"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def bill_json(bill: PacketBill) -> dict[str, Any]:
    hearing = bill.next_hearing
    notes = {} if bill.notes is None else {"notes": [
        {"author": n.author, "written_at": _iso(n.written_at), "body": n.body} for n in bill.notes]}
    return {
        "id": bill.id,
        "jurisdiction": bill.jurisdiction,
        "jurisdiction_name": bill.jurisdiction_name,
        "session": bill.session,
        "session_name": bill.session_name,
        "identifier": bill.identifier,
        "title": bill.title,
        "short_title": bill.short_title,
        "stage": bill.stage,
        "stage_label": bill.stage_label,
        "status_text": bill.status_text,
        "introduced_date": _iso(bill.introduced_date),
        "latest_action": {"date": _iso(bill.latest_action_date), "text": bill.latest_action_text},
        "policy_area": bill.policy_area,
        "position": None
        if bill.position is None
        else {
            "stance": bill.position,
            "priority": bill.priority,
            "rationale": bill.rationale,
            "updated_at": _iso(bill.position_updated_at),
        },
        "summary": bill.summary,
        "sponsors": [
            {"name": s.name, "party": s.party, "state": s.state, "district": s.district}
            for s in bill.sponsors
        ],
        # Listed by a feed that records no primary/co-sponsor role (LegiScan's "Sponsor (Generic / Unspecified)").
        "unranked_sponsors": [
            {"name": s.name, "party": s.party, "state": s.state, "district": s.district}
            for s in bill.unranked_sponsors
        ],
        "cosponsor_count": bill.cosponsor_count,
        "legislator_roles": [
            {"name": r.name, "person_id": r.person_id, "role": r.role, "original": r.original, "date": _iso(r.date)}
            for r in bill.legislator_roles
        ],
        "committees": list(bill.committees),
        "committee_actions": [
            {"committee": a.committee, "action": a.action, "date": _iso(a.date)} for a in bill.committee_actions
        ],
        "next_hearing": None
        if hearing is None
        else {
            "date": _iso(hearing.date),
            "time": hearing.time,  # as the feed wrote it
            "clock": hearing.clock,  # on the legislature's clock, with its zone: "3:00 PM CST"
            "body": hearing.body,
            "location": hearing.location,
            "description": hearing.description,
            "url": hearing.url,
        },
        "topics": [
            {
                "slug": t.slug,
                "name": t.name,
                "score": t.score,
                "terms": list(t.terms),
                "evidence": [{"field": e.field, "snippet": e.snippet} for e in t.evidence],
            }
            for t in bill.topics
        ],
        "links": [{"label": link.label, "url": link.url} for link in bill.links],
        "current_text": bill.current_text.as_json() if bill.current_text else None,
        # Numbered roll calls (federal, BILLSTATUS); "tally" says "tally not loaded" where the feed gave no counts.
        "roll_calls": [{"name": rc.name, "date": _iso(rc.date), "motion": rc.motion, "url": rc.url,
                        "tally": rc.tally} for rc in bill.roll_calls],
        **notes,
    }


def write_json(packet: Packet) -> bytes:
    doc = {
        "schema": SCHEMA,
        "title": packet.title,
        "organisation": packet.organisation,
        "generated_at": packet.generated_at.isoformat(timespec="seconds"),
        "selection": {"description": packet.selection, **packet.criteria},
        "count": len(packet.bills),
        "bills": [bill_json(b) for b in packet.bills],
        # A legislator's packet (``--sponsor``): their votes on the council's key bills; empty otherwise.
        "voting_records": [r.as_json() for r in packet.voting_records],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
