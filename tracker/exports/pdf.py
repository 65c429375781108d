"""PDF briefing packet (ReportLab): cover, contents, one section per bill, appendix table of all bills.

Everything upstream goes through ``Markup`` before it reaches a ReportLab paragraph: ReportLab reads a
small XML-like markup, so an unescaped ``<`` in a bill title would be taken as a tag (or break the build).
Text is set in DejaVu Sans, embedded, so accents, curly quotes, em dashes, Greek and Cyrillic print as
written; characters DejaVu lacks use a fallback font when one is installed (see ``fonts.py``), and those no
font has print as U+FFFD, with a note on the cover (the cover is laid out last to know them). Long text
is set as paragraphs that break across pages; table cells, which cannot, get shortened text whose full
version then follows the table in the bill's section.
"""

import io
import unicodedata
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from tracker.exports.fonts import FontSet, covered, register_fonts
from tracker.exports.packet import Packet, PacketBill, fact_rows, fmt_date
from tracker.exports.safety import shorten
from tracker.exports.voting_record import VotingRecord, contents_labels

MARGIN = 0.75 * inch
HEADING_CHARS = 150  # a heading (and its contents line) names the bill; the full title follows as text
CELL_CHARS = 600  # table rows cannot break across pages, so cell text stays well under a page
APPENDIX_TITLE_CHARS = 220
DISCLAIMER_CHARS = 600
# ReportLab re-wraps the rest of a paragraph at every page break (and a word longer than a line letter by letter),
# so its time grows with the square of the paragraph's length: one feed summary of 400,000 characters took 50 s,
# 2 MB many minutes. Longer paragraphs are set as several of at most this many characters, cut between words.
PARAGRAPH_CHARS = 3000
APPENDIX_TOC = "<b>Appendix</b>  All bills in this packet"
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#F2F4F7")
RULE = colors.HexColor("#C8CDD3")


# -- markup -------------------------------------------------------------------------------------------------


MISSING = "\ufffd"  # what a character no embedded font can draw prints as; the cover says why
# Zero-width pieces of one emoji or syllable (joiner, variation selectors, skin tones): after a character that
# cannot print they belong to it, so "👩🏽‍💻" is one mark rather than four.
_ATTACHED = frozenset({0x200D, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400)})


class Markup:
    """Escapes text for ReportLab paragraphs and switches to the fallback font for glyphs DejaVu lacks.

    A character neither font has (emoji, scripts such as Devanagari when no font for them is installed) would
    print as an empty box with nothing to say that text is missing there. It prints as U+FFFD instead, and is
    remembered in ``missing`` so the cover can say which kinds of characters the other formats keep."""

    def __init__(self, fonts: FontSet):
        self.fonts = fonts
        self.primary = covered(fonts.regular)
        self.fallback = covered(fonts.fallback) if fonts.fallback else frozenset()
        self.missing: set[str] = set()

    def __call__(self, text: str | None, *, newlines: bool = True) -> str:
        if not text:
            return ""
        if text.isascii():
            out = escape(text)
        else:
            out = "".join(self._run(run, fallback) for run, fallback in self.runs(text))
        return out.replace("\n", "<br/>") if newlines else out.replace("\n", " ")

    def runs(self, text: str) -> list[tuple[str, bool]]:
        """``text`` as (piece, needs the fallback font) runs, characters no font has replaced by MISSING."""
        parts: list[tuple[str, bool]] = []
        run: list[str] = []
        in_fallback = after_missing = False
        for ch in text:
            code = ord(ch)
            if code in self.primary or ch.isspace():
                if after_missing and code in _ATTACHED:
                    continue
                wants, after_missing = False, False
            elif code in self.fallback:
                wants, after_missing = True, False
            else:
                if not after_missing:
                    self.missing.add(ch)
                elif code not in _ATTACHED and unicodedata.category(ch)[0] != "M":
                    self.missing.add(ch)
                    if run and run[-1] == MISSING:
                        continue  # one mark for a run of them
                else:
                    continue
                wants, after_missing, ch = False, True, MISSING
            if wants != in_fallback and run:
                parts.append(("".join(run), in_fallback))
                run = []
            in_fallback = wants
            run.append(ch)
        if run:
            parts.append(("".join(run), in_fallback))
        return parts

    def _run(self, text: str, fallback: bool) -> str:
        return f'<font face="{self.fonts.fallback}">{escape(text)}</font>' if fallback else escape(text)

    def link(self, url: str, text: str | None = None, color: str = "#1F4E79") -> str:
        return f'<a href={quoteattr(url)} color="{color}">{self(text or url, newlines=False)}</a>'

    def draw(self, canv: rl_canvas.Canvas, x: float, y: float, text: str, face: str, size: float,
             *, right: bool = False) -> None:
        """One line on the canvas (page headers), with the same fallback and marks as paragraphs."""
        runs = [(t, self.fonts.fallback if fb and self.fonts.fallback else face) for t, fb in self.runs(text)]
        if right:
            x -= sum(pdfmetrics.stringWidth(t, f, size) for t, f in runs)
        for piece, font in runs:
            canv.setFont(font, size)
            canv.drawString(x, y, piece)
            x += pdfmetrics.stringWidth(piece, font, size)

    def missing_note(self) -> str | None:
        """A sentence for the cover naming the kinds of characters printed as MISSING, or None."""
        if not self.missing:
            return None
        kinds: set[str] = set()
        for ch in self.missing:
            name = unicodedata.name(ch, "")
            if unicodedata.category(ch)[0] in "LM" and name:
                script = name.split()[0]  # "CJK UNIFIED IDEOGRAPH-4EBA": an acronym stays one ("Cjk script" read oddly)
                kinds.add((script if script == "CJK" else script.capitalize()) + " script")
            elif unicodedata.category(ch).startswith("C"):
                kinds.add("control characters")
            else:
                kinds.add("emoji and symbols")
        return (
            f"Some characters in this packet ({', '.join(sorted(kinds))}) are in none of the fonts this PDF "
            f"embeds and print as {MISSING}. The Word, Excel, CSV and JSON packets keep them as written."
        )


# -- document -----------------------------------------------------------------------------------------------


class Heading(Paragraph):
    """A paragraph that becomes a PDF bookmark, an outline (sidebar) entry and a page-number form."""

    def __init__(self, text: str, style: ParagraphStyle, *, plain: str, key: str, level: int = 0):
        super().__init__(text, style)
        self.plain, self.key, self.level = plain, key, level


class PageRef(Flowable):
    """The page number of a heading, drawn from a PDF form that the heading fills in once it is placed.

    A PDF may use a form before defining it, so the contents can name pages that come later in a single
    layout pass (ReportLab's TableOfContents needs two or three passes over the whole packet)."""

    def __init__(self, key: str, height: float):
        super().__init__()
        self.key, self.height = key, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.translate(self.width, 3.2)  # on the baseline of the entry's last line
        self.canv.doForm(f"page-{self.key}")
        self.canv.restoreState()


class PacketDoc(BaseDocTemplate):
    page_number_font = "DejaVuSans"

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, Heading):
            canv = self.canv
            canv.bookmarkPage(flowable.key)
            canv.addOutlineEntry(flowable.plain, flowable.key, level=flowable.level, closed=True)
            canv.beginForm(f"page-{flowable.key}", lowerx=-72, lowery=-4, upperx=2, uppery=14)
            canv.setFont(self.page_number_font, 9.5)
            canv.drawRightString(0, 0, str(self.page))
            canv.endForm()


def _numbered_canvas(label_font: str) -> type[rl_canvas.Canvas]:
    class NumberedCanvas(rl_canvas.Canvas):
        """Holds pages until the end so each can say "Page 3 of 41"."""

        def __init__(self, *args: Any, **kwargs: Any):
            kwargs["initialFontName"] = label_font  # else every page names Helvetica, unembedded
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self.show_number = False

        def showPage(self) -> None:  # noqa: N802  (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()
            self.show_number = False

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                if self.show_number:
                    self.setFont(label_font, 8)
                    self.setFillColor(GREY)
                    self.drawRightString(self._pagesize[0] - MARGIN, 0.45 * inch, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


class Layout:
    def __init__(self, packet: Packet):
        self.packet = packet
        self.branding = packet.branding
        self.fonts = register_fonts(self.branding.font_dir)
        self.m = Markup(self.fonts)
        self.accent = colors.HexColor(self.branding.accent_color)
        self.pagesize = A4 if self.branding.page_size == "a4" else LETTER
        self.width = self.pagesize[0] - 2 * MARGIN
        f = self.fonts
        base = ParagraphStyle(
            "Body",
            fontName=f.regular,
            bulletFontName=f.regular,
            fontSize=9.5,
            leading=13,
            spaceAfter=4,
            splitLongWords=1,
            allowWidows=0,
            allowOrphans=0,
        )
        self.s = {
            "body": base,
            "small": ParagraphStyle("Small", parent=base, fontSize=8, leading=10, textColor=GREY, spaceAfter=0),
            "cell": ParagraphStyle("Cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
            "cell_bold": ParagraphStyle(
                "CellBold", parent=base, fontName=f.bold, fontSize=8.5, leading=11, spaceAfter=0
            ),
            "head_cell": ParagraphStyle(
                "HeadCell",
                parent=base,
                fontName=f.bold,
                fontSize=8.5,
                leading=11,
                textColor=colors.white,
                spaceAfter=0,
            ),
            "h1": ParagraphStyle(
                "H1",
                parent=base,
                fontName=f.bold,
                fontSize=15,
                leading=19,
                textColor=self.accent,
                spaceBefore=0,
                spaceAfter=4,
            ),
            "h2": ParagraphStyle(
                "H2",
                parent=base,
                fontName=f.bold,
                fontSize=11,
                leading=14,
                textColor=self.accent,
                spaceBefore=10,
                spaceAfter=4,
            ),
            "meta": ParagraphStyle("Meta", parent=base, fontSize=9, leading=12, textColor=GREY, spaceAfter=8),
            "bullet": ParagraphStyle("Bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=2),
            "bullet2": ParagraphStyle(
                "Bullet2",
                parent=base,
                fontSize=8.5,
                leading=11,
                leftIndent=26,
                bulletIndent=16,
                textColor=colors.HexColor("#333333"),
                spaceAfter=2,
            ),
            "org": ParagraphStyle(
                "Org",
                parent=base,
                fontName=f.bold,
                fontSize=24,
                leading=30,
                textColor=self.accent,
                spaceAfter=18,
            ),
            "cover_title": ParagraphStyle(
                "CoverTitle", parent=base, fontName=f.bold, fontSize=30, leading=36, spaceAfter=14
            ),
            "cover_meta": ParagraphStyle(
                "CoverMeta", parent=base, fontSize=12, leading=17, textColor=GREY, spaceAfter=4
            ),
            "footer": ParagraphStyle("Footer", parent=base, fontSize=7, leading=8.5, textColor=GREY, spaceAfter=0),
            "toc0": ParagraphStyle(
                "TOC0",
                parent=base,
                fontSize=9.5,
                leading=13,
                leftIndent=0,
                firstLineIndent=0,
                spaceBefore=1,
                spaceAfter=1,
            ),
        }
        self.disclaimer = (
            Paragraph(self.m(shorten(self.branding.disclaimer, DISCLAIMER_CHARS)), self.s["footer"])
            if self.branding.disclaimer
            else None
        )
        # The footer grows with the disclaimer; the body frame ends above it.
        self.footer_height = self.disclaimer.wrap(self.width - 1.1 * inch, 10 * inch)[1] if self.disclaimer else 0
        self.bottom = max(MARGIN, 0.45 * inch + self.footer_height + 0.25 * inch)

    # -- page furniture --------------------------------------------------------------------------------------

    def _footer(self, canv: rl_canvas.Canvas) -> None:
        if self.disclaimer:
            self.disclaimer.drawOn(canv, MARGIN, 0.45 * inch - 2)

    def on_cover(self, canv: rl_canvas.Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFillColor(self.accent)
        canv.rect(0, self.pagesize[1] - 0.55 * inch, self.pagesize[0], 0.55 * inch, stroke=0, fill=1)
        canv.rect(0, 0, self.pagesize[0], 0.12 * inch, stroke=0, fill=1)
        self._footer(canv)
        canv.restoreState()

    def on_body(self, canv: rl_canvas.Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        top = self.pagesize[1] - 0.5 * inch
        canv.setFillColor(self.accent)
        self.m.draw(canv, MARGIN, top, shorten(self.packet.organisation, 70), self.fonts.bold, 8)
        canv.setFillColor(GREY)
        self.m.draw(canv, self.pagesize[0] - MARGIN, top, shorten(self.packet.title, 70), self.fonts.regular, 8,
                    right=True)
        canv.setStrokeColor(self.accent)
        canv.setLineWidth(0.8)
        canv.line(MARGIN, top - 5, self.pagesize[0] - MARGIN, top - 5)
        self._footer(canv)
        canv.show_number = True  # type: ignore[attr-defined]
        canv.restoreState()

    # -- story -----------------------------------------------------------------------------------------------

    def cover(self) -> list[Flowable]:
        p, m, s = self.packet, self.m, self.s
        story: list[Flowable] = [Spacer(1, 0.9 * inch)]
        if self.branding.logo is not None:
            logo = Image(str(self.branding.logo))
            scale = (1.3 * inch) / logo.imageHeight
            logo.drawWidth, logo.drawHeight = logo.imageWidth * scale, 1.3 * inch
            logo.hAlign = "LEFT"
            story += [logo, Spacer(1, 0.35 * inch)]
        n = len(p.bills)
        story += [
            Paragraph(m(shorten(p.organisation, 200)), s["org"]),
            Paragraph(m(shorten(p.title, 300)), s["cover_title"]),
        ]
        if p.selection:
            story.append(Paragraph(m(shorten(p.selection, 500)), s["cover_meta"]))
        story += [
            Paragraph(f"{n} bill{'s' if n != 1 else ''}", s["cover_meta"]),
            Paragraph("Prepared " + escape(fmt_date(p.generated_at.date())), s["cover_meta"]),
        ]
        # The page headers print the organisation and title too: mark them before asking what is missing.
        m.runs(f"{shorten(p.organisation, 70)} {shorten(p.title, 70)}")
        note = m.missing_note()  # the cover is laid out last, so this covers every page
        if note:
            story += [Spacer(1, 0.2 * inch), Paragraph(escape(note), s["meta"])]
        story += [
            NextPageTemplate("body"),
            PageBreak(),
        ]
        return story

    def contents(self) -> list[Flowable]:
        """One row per bill (and the appendix), each linked to its section, with the page it starts on."""
        s = self.s
        rows = [
            [Paragraph(f'<a href="#{key}">{text}</a>', s["toc0"]), PageRef(key, s["toc0"].leading)]
            for key, text in [
                *((f"votes-{i}", f"<b>{self.m(label)}</b>")
                  for i, label in enumerate(contents_labels(self.packet.voting_records))),
                *(self._toc_entry(b) for b in self.packet.bills), ("appendix", APPENDIX_TOC)]
        ]
        table = Table(rows, colWidths=[self.width - 0.6 * inch, 0.6 * inch], hAlign="LEFT", repeatRows=0)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return [Paragraph("Contents", self.s["h1"]), Spacer(1, 6), table]

    def _toc_entry(self, bill: PacketBill) -> tuple[str, str]:
        title = shorten(bill.display_title, HEADING_CHARS)
        return f"bill-{bill.id}", f"<b>{self.m(bill.number)}</b>  {self.m(title, newlines=False)}"

    def _facts(self, bill: PacketBill) -> tuple[Table, list[tuple[str, str]]]:
        """The facts table, and the (label, text) of rows too long for a cell, which the section then prints
        in full: a bill referred to ten committees must not lose the last ones to an ellipsis."""
        m, s = self.m, self.s
        cut: list[tuple[str, str]] = []

        def value(label: str, text: str | None) -> Paragraph:
            if not text:
                return Paragraph("—", s["cell"])
            if len(text) <= CELL_CHARS:
                return Paragraph(m(text), s["cell"])
            cut.append((label, text))
            return Paragraph(m(shorten(text, CELL_CHARS)) + " <i>(in full below)</i>", s["cell"])

        rows = fact_rows(bill)
        data = [[Paragraph(escape(label), s["cell_bold"]), value(label, text)] for label, text in rows]
        table = Table(data, colWidths=[1.35 * inch, self.width - 1.35 * inch], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),  # else cells name Helvetica
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (0, -1), LIGHT),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                    ("LINEABOVE", (0, 0), (-1, 0), 0.8, self.accent),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table, cut

    def _h2(self, text: str) -> list[Flowable]:
        """A subheading never ends a page: it moves on unless a few lines fit under it."""
        return [CondPageBreak(0.9 * inch), Paragraph(escape(text), self.s["h2"])]

    def _paragraphs(self, text: str, style: ParagraphStyle) -> list[Flowable]:
        """Blank lines separate paragraphs; a long paragraph breaks across pages by itself."""
        blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
        # The pieces of one long paragraph follow each other as its lines do, without a paragraph's gap.
        joined = ParagraphStyle(f"{style.name}-piece", parent=style, spaceAfter=0)
        out: list[Flowable] = []
        for b in blocks:
            pieces = _pieces(b) if b else []
            out += [Paragraph(self.m(piece), joined if i < len(pieces) - 1 else style) for i, piece in
                    enumerate(pieces)]
        return out

    def bill_section(self, bill: PacketBill) -> list[Flowable]:
        m, s = self.m, self.s
        heading_title = shorten(bill.display_title, HEADING_CHARS)
        key = f"bill-{bill.id}"
        head = Heading(
            f"{m(bill.number)} · {m(heading_title, newlines=False)}",
            s["h1"],
            plain=f"{bill.number} {shorten(bill.display_title, 80)}",
            key=key,
        )
        meta = Paragraph(m(bill.context()), s["meta"])
        facts, cut = self._facts(bill)
        story: list[Flowable] = [KeepTogether([head, meta, facts])]
        # The council's position and why come right after the facts: what a lobbyist opens the page for. The
        # long facts printed in full (ten committees) and the official title follow it.
        story += self._h2("Council position")
        if bill.position:
            line = f"<b>{m(bill.position)}</b>" + (f" · {m(bill.priority)} priority" if bill.priority else "")
            story.append(Paragraph(line, s["body"]))
            story += self._paragraphs(bill.rationale or "No rationale recorded.", s["body"])
        else:
            story.append(Paragraph("The council has not taken a position on this bill.", s["body"]))
        if bill.notes:
            story += self._h2("Staff notes (internal)")
            for note in bill.notes:
                story.append(Paragraph(f"<b>{m(note.heading)}</b>", s["body"]))
                story += self._paragraphs(note.body, s["body"])
        for label, text in cut:
            story += [*self._h2(label), *self._paragraphs(text, s["body"])]
        if bill.title != heading_title:
            story += [*self._h2("Official title"), *self._paragraphs(bill.title, s["body"])]
        story += self._h2("Summary")
        story += (
            self._paragraphs(bill.summary, s["body"])
            if bill.summary
            else [Paragraph("No summary has been published for this bill yet.", s["body"])]
        )
        if bill.topics:
            story += self._h2("Matched topics")
            for topic in bill.topics:
                terms = f"; terms: {m(', '.join(topic.terms), newlines=False)}" if topic.terms else ""
                story.append(
                    Paragraph(f"<b>{m(topic.name)}</b> (score {topic.score:g}{terms})", s["bullet"], bulletText="•")
                )
                for ev in topic.evidence:
                    spans = "".join(f"<b>{m(t)}</b>" if hit else m(t) for t, hit in ev.spans)
                    label = f'<font color="#777777">{m(ev.field)}:</font> ' if ev.field else ""
                    story.append(Paragraph(label + "“" + spans + "”", s["bullet2"], bulletText="–"))
        if bill.roll_calls:
            story += self._h2("Roll calls")
            for rc in bill.roll_calls:
                title = m.link(rc.url, rc.title, color=self.branding.accent_color) if rc.url else m(rc.title)
                motion = f" — {m(rc.motion)}" if rc.motion else ""
                story.append(Paragraph(f"{title}{motion} · <i>{m(rc.tally)}</i>", s["bullet"], bulletText="•"))
        if bill.links:
            story += self._h2("Sources")
            for link in bill.links:
                story.append(
                    Paragraph(
                        f"{m(link.label)}: {m.link(link.url, color=self.branding.accent_color)}",
                        s["bullet"],
                        bulletText="•",
                    )
                )
        return story

    def voting_record(self, record: VotingRecord, number: int) -> list[Flowable]:
        """Before the bills: the legislator's votes on the council's key bills, one row per vote."""
        m, s = self.m, self.s
        story: list[Flowable] = [
            Heading(m(record.heading), s["h1"], plain=shorten(record.heading, 80), key=f"votes-{number}"),
            Paragraph(m(" · ".join(p for p in (record.scope, record.member_label) if p)), s["meta"]),
            Paragraph(m(record.summary), s["body"]),
        ]
        if not record.votes:
            return story
        header = [Paragraph(h, s["head_cell"]) for h in ("Bill", "Council position", "Their vote", "Roll call")]
        rows: list[list[Any]] = [header]
        for vote in record.votes:
            said = m(vote.vote_label)
            rows.append([
                Paragraph(f"<b>{m(vote.bill)}</b><br/><font size=\"7.5\">"
                          f"{m(shorten(vote.title, APPENDIX_TITLE_CHARS))}</font>", s["cell"]),
                Paragraph(f"{m(vote.stance)}<br/><font size=\"7.5\" color=\"#555555\">a {m(vote.with_us)} vote "
                          "is with us</font>", s["cell"]),
                Paragraph(said if vote.verdict == "with us" else f"<b>{said}</b>", s["cell"]),
                Paragraph(m(vote.roll_call_label), s["cell"]),
            ])
        return [*story, Spacer(1, 4), self._striped_table(rows, [None, 1.45 * inch, 1.3 * inch, 1.9 * inch])]

    def appendix(self) -> list[Flowable]:
        m, s = self.m, self.s
        head = Heading(
            "Appendix: all bills in this packet",
            s["h1"],
            plain="Appendix: all bills",
            key="appendix",
        )
        header = [Paragraph(h, s["head_cell"]) for h in ("Bill", "Title", "Stage", "Position", "Latest action")]
        rows: list[list[Any]] = [header]
        for bill in self.packet.bills:
            position = (bill.position or "—") + (f"\n{bill.priority}" if bill.position and bill.priority else "")
            rows.append(
                [
                    Paragraph(
                        f'<a href="#bill-{bill.id}">{m(bill.number)}</a><br/>'
                        f'<font size="7" color="#777777">{m(bill.context(compact=True))}</font>',
                        s["cell_bold"],
                    ),
                    Paragraph(m(shorten(bill.display_title, APPENDIX_TITLE_CHARS)), s["cell"]),
                    Paragraph(m(bill.stage_label), s["cell"]),
                    Paragraph(m(position), s["cell"]),
                    Paragraph(m(fmt_date(bill.latest_action_date)) or "—", s["cell"]),
                ]
            )
        # The bill column holds its number and, under it, its jurisdiction and session in words.
        table = self._striped_table(rows, [1.3 * inch, None, 1.05 * inch, 1.0 * inch, 0.95 * inch])
        return [PageBreak(), head, Spacer(1, 6), table]

    def _striped_table(self, rows: list[list[Any]], widths: list[float | None]) -> Table:
        """A table with a heading row in the accent colour and every other row shaded; the one width left None
        takes what the page has left."""
        free = self.width - sum(w for w in widths if w)
        table = Table(rows, colWidths=[free if w is None else w for w in widths], repeatRows=1, hAlign="LEFT")
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), self.accent),
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        style += [("BACKGROUND", (0, r), (-1, r), LIGHT) for r in range(2, len(rows), 2)]
        table.setStyle(TableStyle(style))
        return table

    def story(self) -> list[Flowable]:
        story = self.contents()
        for number, record in enumerate(self.packet.voting_records):
            # A record with votes starts a page; one that only says there are none follows what came before.
            story += [PageBreak() if record.votes else CondPageBreak(1.5 * inch), Spacer(1, 14),
                      *self.voting_record(record, number)]
        for bill in self.packet.bills:
            story.append(PageBreak())
            story += self.bill_section(bill)
        story += self.appendix()
        return self.cover() + story  # the cover last, so it knows every character the packet could not print

    def build(self) -> bytes:
        buffer = io.BytesIO()
        p = self.packet
        doc = PacketDoc(
            buffer,
            pagesize=self.pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=0.85 * inch,
            bottomMargin=self.bottom,
            title=p.title,
            author=p.organisation,
            subject=p.selection,
            creator="Policy Tracker",
            lang="en-US",
        )
        frame = Frame(
            MARGIN,
            self.bottom,
            self.width,
            self.pagesize[1] - 0.85 * inch - self.bottom,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        doc.addPageTemplates(
            [
                PageTemplate("cover", frames=[frame], onPage=self.on_cover),
                PageTemplate("body", frames=[frame], onPage=self.on_body),
            ]
        )
        doc.page_number_font = self.fonts.regular
        doc.build(self.story(), canvasmaker=_numbered_canvas(self.fonts.regular))
        return buffer.getvalue()


def write_pdf(packet: Packet) -> bytes:
    return Layout(packet).build()


def _pieces(block: str, limit: int = PARAGRAPH_CHARS) -> list[str]:
    """``block`` in pieces of at most ``limit`` characters. Each piece starts a new line, so the cut is where the
    reader sees none: at one of the text's own line breaks in the second half (a digest's), else after a sentence,
    else at a space; the line break or space cut at is dropped."""
    pieces = []
    while len(block) > limit:
        cut = block.rfind("\n", limit // 2, limit)
        if cut < 0:
            sentence = block.rfind(". ", limit // 2, limit - 1)
            cut = sentence + 1 if sentence > 0 else block.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        pieces.append(block[:cut])
        block = block[cut:].lstrip(" \n") if cut < len(block) and block[cut] in " \n" else block[cut:]
    return [*pieces, block] if block else pieces
