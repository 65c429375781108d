"""Bidi controls from feeds: the embedding, override and isolate characters go wherever upstream text is shown.

A feed can put U+202E (right-to-left override) in a title, a sponsor's name or a link's label: invisible, it
makes "Invoice fdp.exe" read as "Invoice exe.pdf", or turns the rest of a table row around (the "Trojan Source"
attack, CVE-2021-42574). Right-to-left text needs none of them: Unicode's bidi algorithm orders Arabic and Hebrew
letters from the letters themselves, so removing the controls leaves every letter, and the right-to-left and
left-to-right marks (U+200E, U+200F, U+061C: they only settle the direction of neutral characters such as
punctuation), where they were. Exported files (tracker.exports.safety.clean_text), dashboard pages
(dashboard.components.render), feeds and alert emails (tracker.alerts.render) take them out with
``without_bidi_controls``; the command line replaces them, marks included, with a visible U+FFFD
(tracker.terminal).
"""

import re

# LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and LRI, RLI, FSI, PDI (U+2066-U+2069).
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def without_bidi_controls(text: str) -> str:
    """``text`` without its bidi embedding, override and isolate controls; everything else as it was."""
    return _BIDI.sub("", text)
