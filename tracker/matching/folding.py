"""Text as the matcher reads it: words of lowercase letters and digits between single-byte separators.

ASCII text (most bill text) goes through one 256-entry byte table at memory speed. Other text is first folded
character by character, but only where it needs it:

- letters are letters: "é" reads "e", "ū" reads "u", "ß" reads "ss" (NFKD without its accents, when that gives
  ASCII); a letter with no ASCII form ("数", "λ") is kept, case-folded and without accents, as UTF-8 bytes;
- soft hyphens, zero-width spaces and joiners, word joiners, byte-order marks (Unicode format characters) and
  combining marks are ignored, so "Cy\u00adber\u00adcrime" reads "cybercrime";
- everything else (dashes, curly quotes, no-break spaces, section signs, fractions, symbols) separates words.

Most non-ASCII characters in bill text are punctuation (curly quotes, dashes, en spaces) or Latin-1 letters, each
read as one byte. They go through a charmap codec in C (``codecs.charmap_encode``) that gives each of 128 such
characters a byte of its own, which the byte table then reads as a separator or as the letter's ASCII form;
only the characters outside that map reach a Python error handler, one call per run. (Checking first whether a
text holds only separators, to keep the plain byte path, cost more in three passes over the bytes than it
saved.) A character usually becomes one byte; when it does not (an ignored one, "ß", a kept letter) the offsets
where that happens are kept, so an offset in the normalized text can be taken back to the original
(``char_offset``).
"""

from __future__ import annotations

import codecs
import re
import threading
import unicodedata
from bisect import bisect_right
from typing import NamedTuple

_IGNORED = frozenset({"Cf", "Mn", "Mc", "Me"})  # format characters and combining marks: join, not separate
_WORD_CATEGORIES = ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl")  # not "No": "½", "²" and "①" separate words


def _word_table(lower: bool, keep_high: bool) -> bytes:
    """ASCII letters and digits are word bytes (lowercased if ``lower``), other ASCII bytes separators; bytes
    from 0x80 stay as they are (``keep_high``: the bytes of kept letters) or become separators."""
    out = bytearray()
    for b in range(256):
        if b < 0x80:
            out.append((b | 0x20 if lower and chr(b).isalpha() else b) if chr(b).isalnum() else 0x20)
        else:
            out.append(b if keep_high else 0x20)
    return bytes(out)


_FOLD, _CASED = _word_table(True, False), _word_table(False, False)
_FOLD_KEEP, _CASED_KEEP = _word_table(True, True), _word_table(False, True)


class _Rep(NamedTuple):
    text: str  # what the character reads as
    width: int  # its length in UTF-8 bytes: the bytes it takes in the normalized text
    ascii: bool


def _char_reps(ch: str) -> tuple[_Rep, _Rep]:
    """(lowercase, cased) readings of one non-ASCII character, of the same width so both texts line up."""
    category = unicodedata.category(ch)
    if category in _IGNORED:
        return _Rep("", 0, True), _Rep("", 0, True)
    if category not in _WORD_CATEGORIES:
        return _Rep(" ", 1, True), _Rep(" ", 1, True)
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base.isascii() and base.isalnum():
        cased, lower = base, base.lower()
    else:
        base = base or ch
        lower = "".join(c for c in unicodedata.normalize("NFKD", base.casefold()) if not unicodedata.combining(c))
        cased = base if len(base.encode()) == len(lower.encode()) else lower
    return _Rep(lower, len(lower.encode()), lower.isascii()), _Rep(cased, len(cased.encode()), cased.isascii())


_REPS: tuple[dict[str, _Rep], dict[str, _Rep]] = ({}, {})  # lowercase, cased: filled as characters are met


def _rep(ch: str, lower: bool) -> _Rep:
    table = _REPS[0 if lower else 1]
    rep = table.get(ch)
    if rep is None:
        _REPS[0][ch], _REPS[1][ch] = _char_reps(ch)
        rep = table[ch]
    return rep


def _one_byte(ch: str) -> bool:
    """Whether ``ch`` reads as one ASCII byte in both forms (a separator, or a letter such as "é")."""
    lower, cased = _char_reps(ch)
    return lower.width == cased.width == 1 and lower.ascii and cased.ascii


def _charmap() -> tuple[str, bytes, bytes]:
    """The codec's 256 characters (ASCII, then 128 others in the order of the blocks bill text draws on) and
    the lowercase and cased byte tables that read them."""
    common = [chr(c) for c in (*range(0xA0, 0x100), *range(0x2000, 0x2070), *range(0x2190, 0x2200),
                               *range(0x25A0, 0x2600))]
    chosen = [ch for ch in common if _one_byte(ch)][:128]
    chars = "".join(chr(b) for b in range(0x80)) + "".join(chosen) + "\ufffe" * (128 - len(chosen))
    tables = []
    for index, base in ((0, _FOLD), (1, _CASED)):
        table = bytearray(base)
        for b, ch in enumerate(chosen, start=0x80):
            table[b] = ord(_char_reps(ch)[index].text)
        tables.append(bytes(table))
    return chars, tables[0], tables[1]


_MAP_CHARS, _MAP_FOLD, _MAP_CASED = _charmap()
_ENCODING_MAP = codecs.charmap_build(_MAP_CHARS)
_NON_ASCII = re.compile("[^\x00-\x7f]+")


class Offsets(NamedTuple):
    """Where normalized offsets and character offsets part: after each character that did not become one
    byte, its end in the normalized text (leading pad included) and in the original."""

    norm: list[int]
    chars: list[int]


class _NotAscii(Exception):
    """A character reads as a non-ASCII letter: the text needs the slower path that keeps such bytes."""


def _fold(text: str, pattern: re.Pattern[str], lower: bool) -> tuple[str, Offsets]:
    """``text`` with the characters ``pattern`` finds replaced by their readings, and where offsets part."""
    out: list[str] = []
    offsets = Offsets([], [])
    last = delta = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        out.append(text[last:start])
        for i, ch in enumerate(match.group()):
            rep = _rep(ch, lower)
            out.append(rep.text)
            if rep.width != 1:
                delta += rep.width - 1
                offsets.norm.append(start + i + 2 + delta)
                offsets.chars.append(start + i + 1)
        last = end
    if not out:
        return text, offsets
    out.append(text[last:])
    return "".join(out), offsets


class _Encoding(threading.local):
    """What the codec's error handler needs from the call it serves (one per thread)."""

    lower = True
    delta = 0
    offsets = Offsets([], [])


_encoding = _Encoding()


def _fold_unmapped(exc: UnicodeError) -> tuple[str, int]:
    """Error handler: the readings of a run of characters outside the charmap, noting where offsets part."""
    assert isinstance(exc, UnicodeEncodeError)
    state = _encoding
    pieces = []
    for i in range(exc.start, exc.end):
        rep = _rep(exc.object[i], state.lower)
        if not rep.ascii:
            raise _NotAscii
        pieces.append(rep.text)
        if rep.width != 1:
            state.delta += rep.width - 1
            state.offsets.norm.append(i + 2 + state.delta)
            state.offsets.chars.append(i + 1)
    return "".join(pieces), exc.end


codecs.register_error("tracker-matching-fold", _fold_unmapped)


def normalize_with_offsets(text: str, *, lower: bool = True) -> tuple[bytes, Offsets | None]:
    """The normalized text (see ``normalize_bytes``) and, when some character did not become one byte, where
    offsets part (None: offset ``i`` of the normalized text is character ``i - 1`` of the original)."""
    if text.isascii():
        return b" " + text.encode("ascii").translate(_FOLD if lower else _CASED) + b" ", None
    state = _encoding
    state.lower, state.delta, state.offsets = lower, 0, Offsets([], [])
    try:
        data = codecs.charmap_encode(text, "tracker-matching-fold", _ENCODING_MAP)[0].translate(
            _MAP_FOLD if lower else _MAP_CASED)
        offsets = state.offsets
    except _NotAscii:  # a letter with no ASCII form: fold every non-ASCII character and keep the letters' bytes
        folded, offsets = _fold(text, _NON_ASCII, lower)
        data = folded.encode("utf-8", "replace").translate(_FOLD_KEEP if lower else _CASED_KEEP)
    return b" " + data + b" ", offsets if offsets.norm else None


def normalize_bytes(text: str, *, lower: bool = True) -> bytes:
    """The text as the automaton reads it: words between spaces, padded with a space each side.

    Runs of separators are kept, not collapsed: collapsing was the slowest step, and a pattern needs only one
    separator on each side of each word. The lowercase and the cased forms have the same length."""
    return normalize_with_offsets(text, lower=lower)[0]


def char_offset(offsets: Offsets | None, position: int) -> int:
    """The character of the original text at ``position`` of its normalized form (see ``Offsets``)."""
    if offsets is None:
        return position - 1
    i = bisect_right(offsets.norm, position) - 1
    if i < 0:
        return position - 1
    return offsets.chars[i] + max(0, position - offsets.norm[i])


def fold_words(text: str, *, lower: bool = True) -> list[str]:
    """The words of ``text`` as normalization reads them."""
    return normalize_bytes(text, lower=lower).decode("utf-8").split()
