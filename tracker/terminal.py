"""The command line's consoles: upstream text printed to a terminal cannot drive the terminal.

A JSON feed can put any character in a title, a sponsor's name or an action ("\\u001b" is valid JSON), and Rich
strips only a few control codes (BEL, backspace, CR...), not ESC: a bill title could clear the screen, retitle the
window, hide text or write a fake prompt when `tracker bills list` prints it. Bidi controls (U+202E...) make a name
read backwards. Every segment of ordinary text is cleaned as it is rendered, whatever object carries it (a str,
a Text, a table cell); Rich's own styles and cursor controls are added afterwards and are untouched.
"""

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.table import Column

from tracker.bidi import BIDI_CONTROLS

# C0 controls but tab and newline, DEL, the 8-bit C1 controls (U+009B is a one-character CSI), the bidi marks and
# the bidi embedding, override and isolate controls (tracker.bidi, as in files and on pages).
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f{BIDI_CONTROLS}]")
REPLACEMENT = "\ufffd"  # shown, so a reader sees that the feed sent something there


def printable(text: str) -> str:
    """``text`` with every terminal control and bidi control replaced by U+FFFD."""
    return _UNSAFE.sub(REPLACEMENT, text)


class SafeConsole(Console):
    """A Rich console whose text can never carry a terminal escape sequence or a bidi control."""

    def render_str(self, text: str, **kwargs: Any) -> Any:  # measured as shown, so tables keep their columns
        return super().render_str(printable(text), **kwargs)

    def render(self, renderable: Any, options: Any = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control or not _UNSAFE.search(segment.text):
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)


def whole_column(header: str, values: Iterable[str]) -> Column:
    """A table column of what people type back into commands (a topic's slug, an account's email, a stage):
    kept whole on one line however narrow the terminal, the other columns wrapping instead. Rich shortens a long
    word to "cybersecuri…" when a table is wider than the terminal (80 columns in a pipe or a bare ssh)."""
    return Column(header, no_wrap=True, min_width=max((len(v) for v in values), default=len(header)))
