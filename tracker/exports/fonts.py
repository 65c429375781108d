"""The Unicode font embedded in PDF packets: DejaVu Sans (Latin with accents, Greek, Cyrillic, and more).

ReportLab's built-in fonts cover Latin-1 only: a curly quote survives, but a Polish, Czech, Greek or
Russian name would come out as black boxes. DejaVu Sans ships with Debian's ``fonts-dejavu-core``
package (installed by ``.ci/run``, described in the README); ``[branding] font_dir`` or ``TRACKER_FONT_DIR``
point elsewhere.
Scripts DejaVu lacks (Chinese, Japanese, Korean) fall back to the first font found in ``FALLBACK_FONTS``.

Without DejaVu (a machine with only Python, as the README's two commands allow) packets are set in Bitstream
Vera, which ReportLab ships and DejaVu grew from: Latin-1 only, so a Polish or Greek name prints its missing
letters as the marked character the cover explains (tracker.exports.pdf), instead of the export failing. A
font folder that was configured and holds no DejaVu is still an error: someone meant it.
"""

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tracker.exports.errors import ExportError

FACES = {  # ReportLab face name -> file
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
SEARCH_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu: fonts-dejavu-core
    "/usr/share/fonts/dejavu",  # Fedora, Arch
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
    "~/.local/share/fonts",
)
# TrueType-outline CJK fonts (ReportLab cannot embed CFF/OpenType-PS outlines such as Noto CJK's).
FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Debian fonts-droid-fallback
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian fonts-wqy-zenhei
)
FALLBACK_NAME = "PacketFallback"
VERA_FACES = {"Vera": "Vera.ttf", "VeraBd": "VeraBd.ttf", "VeraIt": "VeraIt.ttf", "VeraBI": "VeraBI.ttf"}

log = logging.getLogger(__name__)


class FontNotFound(ExportError):
    pass


@dataclass(frozen=True)
class FontSet:
    regular: str
    bold: str
    italic: str
    bold_italic: str
    fallback: str | None  # registered face for characters DejaVu has no glyph for


def _candidate_dirs(font_dir: Path | None) -> list[Path]:
    dirs: list[Path] = []
    if font_dir is not None:
        dirs.append(font_dir)
    if os.environ.get("TRACKER_FONT_DIR"):
        dirs.append(Path(os.environ["TRACKER_FONT_DIR"]))
    dirs.extend(Path(d).expanduser() for d in SEARCH_DIRS)
    return dirs


def find_dejavu(font_dir: Path | None = None) -> Path:
    """The folder holding all four DejaVu Sans faces."""
    tried = _candidate_dirs(font_dir)
    for folder in tried:
        if all((folder / name).is_file() for name in FACES.values()):
            return folder
    raise FontNotFound(
        "PDF export needs the DejaVu Sans font (for accents and non-Latin names) and did not find it in "
        + ", ".join(str(d) for d in tried)
        + ". Install it with `apt-get install fonts-dejavu-core`, or set [branding] font_dir or "
        "TRACKER_FONT_DIR to a folder holding DejaVuSans.ttf, DejaVuSans-Bold.ttf, DejaVuSans-Oblique.ttf "
        "and DejaVuSans-BoldOblique.ttf."
    )


@lru_cache(maxsize=4)
def register_fonts(font_dir: Path | None = None) -> FontSet:
    """Register DejaVu Sans (and a CJK fallback, if one is installed) with ReportLab, once per process."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        folder, faces = find_dejavu(font_dir), FACES
    except FontNotFound:
        if font_dir is not None or os.environ.get("TRACKER_FONT_DIR"):
            raise
        folder, faces = _bundled_vera()
        log.warning("DejaVu Sans not found: PDF packets use Bitstream Vera (Latin-1 only); "
                    "apt-get install fonts-dejavu-core for accents and non-Latin names")
    for face, filename in faces.items():
        try:
            pdfmetrics.registerFont(TTFont(face, str(folder / filename)))
        except TTFError as exc:
            raise FontNotFound(f"{folder / filename}: not a usable TrueType font ({exc})") from None
    regular, bold_face, italic_face, bold_italic = faces
    for bold, italic, face in ((0, 0, regular), (1, 0, bold_face), (0, 1, italic_face), (1, 1, bold_italic)):
        addMapping(regular, bold, italic, face)
    fallback = None
    for path in FALLBACK_FONTS:
        if Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont(FALLBACK_NAME, path, subfontIndex=0))
            except TTFError:
                continue
            fallback = FALLBACK_NAME
            break
    return FontSet(regular, bold_face, italic_face, bold_italic, fallback)


def _bundled_vera() -> tuple[Path, dict[str, str]]:
    import reportlab

    return Path(reportlab.__file__).parent / "fonts", VERA_FACES


@lru_cache(maxsize=8)
def covered(face: str) -> frozenset[int]:
    """Code points a registered face has glyphs for."""
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(face)
    return frozenset(font.face.charToGlyph)
