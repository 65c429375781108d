"""Draw the default packet logo (tracker/exports/assets/default_logo.png): a columned civic building,
white on the default accent colour. Run again only to change the design; organisations set their own logo
in tracker.toml ([branding] logo)."""

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = (31, 78, 121, 255)  # #1F4E79, tracker.exports.branding.DEFAULT_ACCENT
WHITE = (255, 255, 255, 255)
SIZE = 512
OUT = Path(__file__).resolve().parents[1] / "tracker" / "exports" / "assets" / "default_logo.png"


def draw() -> Image.Image:
    scale = 4  # draw large, then shrink: smooth edges without an anti-aliasing library
    big = SIZE * scale
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = big / 512
    d.rounded_rectangle((0, 0, big - 1, big - 1), radius=int(96 * s), fill=ACCENT)
    # Pediment
    d.polygon([(256 * s, 88 * s), (432 * s, 176 * s), (80 * s, 176 * s)], fill=WHITE)
    d.polygon([(256 * s, 118 * s), (372 * s, 160 * s), (140 * s, 160 * s)], fill=ACCENT)
    # Entablature
    d.rectangle((92 * s, 188 * s, 420 * s, 212 * s), fill=WHITE)
    # Four columns
    for x in (116, 196, 284, 364):
        d.rectangle(((x) * s, 226 * s, (x + 32) * s, 372 * s), fill=WHITE)
    # Steps
    d.rectangle((92 * s, 384 * s, 420 * s, 404 * s), fill=WHITE)
    d.rectangle((72 * s, 414 * s, 440 * s, 434 * s), fill=WHITE)
    return img.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    draw().save(OUT, optimize=True, dpi=(96, 96))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
