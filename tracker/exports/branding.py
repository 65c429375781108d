"""Branding of packets, read from the ``[branding]`` section of ``tracker.toml``.

```toml
[branding]
organisation = "Metro Chamber of Commerce: Technology Council"
logo = "branding/logo.png"        # PNG or JPEG; relative paths are relative to tracker.toml
accent_color = "#1F4E79"          # headings, table headers, the cover band
disclaimer = "Prepared for members. Not legal advice."
page_size = "letter"              # or "a4" (PDF and Word)
font_dir = "/usr/share/fonts/truetype/dejavu"   # optional: where DejaVu Sans lives (PDF)
```

Every key is optional; the defaults make a plain, usable packet. A misspelt key is refused rather than
silently ignored, so a packet never goes out with the wrong name on its cover.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.exports.errors import BrandingError
from tracker.exports.safety import clean_text

ASSETS = Path(__file__).parent / "assets"
DEFAULT_LOGO = ASSETS / "default_logo.png"
DEFAULT_ORGANISATION = "Policy Tracker"
DEFAULT_ACCENT = "#1F4E79"
DEFAULT_DISCLAIMER = (
    "Prepared for internal advocacy use. Bill information comes from public legislative sources and may have "
    "changed since this packet was produced; positions are the council's own."
)
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
# Spellings people write; each maps to one field.
_KEYS = {
    "organisation": "organisation",
    "organization": "organisation",
    "name": "organisation",
    "logo": "logo",
    "accent_color": "accent_color",
    "accent_colour": "accent_color",
    "accent": "accent_color",
    "disclaimer": "disclaimer",
    "font_dir": "font_dir",
    "page_size": "page_size",
    "paper": "page_size",
}
PAGE_SIZES = ("letter", "a4")


@dataclass(frozen=True)
class Branding:
    organisation: str = DEFAULT_ORGANISATION
    logo: Path | None = DEFAULT_LOGO  # None: no logo at all
    accent_color: str = DEFAULT_ACCENT  # "#RRGGBB"
    disclaimer: str = DEFAULT_DISCLAIMER
    page_size: str = "letter"  # letter | a4
    font_dir: Path | None = None  # None: look in the usual places (see tracker.exports.fonts)

    @property
    def accent_hex(self) -> str:
        """Without the '#': the form Word and Excel styles take."""
        return self.accent_color.lstrip("#").upper()


def normalize_color(value: str, *, where: str = "[branding] accent_color") -> str:
    match = _HEX.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise BrandingError(f'{where}: {value!r} is not a colour; write it as #RRGGBB, e.g. "#1F4E79"')
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return "#" + digits.upper()


def _config_dir(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ if env is None else env)
    return Path(env.get("TRACKER_CONFIG", "tracker.toml")).resolve().parent


def branding_from_mapping(section: dict[str, Any], *, base_dir: Path | None = None) -> Branding:
    """Validate a ``[branding]`` table; ``base_dir`` anchors a relative logo path (the config's folder)."""
    values: dict[str, Any] = {}
    unknown = sorted(k for k in section if k not in _KEYS)
    if unknown:
        known = ", ".join(
            sorted({"organisation", "logo", "accent_color", "disclaimer", "page_size", "font_dir"})
        )
        raise BrandingError(f"[branding]: unknown key {', '.join(map(repr, unknown))}; known keys: {known}")
    for key, raw in section.items():
        values[_KEYS[key]] = raw
    base_dir = base_dir or _config_dir()

    organisation = values.get("organisation", DEFAULT_ORGANISATION)
    if not isinstance(organisation, str) or not organisation.strip():
        raise BrandingError("[branding] organisation: must be a non-empty string")
    disclaimer = values.get("disclaimer", DEFAULT_DISCLAIMER)
    if not isinstance(disclaimer, str):
        raise BrandingError('[branding] disclaimer: must be a string ("" for none)')
    accent = normalize_color(values.get("accent_color", DEFAULT_ACCENT))

    logo: Path | None = DEFAULT_LOGO
    if "logo" in values:
        raw_logo = values["logo"]
        if raw_logo in ("", False, None):
            logo = None
        elif not isinstance(raw_logo, str):
            raise BrandingError('[branding] logo: must be a file path (or "" for no logo)')
        else:
            logo = Path(raw_logo).expanduser()
            if not logo.is_absolute():
                logo = base_dir / logo
            check_logo(logo)
    font_dir = None
    if values.get("font_dir"):
        font_dir = Path(str(values["font_dir"])).expanduser()
        if not font_dir.is_absolute():
            font_dir = base_dir / font_dir
        if not font_dir.is_dir():
            raise BrandingError(f"[branding] font_dir: {font_dir} is not a directory")
    page_size = str(values.get("page_size", "letter")).strip().lower()
    if page_size not in PAGE_SIZES:
        raise BrandingError(f"[branding] page_size: {values['page_size']!r}; one of: {', '.join(PAGE_SIZES)}")
    return Branding(
        # Cleaned like upstream text: one XML-illegal character would make the Word writer refuse every packet.
        organisation=clean_text(organisation).strip(),
        logo=logo,
        accent_color=accent,
        disclaimer=clean_text(disclaimer).strip(),
        page_size=page_size,
        font_dir=font_dir,
    )


def check_logo(path: Path) -> None:
    """A logo must be a PNG or JPEG that every writer (ReportLab, Word, Excel) can place."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise BrandingError(f"[branding] logo: {path} does not exist")
    try:
        with Image.open(path) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise BrandingError(f"[branding] logo: {path} is not a readable image ({exc})") from None
    if kind not in {"PNG", "JPEG"}:
        raise BrandingError(f"[branding] logo: {path} is {kind}; use a PNG or JPEG file")


def load_branding() -> Branding:
    """Branding from the configuration (``tracker.toml`` ``[branding]``), defaults for what is not set."""
    from tracker.config import settings

    return branding_from_mapping(settings().section("branding"))
