"""An RSS item's description is HTML (RSS 2.0: entity-encoded HTML, which readers decode and render): the feeds'
text in it is escaped as HTML too, so a bill's latest action never becomes markup in someone's feed reader."""

import lxml.html
from sqlalchemy import select

from tests.alerts.conftest import World, bill_record
from tracker import watchlists
from tracker.alerts import feeds
from tracker.alerts.settings import alert_settings
from tracker.models import Bill
from tracker.xmlsafe import parse_xml

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = ('Referred to <img src=x onerror="alert(document.cookie)"> the '
           '<a href="javascript:alert(1)">Committee</a> & AT&T')


def test_a_latest_action_with_markup_shows_as_text_in_rss_and_atom_readers(world: World) -> None:
    """A bill whose latest action held `<img src=x onerror=...>` and a `javascript:` link: ElementTree escaped it
    once for XML, which is what RSS readers decode before they render a description as HTML, so the reader
    drew the image (running its onerror) and the link. The description now carries it escaped as HTML as well:
    decoded and rendered, it is the action's text, the markup shown, nothing run. Atom says its summary is text
    (its default), and the title, text in both, is unchanged."""
    s = world.session
    record = bill_record(621, "Artificial Intelligence Literacy Act", actions=[("2026-03-02", HOSTILE)])
    world.store(record.model_copy(update={"latest_action_text": HOSTILE}))
    saved = watchlists.save_filter(s, actor=world.staff, page="search", name="AI literacy", params={"q": "literacy"})
    s.commit()
    saved_filter, entries = feeds.filter_entries(s, user=world.staff, filter_id=saved.id)
    assert [e.bill_id for e in entries] == [s.execute(select(Bill.id).where(Bill.identifier == "HR 621")).scalar()]
    cfg = alert_settings()

    rss = parse_xml(feeds.render_rss(saved_filter, entries, self_url="https://x.example/f.rss", cfg=cfg), "rss")
    (item,) = rss.iter("item")
    rendered = lxml.html.fragment_fromstring(item.findtext("description"), create_parent="div")
    assert [el.tag for el in rendered.iter()] == ["div"]  # no <img>, no <a>: text only
    assert rendered.text_content() == f"Stage: introduced. Latest action: 2026-03-02 {HOSTILE}"
    assert item.findtext("title") == "H.R. 621 (119th Congress): Artificial Intelligence Literacy Act"

    atom = parse_xml(feeds.render_atom(saved_filter, entries, self_url="https://x.example/f.atom", cfg=cfg), "atom")
    summary = atom.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type", "text") == "text" and summary.text.endswith(HOSTILE)
