"""Every format, opened with a real reader (pypdf, python-docx, openpyxl, csv, json) and checked for content.

The seeded packet holds a hostile bill: its title starts with ``=HYPERLINK(...)``, carries ``<script>`` and
``<b>`` markup, XML-illegal control characters, accents, Greek and Cyrillic, and runs past 5,000 characters
with 1,200 letters in one unbreakable word; its summary and rationale run over several pages.
"""

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from export_fixtures import HOSTILE_HEAD, HOSTILE_TITLE, Seeded, needs_pdf_font
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import Session

from tracker.exports import Branding, Selection, build_packet
from tracker.exports.columns import COLUMNS
from tracker.exports.fonts import register_fonts
from tracker.exports.safety import clean_text, is_formula_like
from tracker.models import Topic

REPO = Path(__file__).resolve().parents[2]
TITLE = "Q3 briefing: “AI & privacy” — Łódź"
WHEN = dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)
CLEAN_TITLE = clean_text(HOSTILE_TITLE)
NON_LATIN = ("Zoë Łódź Ñandú", "Σωκράτης", "Анна Петрова", "“Curly” —")


def build(session: Session, branding: Branding, fmt: str, selection: Selection | None = None) -> bytes:
    return build_packet(session, selection or Selection(all_bills=True), fmt, branding, title=TITLE, generated_at=WHEN)


def flat(text: str) -> str:
    return " ".join(text.split())


# -- PDF ----------------------------------------------------------------------------------------------------


@needs_pdf_font
def test_a_huge_summary_or_an_endless_word_cannot_stall_a_pdf_packet(session: Session, branding: Branding) -> None:
    # ReportLab re-wraps the rest of a paragraph at every page break, so its time grows with the square of the
    # paragraph's length: a feed's summary of 300,000 characters in one paragraph took about 20 s (2 MB: many
    # minutes, the packet and the dashboard thread building it stalled), a 40,000-letter word 1.5 s. The packet
    # sets such a text in pieces of bounded length, so its time grows with the text.
    from export_fixtures import _record

    from tracker.exports.pdf import PARAGRAPH_CHARS, _pieces
    from tracker.ingest import IngestItem, Ingestor

    summary = "word " * 60_000 + "A" * 40_000 + " the last words"
    assert max(len(piece) for piece in _pieces(summary)) <= PARAGRAPH_CHARS
    Ingestor(session).ingest([IngestItem(_record(9, title="Long Act", summary_text=summary))])
    session.commit()
    data = build(session, branding, "pdf")
    text = flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
    assert "the last words" in text and text.count("word") >= 60_000  # nothing is dropped


@needs_pdf_font
def test_pdf_packet(session: Session, seeded: Seeded, branding: Branding) -> None:
    data = build(session, branding, "pdf")
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert reader.metadata is not None
    assert (reader.metadata.title, reader.metadata.author) == (TITLE, branding.organisation)

    # Cover, contents, one section per bill (the hostile one first among equals), appendix.
    assert branding.organisation in flat(pages[0]) and TITLE in flat(pages[0]) and "5 bills" in pages[0]
    assert "Prepared Mar 4, 2025" in pages[0]
    assert "Contents" in pages[1] and "Appendix" in pages[1]
    outline = [o.title for o in reader.outline]
    assert outline[0] == "H.R. 2 American Data Privacy and Protection Act"
    assert outline[1].startswith('H.R. 1 =HYPERLINK("http://evil') and outline[1].endswith("…")
    assert len(reader.outline) == 6  # five bills and the appendix

    # Upstream text is printed, not interpreted: the markup and the formula come out as characters.
    body = flat(text)
    assert flat(HOSTILE_HEAD) in body
    assert '<script>alert("x")</script>' in body and "<b>bold?</b> &amp;" in body
    for name in NON_LATIN:
        assert name in body
    assert "Rep. Łukasiewicz-Ólafsdóttir, Zoë [D-NY-7]" in body
    assert "<not legal advice> & subject to change" in body  # the disclaimer, on every page
    assert sum("<not legal advice>" in p for p in pages) == len(pages)
    if register_fonts().fallback:  # a CJK font is installed (Debian fonts-droid-fallback)
        assert "李明" in body

    # The 5,000-character title is printed whole, and the long word wraps instead of running off the page.
    # (Read without the running footer and header, which a page break puts inside the title.)
    unbroken = re.sub(r" Page \d+ of \d+ .*?<not legal advice> & subject to change\.", "", body)
    assert unbroken.count("Consumer data privacy and algorithmic accountability") >= 70
    assert sum(len(run) for run in re.findall(r"A{10,}", text)) >= 1200
    first = next(i for i, p in enumerate(pages) if "H.R. 1 · =HYPERLINK" in flat(p))
    following = next(i for i, p in enumerate(pages) if i > first and re.search(r"^(AB|HR) \d+ ·", p, re.M))
    assert following - first >= 5  # title, rationale and summary broke across pages
    width = float(reader.pages[first].mediabox.width)
    positions: list[float] = []
    for page in reader.pages[first:following]:
        page.extract_text(visitor_text=lambda t, cm, tm, fd, fs: positions.append(tm[4] * cm[0] + cm[4]))
    assert positions and all(0 <= x < width - 0.5 * 72 for x in positions)

    # Fonts: only DejaVu (and the CJK fallback), every one embedded.
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts and all("DejaVuSans" in name or "DroidSansFallback" in name for name in fonts), sorted(fonts)
    for name, font in fonts.items():
        descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object(), f"{name} is not embedded"

    # Links: web links only; the appendix links back to each bill's page.
    uris = [
        a.get_object()["/A"].get("/URI")
        for p in reader.pages
        for a in p.get("/Annots") or []
        if a.get_object().get("/A") and "/URI" in a.get_object()["/A"]
    ]
    assert uris and all(str(u).startswith("https://") for u in uris)
    assert all(ident in flat(pages[-1]) for ident in ("H.R. 1", "H.R. 2", "H.R. 3", "H.R. 4", "AB 5"))


@needs_pdf_font
def test_pdf_without_logo_or_disclaimer_on_a4(session: Session, seeded: Seeded, tmp_path: Path) -> None:
    plain = Branding(organisation="Council", logo=None, disclaimer="", page_size="a4")
    data = build(session, plain, "pdf", Selection(bills=(seeded.ids["plain"],)))
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "-2+3 Post Office Naming Act" in reader.pages[2].extract_text()
    assert "/XObject" not in reader.pages[0]["/Resources"]  # no logo image on the cover

    pdf = tmp_path / "packet.pdf"
    pdf.write_bytes(data)
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (Debian poppler-utils) not installed: cannot check the page renderer script")
    done = subprocess.run(
        ["bash", str(REPO / "scripts/render_pdf_pages.sh"), str(pdf), str(tmp_path / "png"), "1", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    images = sorted((tmp_path / "png").glob("page-*.png"))
    assert len(images) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in images)


# -- Word ---------------------------------------------------------------------------------------------------


def test_docx_packet(session: Session, seeded: Seeded, branding: Branding) -> None:
    data = build(session, branding, "docx")
    doc = Document(io.BytesIO(data))
    paras = doc.paragraphs
    by_style: dict[str, list[str]] = {}
    for p in paras:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Title"] == [TITLE]
    assert by_style["Subtitle"] == ["All stored bills"]
    h1 = by_style["Heading 1"]
    assert h1[0] == "H.R. 2 — American Data Privacy and Protection Act"
    assert h1[1].startswith("H.R. 1 — " + clean_text(HOSTILE_HEAD)) and len(h1[1]) < 170
    assert h1[-1] == "Appendix: all bills in this packet" and len(h1) == 6
    assert {"Official title", "Council position", "Summary", "Matched topics", "Sources"} <= set(by_style["Heading 2"])
    assert CLEAN_TITLE in [p.text for p in paras]  # the whole title, as a paragraph Word wraps and breaks
    sections: dict[str, list[str]] = {}
    for p in paras:
        if p.style.name == "Heading 1":
            current = sections.setdefault(p.text, [])
        elif p.style.name == "Heading 2":
            current.append(p.text)
    # The council's position and why first, then the 5,000-character official title.
    assert sections[h1[1]][:2] == ["Council position", "Official title"]
    assert "List Bullet" in by_style and "List Bullet 2" in by_style
    assert doc.core_properties.title == TITLE and doc.core_properties.author == branding.organisation

    everything = "\n".join(p.text for p in paras) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    for name in (*NON_LATIN, "李明", '<script>alert("x")</script>'):
        assert name in everything
    assert "=cmd|' /C calc'!A0" in everything  # Word never evaluates text: stored as written

    facts, appendix = doc.tables[0], doc.tables[-1]
    assert all(t.style.name == "Table Grid" for t in doc.tables)
    assert facts.rows[0].cells[0].text == "Stage"
    assert [c.text for c in appendix.rows[0].cells] == ["Bill", "Title", "Stage", "Position", "Latest action"]
    assert len(appendix.rows) == 6
    assert appendix.rows[0]._tr.trPr.xpath("./w:tblHeader")  # header repeats on every page
    assert 'TOC \\o "1-1"' in doc.element.xml  # a real contents field Word can update

    section = doc.sections[0]
    assert branding.organisation in section.header.paragraphs[0].text
    assert "<not legal advice>" in section.footer.paragraphs[0].text
    assert "PAGE" in section.footer._element.xml
    links = [r.target_ref for r in doc.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.HYPERLINK]
    assert links and all(link.startswith("https://") for link in links)


# -- Excel --------------------------------------------------------------------------------------------------


def test_xlsx_packet(session: Session, seeded: Seeded, branding: Branding) -> None:
    data = build(session, branding, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Bills", "About"]
    ws = wb["Bills"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in COLUMNS]
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(COLUMNS))}6"
    col = {h: i + 1 for i, h in enumerate(headers)}
    rows = {ws.cell(r, col["Bill"]).value: r for r in range(2, ws.max_row + 1)}
    assert list(rows) == ["HR 2", "HR 1", "AB 5", "HR 3", "HR 4"]

    # No formula anywhere; text that looks like one is a string with Excel's quote prefix.
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    hostile = ws.cell(rows["HR 1"], col["Official title"])
    assert hostile.value == CLEAN_TITLE and hostile.data_type == "s" and hostile.quotePrefix
    for bill, header, value in (
        ("HR 1", "Latest action", "=cmd|' /C calc'!A0"),
        ("HR 1", "Rationale", "+SUM(A1:A2)"),
        ("HR 4", "Title", "-2+3 Post Office Naming Act"),
        ("HR 2", "Rationale", "@cmd Pre-emption clause is too weak."),
        ("HR 3", "Rationale", "\tWorkforce training."),
    ):
        cell = ws.cell(rows[bill], col[header])
        assert str(cell.value).startswith(value) and cell.quotePrefix, (bill, header)
    assert not ws.cell(rows["HR 2"], col["Title"]).quotePrefix

    # Real dates and numbers, fitted widths, Unicode intact.
    latest = ws.cell(rows["HR 2"], col["Latest action date"])
    assert latest.is_date and latest.value == dt.datetime(2021, 3, 3)
    assert ws.cell(rows["HR 1"], col["Cosponsors"]).value == 2
    assert ws.cell(rows["AB 5"], col["Sponsor"]).value == "Asm. 李明 (Li Ming)"
    assert ws.cell(rows["HR 2"], col["Next hearing"]).value is None
    widths = {h: ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width for h, i in col.items()}
    assert 5 <= widths["Bill"] <= 16 and 60 <= widths["Title"] < 61 and 80 <= widths["Summary"] < 81
    assert ws.cell(rows["HR 2"], col["Title"]).alignment.wrap_text
    link = ws.cell(rows["HR 2"], col["Link"])
    assert link.hyperlink is not None and link.hyperlink.target == "https://bills.example.test/us/2"

    about = wb["About"]
    assert about["A1"].value == branding.organisation and about["B3"].value == TITLE
    assert about["B4"].is_date and about["B7"].value == branding.disclaimer


def test_xlsx_keeps_every_link_past_excels_hyperlink_limit(
    session: Session, seeded: Seeded, branding: Branding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel takes 65,530 hyperlinks per sheet; past that XlsxWriter left the Link cell empty (an --all export
    of 100,000 bills lost a third of its links). Links past the limit are plain text; the limit is lowered here
    so five bills reach it."""
    from tracker.exports import xlsx

    monkeypatch.setattr(xlsx, "MAX_LINKS", 2)
    ws = openpyxl.load_workbook(io.BytesIO(build(session, branding, "xlsx")))["Bills"]
    link = [c.header for c in COLUMNS].index("Link") + 1
    cells = [ws.cell(r, link) for r in range(2, ws.max_row + 1)]
    assert [c.value for c in cells] == [
        f"https://bills.example.test/{j}/{n}" for j, n in (("us", 2), ("us", 1), ("ca", 5), ("us", 3), ("us", 4))
    ]
    # The first two links of the sheet, row by row: the first bill's page, then its text's PDF.
    urls = [ws.cell(r, c.column) for r in range(2, ws.max_row + 1) for c in ws[r]
            if [col.kind for col in COLUMNS][c.column - 1] == "url" and c.value]
    assert [c.hyperlink is not None for c in urls] == [True, True] + [False] * (len(urls) - 2)
    assert [c.hyperlink is not None for c in cells] == [True, False, False, False, False]


# -- CSV and JSON -------------------------------------------------------------------------------------------


def test_csv_packet(session: Session, seeded: Seeded, branding: Branding) -> None:
    data = build(session, branding, "csv")
    assert data.startswith("\ufeff".encode())  # so Excel reads it as UTF-8
    assert b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["Bill"] for r in rows] == ["HR 2", "HR 1", "AB 5", "HR 3", "HR 4"]
    by_bill = {r["Bill"]: r for r in rows}
    assert by_bill["HR 1"]["Official title"] == "'" + CLEAN_TITLE
    assert by_bill["HR 1"]["Latest action"] == "'=cmd|' /C calc'!A0"
    assert by_bill["HR 1"]["Rationale"].startswith("'+SUM(A1:A2)")
    assert by_bill["HR 4"]["Title"] == "'-2+3 Post Office Naming Act"
    assert by_bill["HR 2"]["Rationale"].startswith("'@cmd")
    assert by_bill["HR 3"]["Rationale"].startswith("'\tWorkforce")
    assert by_bill["HR 2"]["Title"] == "American Data Privacy and Protection Act"
    assert by_bill["HR 1"]["Sponsor"] == "Rep. Łukasiewicz-Ólafsdóttir, Zoë [D-NY-7]"
    assert by_bill["AB 5"]["Sponsor"] == "Asm. 李明 (Li Ming)"
    assert by_bill["HR 2"]["Latest action date"] == "2021-03-03" and by_bill["HR 1"]["Cosponsors"] == "2"
    assert by_bill["HR 1"]["Topics"] == "Artificial intelligence"
    assert "Artificial intelligence: … algorithmic accountability <i>" in by_bill["HR 1"]["Key evidence"]


def test_full_width_and_space_led_formulas_are_kept_as_text(session: Session, seeded: Seeded,
                                                           branding: Branding) -> None:
    """East Asian input methods type "＝" for "=", and importers that trim cells read " =1+1" as a formula:
    both kinds of cell are marked as text too (CSV: apostrophe; Excel: quote prefix)."""
    from tracker.models import Bill

    plain = session.get(Bill, seeded.ids["plain"])
    plain.title = "＝HYPERLINK(\"http://evil.example\",\"x\") Post Office Act"
    seeded.topic_ai.name = " =SUM(1,2) AI"
    session.add_all([plain, seeded.topic_ai])
    session.commit()
    rows = {r["Bill"]: r for r in csv.DictReader(io.StringIO(build(session, branding, "csv").decode("utf-8-sig"),
                                                             newline=""))}
    assert rows["HR 4"]["Title"] == "'＝HYPERLINK(\"http://evil.example\",\"x\") Post Office Act"
    assert rows["HR 3"]["Topics"] == "' =SUM(1,2) AI"
    ws = openpyxl.load_workbook(io.BytesIO(build(session, branding, "xlsx")))["Bills"]
    col = {c.value: i + 1 for i, c in enumerate(ws[1])}
    at = {ws.cell(r, col["Bill"]).value: r for r in range(2, ws.max_row + 1)}
    assert ws.cell(at["HR 4"], col["Title"]).quotePrefix and ws.cell(at["HR 3"], col["Topics"]).quotePrefix


def test_csv_keeps_formulas_out_when_a_semicolon_locale_splits_the_cells(session: Session, seeded: Seeded,
                                                                         branding: Branding) -> None:
    """Excel in most of Europe splits a double-clicked .csv at ";" whatever the quoting. A title such as
    "Act;=1+1" became a cell "=1+1" there: a formula. Each part after a ";" that reads as one is marked too."""
    from tracker.models import Bill

    plain = session.get(Bill, seeded.ids["plain"])
    plain.title = "Post Office Act;=HYPERLINK(\"http://evil.example\",\"x\");+SUM(1)"
    session.add(plain)
    session.commit()
    text = build(session, branding, "csv").decode("utf-8-sig")
    for delimiter in (",", ";"):
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            assert not [cell for cell in row if is_formula_like(cell)], (delimiter, row)
    rows = {r["Bill"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows["HR 4"]["Title"] == "Post Office Act;'=HYPERLINK(\"http://evil.example\",\"x\");'+SUM(1)"


def test_json_packet(session: Session, seeded: Seeded, branding: Branding) -> None:
    doc = json.loads(build(session, branding, "json"))
    assert doc["schema"] == "policy-tracker/packet/v1"
    assert (doc["title"], doc["organisation"], doc["count"]) == (TITLE, branding.organisation, 5)
    assert doc["generated_at"] == "2025-03-04T09:30:00+00:00"
    assert doc["selection"]["all"] is True
    hostile = next(b for b in doc["bills"] if b["identifier"] == "HR 1")
    assert hostile["title"] == CLEAN_TITLE  # raw text for programs: no spreadsheet apostrophe
    assert hostile["position"]["stance"] == "Support" and hostile["position"]["priority"] == "High"
    assert hostile["latest_action"] == {"date": "2021-03-02", "text": "=cmd|' /C calc'!A0"}
    assert hostile["topics"][0]["evidence"][0] == {"field": "title", "snippet": "… algorithmic accountability <i>"}
    assert hostile["next_hearing"] is None and hostile["cosponsor_count"] == 2
    assert hostile["links"][0] == {"label": "Bill page (bills.example.test)", "url": "https://bills.example.test/us/1"}


# -- text people typed ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [pytest.param("pdf", marks=needs_pdf_font), "docx", "xlsx", "csv", "json"])
def test_a_watchlist_name_pasted_from_word_exports_in_every_format(
    session: Session, seeded: Seeded, branding: Branding, fmt: str
) -> None:
    """Word's manual line break is a vertical tab (U+000B): pasted into a watchlist's name it reached the cover
    and the document properties as is, and python-docx refused the whole Word packet."""
    seeded.watchlist.name = "Q3\x0bmeetings\x1f"
    session.commit()
    data = build(session, branding, fmt, Selection(watchlists=(str(seeded.watchlist.id),)))
    if fmt == "docx":
        doc = Document(io.BytesIO(data))
        assert [p.text for p in doc.paragraphs if p.style.name == "Subtitle"] == ["Watchlist: Q3meetings"]
        assert doc.core_properties.subject == "Watchlist: Q3meetings"
    elif fmt == "json":
        assert json.loads(data)["selection"]["description"] == "Watchlist: Q3meetings"


@needs_pdf_font
def test_pdf_marks_and_names_what_its_fonts_cannot_print(session: Session, seeded: Seeded, branding: Branding) -> None:
    """Emoji in a rationale, a Hindi title: no embedded font has them, and they printed as empty boxes with
    nothing to say that text was missing. A Chinese packet title printed as boxes in every page header even
    when the CJK fallback font was installed (the header bypassed it)."""
    from tracker.models import Bill, Position

    position = session.execute(select(Position).where(Position.bill_id == seeded.ids["privacy"])).scalar_one()
    position.rationale = "✅ Support 👩🏽‍💻 the safe harbour."
    session.get(Bill, seeded.ids["robotics"]).title = "कृत्रिम बुद्धिमत्ता Robotics Act"  # type: ignore[union-attr]
    session.commit()
    data = build_packet(session, Selection(all_bills=True), "pdf", branding, title="人工智能 briefing",
                        generated_at=WHEN)
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    # The Chinese title prints when a CJK font is installed (optional: fonts-droid-fallback), else it is named too
    kinds = "Devanagari script, emoji and symbols" if register_fonts().fallback else (
        "CJK script, Devanagari script, emoji and symbols")
    assert f"Some characters in this packet ({kinds}) are in none of the fonts" in pages[0]
    body = "\n".join(pages)
    assert "� Support � the safe harbour." in body  # one mark per emoji, skin tone and joiner included
    assert "� � Robotics Act" in body
    if register_fonts().fallback:
        assert all("人工智能 briefing" in page for page in pages[1:])  # the running header, in the CJK font


@needs_pdf_font
def test_pdf_says_nothing_when_every_character_prints(session: Session, seeded: Seeded, branding: Branding) -> None:
    if not register_fonts().fallback:
        pytest.skip("the seeded bills hold Chinese, which prints only with a CJK font (apt-get install "
                    "fonts-droid-fallback; the README calls it optional)")
    pages = PdfReader(io.BytesIO(build(session, branding, "pdf"))).pages
    assert "Some characters" not in pages[0].extract_text()


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine with DejaVu only (fonts-droid-fallback is optional). The fonts are registered once per process:
    registered again without the fallback here, and again as they were afterwards."""
    monkeypatch.setattr("tracker.exports.fonts.FALLBACK_FONTS", ())
    register_fonts.cache_clear()
    yield
    register_fonts.cache_clear()


@needs_pdf_font
def test_pdf_without_a_cjk_font_names_the_cjk_script(session: Session, seeded: Seeded, branding: Branding,
                                                     no_cjk_font: None) -> None:
    # The cover said "(Cjk script)": the Unicode name's first word, capitalised as if it were a word.
    pages = PdfReader(io.BytesIO(build(session, branding, "pdf"))).pages
    assert "Some characters in this packet (CJK script) are in none of the fonts" in flat(pages[0].extract_text())


def test_pdf_without_dejavu_is_set_in_reportlabs_own_vera(session: Session, seeded: Seeded, branding: Branding,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with only Python (the README's two commands): the PDF used to fail for want of a Debian font
    package. It is set in the Bitstream Vera that ReportLab ships; what Vera cannot draw is marked and the cover
    says so."""
    monkeypatch.setattr("tracker.exports.fonts.SEARCH_DIRS", ())
    monkeypatch.setattr("tracker.exports.fonts.FALLBACK_FONTS", ())
    monkeypatch.delenv("TRACKER_FONT_DIR", raising=False)
    register_fonts.cache_clear()
    try:
        reader = PdfReader(io.BytesIO(build(session, branding, "pdf")))
    finally:
        register_fonts.cache_clear()
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert fonts and all("Vera" in name for name in fonts), sorted(fonts)
    assert "Some characters in this packet" in flat(reader.pages[0].extract_text())
    assert "H.R. 1" in flat(reader.pages[0].extract_text()) or any("H.R. 1" in p.extract_text() for p in reader.pages)


def test_docx_takes_a_long_selection_and_title(session: Session, seeded: Seeded, branding: Branding) -> None:
    """Word's document properties hold 255 characters and python-docx raised ValueError past that, so a
    selection of a few topics and positions (or a long title) crashed the Word packet and nothing else."""
    for i in range(8):
        session.add(Topic(slug=f"t{i}", name=f"Technology topic number {i} with a descriptive name"))
    session.commit()
    topics = ("ai", *(f"t{i}" for i in range(8)))
    title = "Briefing for the members' meeting with the delegation " * 6
    data = build_packet(session, Selection(topics=topics, positions=("support", "oppose")), "docx", branding,
                        title=title, generated_at=WHEN)
    doc = Document(io.BytesIO(data))
    [subtitle] = [p.text for p in doc.paragraphs if p.style.name == "Subtitle"]
    assert len(subtitle) > 255 and subtitle.endswith("· Position: Support or Oppose")  # in full on the cover
    props = doc.core_properties
    assert props.subject.endswith("…") and subtitle.startswith(props.subject[:-1]) and len(props.subject) <= 255
    assert props.title.endswith("…") and title.startswith(props.title[:-1]) and len(props.title) <= 255


# A feed's title with a right-to-left override (U+202E) that makes "fdp.exe" read as "exe.pdf", and isolates around
# Arabic and Hebrew names, whose letters and right-to-left marks (U+200F) are what a reader needs to keep.
BIDI_TITLE = ("Invoice \u202efdp.exe\u202c Act, for \u2067\u0645\u062d\u0645\u062f \u0639\u0644\u064a\u2069 "
              "and \u05e9\u05dc\u05d5\u05dd\u200f")
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_from_feeds_do_not_reach_exported_files(session: Session, branding: Branding) -> None:
    from export_fixtures import _record, why_no_pdf_font

    from tracker.ingest import IngestItem, Ingestor

    Ingestor(session).ingest([IngestItem(_record(31, title=BIDI_TITLE))])
    session.commit()
    kept = "for \u0645\u062d\u0645\u062f \u0639\u0644\u064a and \u05e9\u05dc\u05d5\u05dd\u200f"
    for fmt in ("csv", "docx", "pdf"):
        if fmt == "pdf" and why_no_pdf_font():
            continue  # the PDF tests say why they are skipped
        data = build(session, branding, fmt)
        if fmt == "csv":
            text = data.decode("utf-8-sig")
        elif fmt == "docx":
            text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        else:
            text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert not set(BIDI_CONTROLS) & set(text), fmt
        assert "Invoice fdp.exe Act" in text, fmt
        # A PDF's text extraction does not give Arabic letters back in their stored order.
        assert fmt == "pdf" or kept in text, fmt
