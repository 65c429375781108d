"""Text as the matcher reads it: words of lowercase letters and digits between single-byte separators.

ASCII text (most bill text) goes through one 256-entry byte table at memory speed. Other text is read by rules
per character:

- letters are letters: "é" reads "e", "ū" reads "u", "ß" reads "ss" (NFKD without its accents, when that gives
  ASCII); a letter with no ASCII form ("数", "λ") is kept, case-folded and without accents, as UTF-8 bytes;
- soft hyphens, zero-width spaces and joiners, word joiners, byte-order marks (Unicode format characters) and
  combining marks are ignored, so "Cy\u00adber\u00adcrime" reads "cybercrime";
- everything else (dashes, curly quotes, no-break spaces, section signs, fractions, symbols) separates words.

Most non-ASCII characters in bill text are punctuation (curly quotes, dashes, en spaces) or Latin letters, each
read as one ASCII byte. So the text's UTF-16 code units index a table (numpy's ``take``, C speed) that gives the
byte of every character below U+3000 that reads as one byte, and a marker byte for the others (an ignored
character, "ß", a kept letter, anything from U+3000 on); only the marked characters are looked up one by one,
and the offsets where the text and its reading part are kept, so an offset in the normalized text can be taken
back to the original (``char_offset``). (The charmap codec this replaced read such text at a third of the
speed; a Python error handler per run of non-ASCII characters was slower still: bill text has about 5,000 such
runs per MB.)
"""

from __future__ import annotations

import functools
import unicodedata
from bisect import bisect_right
from typing import NamedTuple

import numpy as np

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


_MARK = 0xFF  # in the unit tables: a character that does not read as one ASCII byte, looked up on its own
_MARK_BYTE = bytes([_MARK])
_TABLE_END = 0x3000  # characters from here on (CJK, private use, surrogates) are looked up on their own


@functools.cache
def _unit_tables() -> tuple[np.ndarray, np.ndarray]:
    """The lowercase and cased byte of each character below ``_TABLE_END`` that reads as one ASCII byte in both
    forms, ``_MARK`` for the others. One more entry, ``_MARK``, is what ``take(mode="clip")`` gives every code
    unit past the end. Built on the first text outside ASCII (about 0.05 s)."""
    lower = np.full(_TABLE_END + 1, _MARK, np.uint8)
    cased = lower.copy()
    lower[:0x80], cased[:0x80] = np.frombuffer(_FOLD[:0x80], np.uint8), np.frombuffer(_CASED[:0x80], np.uint8)
    for code in range(0x80, _TABLE_END):
        low, cap = _char_reps(chr(code))
        if low.width == cap.width == 1 and low.ascii and cap.ascii:
            lower[code], cased[code] = _FOLD[ord(low.text)], _CASED[ord(cap.text)]
    return lower, cased


def _code_units(text: str) -> np.ndarray:
    """One number per character: UTF-16 code units, or UTF-32 when a character lies outside the BMP."""
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) == 2 * len(text):
        return np.frombuffer(data, np.uint16)
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


class Offsets(NamedTuple):
    """Where normalized offsets and character offsets part: after each character that did not become one
    byte, its end in the normalized text (leading pad included) and in the original."""

    norm: list[int]
    chars: list[int]


def _read_marked(text: str, data: bytes, lower: bool) -> tuple[bytes, Offsets]:
    """``data`` (the table's reading of ``text``, padded) with each marked character replaced by its own
    reading, and where offsets part."""
    keep = _FOLD_KEEP if lower else _CASED_KEEP
    pieces = []
    offsets = Offsets([], [])
    last = delta = 0
    position = data.find(_MARK_BYTE)
    while position >= 0:  # the character at position - 1 (the leading pad)
        rep = _rep(text[position - 1], lower)
        pieces += (data[last:position], rep.text.encode().translate(keep))
        if rep.width != 1:
            delta += rep.width - 1
            offsets.norm.append(position + 1 + delta)
            offsets.chars.append(position)
        last = position + 1
        position = data.find(_MARK_BYTE, last)
    pieces.append(data[last:])
    return b"".join(pieces), offsets


def normalize_with_offsets(text: str, *, lower: bool = True) -> tuple[bytes, Offsets | None]:
    """The normalized text (see ``normalize_bytes``) and, when some character did not become one byte, where
    offsets part (None: offset ``i`` of the normalized text is character ``i - 1`` of the original)."""
    if text.isascii():
        return b" " + text.encode("ascii").translate(_FOLD if lower else _CASED) + b" ", None
    units = _code_units(text)
    padded = np.empty(len(units) + 2, np.uint8)
    padded[0] = padded[-1] = 0x20
    _unit_tables()[0 if lower else 1].take(units, mode="clip", out=padded[1:-1])
    data = padded.tobytes()
    if _MARK_BYTE not in data:
        return data, None
    norm, offsets = _read_marked(text, data, lower)
    return norm, offsets if offsets.norm else None


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
