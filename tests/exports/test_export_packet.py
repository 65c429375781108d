"""Gathering a packet's data: one query per kind of row, cleaned text, hearings from a hearings table."""

import datetime as dt
from pathlib import Path

import pytest
from export_fixtures import HOSTILE_HEAD, Seeded
from sqlalchemy import Boolean, Column, Date, Engine, Integer, MetaData, String, Table, event, insert
from sqlmodel import Session

from tracker import config
from tracker.exports import (
    Branding,
    BrandingError,
    EmptyPacketError,
    ExportError,
    Selection,
    branding_from_mapping,
    build_packet,
    load_branding,
    packet_filename,
)
from tracker.exports.fonts import FontNotFound, find_dejavu
from tracker.exports.packet import gather_bills, hearings_from_table
from tracker.exports.safety import clean_text, neutralize_formula, safe_url, shorten


def test_each_bill_carries_what_a_lobbyist_needs(session: Session, seeded: Seeded) -> None:
    [hostile, privacy, ca] = gather_bills(session, [seeded.ids[k] for k in ("hostile", "privacy", "ca")])
    assert hostile.title.startswith(HOSTILE_HEAD)
    assert "\x0b" not in hostile.title and "\x1f" not in hostile.title  # no XML file can hold these
    assert "Анна Петрова" in hostile.title
    assert (hostile.position, hostile.priority) == ("Support", "High")
    assert hostile.sponsor_label == "Rep. Łukasiewicz-Ólafsdóttir, Zoë [D-NY-7] (+ 2 cosponsors)"
    assert hostile.committees == ("House Energy and Commerce Committee",)
    assert [t.slug for t in hostile.topics] == ["ai"]
    evidence = hostile.topics[0].evidence[0]
    assert evidence.field == "title" and evidence.snippet == "… algorithmic accountability <i>"
    assert evidence.spans == (("… ", False), ("algorithmic", True), (" accountability <i>", False))
    assert hostile.next_hearing is None  # no hearings table yet
    assert [link.label for link in hostile.links] == [
        "Bill page (bills.example.test)",
        "Text (PDF): Introduced in House, Mar 1, 2021",
    ]
    assert privacy.topics[0].name == "Data privacy" and privacy.stage_label == "Passed first chamber"
    assert ca.jurisdiction_name == "California" and ca.sponsors[0].name == "Asm. 李明 (Li Ming)"
    assert ca.committees == ("Assembly Energy and Commerce Committee",)  # California's name for its chamber


def test_data_is_gathered_with_a_fixed_number_of_queries(engine: Engine, session: Session, seeded: Seeded) -> None:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        gather_bills(session, [seeded.ids["plain"]])
        one = len(statements)
        statements.clear()
        gather_bills(session, list(seeded.ids.values()))
        assert len(statements) == one  # per kind of row, not per bill
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_hearings_table_fills_the_next_hearing(engine: Engine, session: Session, seeded: Seeded) -> None:
    """The shape a future hearings table is expected to have; past and cancelled hearings are skipped."""
    meta = MetaData()
    table = Table(
        "test_export_hearing",
        meta,
        Column("id", Integer, primary_key=True),
        Column("bill_id", Integer, nullable=False),
        Column("date", Date),
        Column("committee", String),
        Column("location", String),
        Column("url", String),
        Column("cancelled", Boolean),
    )
    meta.create_all(engine)
    try:
        today = dt.date(2021, 6, 1)
        bill = seeded.ids["privacy"]
        rows = [
            (dt.date(2021, 5, 1), "Past", None, None, False),
            (dt.date(2021, 6, 3), "Cancelled", None, None, True),
            (dt.date(2021, 6, 9), "House Energy and Commerce", "2123 Rayburn", "javascript:alert(1)", False),
            (dt.date(2021, 7, 1), "Later", None, None, None),
        ]
        session.execute(
            insert(table),
            [
                {"bill_id": bill, "date": d, "committee": c, "location": loc, "url": url, "cancelled": x}
                for d, c, loc, url, x in rows
            ],
        )
        session.commit()
        [privacy, plain] = gather_bills(
            session, [bill, seeded.ids["plain"]], today=today, hearing_lookup=hearings_from_table(table)
        )
        assert privacy.next_hearing is not None
        assert (privacy.next_hearing.date, privacy.next_hearing.body) == (
            dt.date(2021, 6, 9),
            "House Energy and Commerce",
        )
        assert privacy.next_hearing.url is None  # never a javascript: link
        assert privacy.next_hearing.label == "Jun 9, 2021 · House Energy and Commerce · 2123 Rayburn"
        assert plain.next_hearing is None
    finally:
        session.rollback()
        meta.drop_all(engine)


def test_an_empty_selection_gives_no_file(session: Session, seeded: Seeded, branding: Branding) -> None:
    for fmt in ("pdf", "docx", "xlsx", "csv", "json"):
        with pytest.raises(EmptyPacketError, match="No bills match Topic: Data privacy · Position: Support"):
            build_packet(session, Selection(topics=("privacy",), positions=("Support",)), fmt, branding)
    with pytest.raises(ExportError, match="Unknown format 'odt'"):
        build_packet(session, Selection(all_bills=True), "odt", branding)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_triggers_are_neutralized_for_csv(value: str) -> None:
    assert neutralize_formula(value) == "'" + value
    assert neutralize_formula("Plain – text") == "Plain – text"


def test_text_and_link_safety() -> None:
    assert clean_text("a\x00b\x0bc\ud800d\ttab\nnl") == "abcd\ttab\nnl"
    assert safe_url("javascript:alert(1)") is None and safe_url("file:///etc/passwd") is None
    assert safe_url("https://www.congress.gov/bill/117th-congress/house-bill/3684") is not None
    assert shorten("one two three four", 14) == "one two three…"
    assert shorten("short", 14) == "short"


@pytest.mark.parametrize("url", [
    "https://example.gov/bill\x00.pdf", "https://example.gov/a\nb", "https://example.gov/a\x85b",
    "https://example.gov/\u202efdp.exe", "https://example.gov/" + "a" * 2100, "https:///no-host", "mailto:x@y.z",
    "javascript:alert(1)", "data:text/html,<script>", " ", None])
def test_one_link_check_for_pages_files_and_calendars(url: str | None) -> None:
    """A feed's URL becomes a link on dashboard pages, in exported files and in the calendar through one check:
    the dashboard's own let control characters and 10,000-character URLs through."""
    from dashboard.components.widgets import safe_url as page_url
    from tracker.bill_text import web_url

    assert web_url(url) is None and safe_url(url) is None and page_url(url) is None
    good = "https://www.congress.gov/bill/117th-congress/house-bill/3684/text?format=txt"
    assert web_url(f" {good} ") == safe_url(good) == page_url(good) == good


def test_branding_defaults_and_validation(tmp_path: Path) -> None:
    default = branding_from_mapping({})
    assert default.logo is not None and default.logo.is_file() and default.accent_color == "#1F4E79"
    logo = tmp_path / "logo.png"
    logo.write_bytes((Path(__file__).parents[2] / "tracker/exports/assets/default_logo.png").read_bytes())
    custom = branding_from_mapping(
        {"organization": "Chamber", "logo": "logo.png", "accent_colour": "#abc", "disclaimer": "", "page_size": "A4"},
        base_dir=tmp_path,
    )
    assert (custom.organisation, custom.logo, custom.accent_color, custom.page_size) == (
        "Chamber",
        logo,
        "#AABBCC",
        "a4",
    )
    assert branding_from_mapping({"logo": ""}).logo is None
    # TOML's "\u000b" escapes reach the Word writer, which refuses XML-illegal characters.
    pasted = branding_from_mapping({"organisation": "Metro\u000b Chamber", "disclaimer": "Internal\u0001 use"})
    assert (pasted.organisation, pasted.disclaimer) == ("Metro Chamber", "Internal use")
    (tmp_path / "not-an-image.png").write_text("hello")
    for section, message in (
        ({"acent_color": "#fff"}, "unknown key 'acent_color'"),
        ({"accent_color": "blue"}, "'blue' is not a colour"),
        ({"logo": "missing.png"}, "missing.png does not exist"),
        ({"logo": "not-an-image.png"}, "is not a readable image"),
        ({"organisation": ""}, "organisation: must be a non-empty string"),
        ({"page_size": "legal"}, "page_size: 'legal'"),
    ):
        with pytest.raises(BrandingError, match=message):
            branding_from_mapping(section, base_dir=tmp_path)


def test_branding_comes_from_tracker_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "tracker.toml"
    toml.write_text('[branding]\norganisation = "Metro Chamber"\naccent_color = "#7A1F3D"\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_CONFIG", str(toml))
    config.settings.cache_clear()
    try:
        branding = load_branding()
    finally:
        config.settings.cache_clear()
    assert (branding.organisation, branding.accent_color) == ("Metro Chamber", "#7A1F3D")


def test_a_missing_font_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.exports.fonts.SEARCH_DIRS", ())
    monkeypatch.delenv("TRACKER_FONT_DIR", raising=False)
    with pytest.raises(FontNotFound, match="apt-get install fonts-dejavu-core"):
        find_dejavu(tmp_path)


def test_packet_file_names_for_downloads() -> None:
    day = dt.date(2025, 3, 4)
    assert packet_filename("pdf", today=day) == "briefing-packet-2025-03-04.pdf"
    assert packet_filename("xlsx", title="Q3: AI & privacy — Łódź!", today=day) == "q3-ai-privacy-łódź-2025-03-04.xlsx"
    assert packet_filename("csv", title="../../etc/passwd", today=day) == "etc-passwd-2025-03-04.csv"


def test_document_formats_refuse_a_runaway_selection(
    session: Session, seeded: Seeded, branding: Branding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tracker.exports.build.MAX_DOCUMENT_BILLS", 3)
    with pytest.raises(ExportError, match="5 bills match All stored bills; a PDF packet holds at most 3"):
        build_packet(session, Selection(all_bills=True), "pdf", branding)
    assert build_packet(session, Selection(all_bills=True, limit=3), "docx", branding).startswith(b"PK")
    assert build_packet(session, Selection(all_bills=True), "csv", branding).count(b"\r\n") == 6
