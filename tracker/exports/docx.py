"""Word packet (python-docx), the PDF's content in Word's own styles so staff can edit it.

Headings use the built-in "Title", "Heading 1" and "Heading 2" styles (they feed Word's navigation pane and
table of contents), lists use "List Bullet", tables use "Table Grid" with a repeating header row, and the
contents is a real TOC field whose first rendering lists the bills (Word adds page numbers on "Update field").
python-docx escapes text itself; XML-illegal characters were removed when the packet was gathered.
"""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Inches, Length, Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from tracker.exports.packet import Packet, PacketBill, fact_rows, fmt_date
from tracker.exports.safety import safe_url, shorten
from tracker.exports.voting_record import VotingRecord, contents_labels

HEADING_CHARS = 150
PROPERTY_CHARS = 254  # core properties hold 255 characters; shorten() may add its ellipsis to the limit
APPENDIX_TITLE_CHARS = 220
GREY = RGBColor(0x55, 0x55, 0x55)
LINK = RGBColor(0x05, 0x63, 0xC1)


# -- low-level helpers python-docx has no API for -----------------------------------------------------------


def _field(paragraph: Paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES...) with ``placeholder`` shown until Word computes it."""

    def fld(kind: str) -> None:
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld("separate")
    paragraph.add_run(placeholder)
    fld("end")


def _fld_char(paragraph: Paragraph, kind: str) -> None:
    run = paragraph.add_run()
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    run._r.append(el)


def _hyperlink(paragraph: Paragraph, url: str, text: str) -> None:
    r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), str(LINK))
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(color)
    props.append(underline)
    run.append(props)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _shade(cell: _Cell, hex_color: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), hex_color)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cell_text(cell: _Cell, text: str, *, bold: bool = False, color: RGBColor | None = None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if color is not None:
        run.font.color.rgb = color


# -- the document -------------------------------------------------------------------------------------------


class WordPacket:
    def __init__(self, packet: Packet):
        self.packet = packet
        self.branding = packet.branding
        self.accent = RGBColor.from_string(self.branding.accent_hex)
        self.doc = Document()
        self._bookmarks = 0
        self._style_ids: dict[str, str] = {}
        self._text_width: Length | None = None
        # New blocks go just before the body's closing section properties. Document.add_paragraph finds that
        # spot by scanning the body and resolves the style by scanning all styles, every call: quadratic in
        # a 200-bill packet (about ten seconds); appending here is constant time.
        self._end = self.doc.element.body.find(qn("w:sectPr"))

    def _style_id(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.styles[name].style_id
        return self._style_ids[name]

    def _para(self, text: str = "", style: str | None = None) -> Paragraph:
        p = OxmlElement("w:p")
        self._end.addprevious(p)
        para = Paragraph(p, self.doc._body)
        if style:
            p.style = self._style_id(style)
        if text:
            para.add_run(text)
        return para

    def _widths(self, table: Table, widths: tuple[Length | None, ...]) -> None:
        """Column widths on the grid (what LibreOffice reads) and on every cell (what Word reads); ``None``
        takes the rest of the text width."""
        assert self._text_width is not None
        rest = self._text_width - sum(w for w in widths if w is not None)
        resolved = [Length(w if w is not None else rest) for w in widths]
        for column, width in zip(table.columns, resolved, strict=True):
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, resolved, strict=True):
                cell.width = width

    def _table(self, rows: int, cols: int, style: str = "Table Grid") -> Table:
        if self._text_width is None:
            section = self.doc.sections[0]
            self._text_width = section.page_width - section.left_margin - section.right_margin
        tbl = CT_Tbl.new_tbl(rows, cols, self._text_width)
        self._end.addprevious(tbl)
        tbl.tblPr.style = self._style_id(style)
        return Table(tbl, self.doc._body)

    def setup(self) -> None:
        doc, b, p = self.doc, self.branding, self.packet
        section = doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        if b.page_size == "a4":
            section.page_width, section.page_height = Mm(210), Mm(297)
        else:
            section.page_width, section.page_height = Inches(8.5), Inches(11)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Inches(0.9))
        section.top_margin = section.bottom_margin = Inches(0.8)
        styles = doc.styles
        styles["Normal"].font.size = Pt(10)
        styles["Normal"].font.name = "Calibri"  # Word's own default; LibreOffice maps it to Carlito
        for name in ("Title", "Heading 1", "Heading 2"):
            styles[name].font.color.rgb = self.accent
        styles["Heading 1"].font.size = Pt(15)
        styles["Heading 2"].font.size = Pt(11.5)
        props = doc.core_properties
        # python-docx refuses a document property over 255 characters (ValueError): a selection of several
        # topics and positions, or a long title, would sink the whole packet. The cover shows them in full.
        props.title = shorten(p.title, PROPERTY_CHARS)
        props.author = shorten(p.organisation, PROPERTY_CHARS)
        props.subject = shorten(p.selection, PROPERTY_CHARS)
        props.comments = "Generated by Policy Tracker"
        props.created = p.generated_at

        # Cover page without header; later pages carry the organisation, the packet title and page numbers.
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.text = ""
        run = header.add_run(shorten(p.organisation, 80))
        run.bold = True
        run.font.color.rgb = self.accent
        run.font.size = Pt(8)
        run = header.add_run("  ·  " + shorten(p.title, 80))
        run.font.size = Pt(8)
        run.font.color.rgb = GREY
        for footer in (section.footer, section.first_page_footer):
            para = footer.paragraphs[0]
            if b.disclaimer:
                run = para.add_run(b.disclaimer)
                run.font.size = Pt(7)
                run.font.color.rgb = GREY
            if footer is section.footer:
                number = footer.add_paragraph()
                number.alignment = 2  # right
                number.add_run("Page ").font.size = Pt(8)
                _field(number, "PAGE", "1")
                number.add_run(" of ").font.size = Pt(8)
                _field(number, "NUMPAGES", "1")

    def cover(self) -> None:
        p = self.packet
        if self.branding.logo is not None:
            self._para().add_run().add_picture(str(self.branding.logo), height=Inches(1.2))
        org = self._para()
        run = org.add_run(p.organisation)
        run.bold = True
        run.font.size = Pt(22)
        run.font.color.rgb = self.accent
        self._para(shorten(p.title, 300), "Title")
        if p.selection:
            self._para(p.selection, "Subtitle")
        n = len(p.bills)
        meta = self._para()
        meta.add_run(
            f"{n} bill{'s' if n != 1 else ''}\nPrepared {fmt_date(p.generated_at.date())}"
        ).font.color.rgb = GREY
        self._para().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        """A TOC field over Heading 1; its cached result lists the bills, so it reads well un-updated."""
        self._para("Contents", "TOC Heading")
        entries = [*contents_labels(self.packet.voting_records),
                   *(f"{b.number}  {shorten(b.display_title, HEADING_CHARS)}" for b in self.packet.bills)]
        entries.append("Appendix: all bills in this packet")
        for i, entry in enumerate(entries):
            para = self._para()
            if i == 0:
                _fld_char(para, "begin")
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = ' TOC \\o "1-1" \\h \\z \\u '
                para.add_run()._r.append(instr)
                _fld_char(para, "separate")
            para.add_run(entry)
            if i == len(entries) - 1:
                _fld_char(para, "end")

    def _heading(self, text: str, level: int, *, new_page: bool = False, bookmark: str | None = None) -> None:
        heading = self._para(text, f"Heading {level}")
        heading.paragraph_format.page_break_before = new_page
        if bookmark:
            self._bookmarks += 1
            _bookmark(heading, bookmark, self._bookmarks)

    def _paragraphs(self, text: str) -> None:
        for block in text.replace("\r\n", "\n").split("\n\n"):
            if block.strip():
                self._para(block.strip())

    def _facts(self, bill: PacketBill) -> None:
        rows = fact_rows(bill)
        table = self._table(0, 2)
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for label, value in rows:
            cells = table.add_row().cells
            _cell_text(cells[0], label, bold=True)
            _shade(cells[0], "F2F4F7")
            _cell_text(cells[1], value or "—")
        self._widths(table, (Inches(1.5), None))

    def bill(self, bill: PacketBill) -> None:
        heading_title = shorten(bill.display_title, HEADING_CHARS)
        self._heading(f"{bill.number} — {heading_title}", 1, new_page=True, bookmark=f"bill_{bill.id}")
        meta = self._para()
        meta.add_run(bill.context()).font.color.rgb = GREY
        self._facts(bill)
        # The council's position and why first, as in the PDF: what a lobbyist opens the page for.
        self._heading("Council position", 2)
        if bill.position:
            para = self._para()
            para.add_run(bill.position).bold = True
            if bill.priority:
                para.add_run(f" · {bill.priority} priority")
            self._paragraphs(bill.rationale or "No rationale recorded.")
        else:
            self._para("The council has not taken a position on this bill.")
        if bill.notes:
            self._heading("Staff notes (internal)", 2)
            for note in bill.notes:
                self._para().add_run(note.heading).bold = True
                self._paragraphs(note.body)
        if bill.title != heading_title:
            self._heading("Official title", 2)
            self._paragraphs(bill.title)
        self._heading("Summary", 2)
        self._paragraphs(bill.summary or "No summary has been published for this bill yet.")
        if bill.topics:
            self._heading("Matched topics", 2)
            for topic in bill.topics:
                para = self._para(style="List Bullet")
                para.add_run(topic.name).bold = True
                terms = f"; terms: {', '.join(topic.terms)}" if topic.terms else ""
                para.add_run(f" (score {topic.score:g}{terms})")
                for ev in topic.evidence:
                    quote = self._para(style="List Bullet 2")
                    if ev.field:
                        quote.add_run(f"{ev.field}: ").font.color.rgb = GREY
                    quote.add_run("“")
                    for text, hit in ev.spans:
                        quote.add_run(text).bold = hit
                    quote.add_run("”")
        if bill.roll_calls:
            self._heading("Roll calls", 2)
            for rc in bill.roll_calls:
                para = self._para(style="List Bullet")
                url = safe_url(rc.url)
                if url:
                    _hyperlink(para, url, rc.title)
                else:
                    para.add_run(rc.title)
                para.add_run((f" — {rc.motion}" if rc.motion else "") + " · ")
                para.add_run(rc.tally).italic = True
        if bill.links:
            self._heading("Sources", 2)
            for link in bill.links:
                para = self._para(style="List Bullet")
                para.add_run(f"{link.label}: ")
                url = safe_url(link.url)
                if url:
                    _hyperlink(para, url, url)

    def voting_record(self, record: VotingRecord, number: int) -> None:
        """Before the bills: the legislator's votes on the council's key bills, one row per vote."""
        # A record with votes starts a page; one that only says there are none follows what came before.
        self._heading(record.heading, 1, new_page=bool(record.votes), bookmark=f"votes_{number}")
        meta = self._para()
        meta.add_run(" · ".join(p for p in (record.scope, record.member_label) if p)).font.color.rgb = GREY
        self._para(record.summary)
        if not record.votes:
            return
        headers = ("Bill", "Council position", "Their vote", "Roll call")
        table = self._table(1, len(headers))
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            _cell_text(cell, text, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF))
            _shade(cell, self.branding.accent_hex)
        _repeat_header(table)
        for vote in record.votes:
            cells = table.add_row().cells
            _cell_text(cells[0], vote.bill, bold=True)
            cells[0].add_paragraph().add_run(shorten(vote.title, APPENDIX_TITLE_CHARS)).font.size = Pt(7.5)
            _cell_text(cells[1], f"{vote.stance} (a {vote.with_us} vote is with us)")
            _cell_text(cells[2], vote.vote_label, bold=vote.verdict != "with us")
            _cell_text(cells[3], vote.roll_call_label)
        self._widths(table, (None, Inches(1.5), Inches(1.3), Inches(1.9)))

    def appendix(self) -> None:
        self._heading("Appendix: all bills in this packet", 1, new_page=True, bookmark="appendix")
        headers = ("Bill", "Title", "Stage", "Position", "Latest action")
        table = self._table(1, len(headers))
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            _cell_text(cell, text, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF))
            _shade(cell, self.branding.accent_hex)
        _repeat_header(table)
        for bill in self.packet.bills:
            cells = table.add_row().cells
            _cell_text(cells[0], bill.number, bold=True)
            cells[0].add_paragraph().add_run(bill.context(compact=True)).font.size = Pt(7)
            _cell_text(cells[1], shorten(bill.display_title, APPENDIX_TITLE_CHARS))
            _cell_text(cells[2], bill.stage_label)
            position = (bill.position or "—") + (f" · {bill.priority}" if bill.position and bill.priority else "")
            _cell_text(cells[3], position)
            _cell_text(cells[4], fmt_date(bill.latest_action_date) or "—")
        self._widths(table, (Inches(1.0), None, Inches(1.0), Inches(0.95), Inches(0.95)))
        for row in table.rows:
            for cell in row.cells:
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.font.size = run.font.size or Pt(8.5)

    def build(self) -> bytes:
        self.setup()
        self.cover()
        self.contents()
        for number, record in enumerate(self.packet.voting_records):
            self.voting_record(record, number)
        for bill in self.packet.bills:
            self.bill(bill)
        self.appendix()
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def write_docx(packet: Packet) -> bytes:
    return WordPacket(packet).build()
