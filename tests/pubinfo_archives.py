"""pubinfo full and incremental archives built at test time from the real ``.dat``/``.lob`` rows of
``ca_pubinfo/.../mini`` (four 2025-26 bills), for the incremental-update tests of the crawler and the importer.

No real incremental archive is in the samples, so the incrementals are written here from the published format
(FORMATS.md section 5: the same tables, holding only the rows new or changed since the previous extract). The
full archive stands for the database one day earlier: it lacks AB 1656's June 11 2026 amendment (its last
history row, version ``20250AB165697AMD`` with that version's author row and CAML) and AB 2052's last history
row, and AB 1656's ``BILL_TBL`` row is edited back to that state (latest version ``...98AMD``, an earlier
``trans_update``): the one hand-made change. The incrementals then carry exactly the real rows taken out.
"""

import io
import zipfile
from pathlib import Path

from realdata_paths import require_realdata

TABLES = ("BILL_TBL", "BILL_HISTORY_TBL", "BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL")
AB1656_HISTORY = b"\t118527524\t"  # "Read second time and amended.  Ordered to third reading." (2026-06-11)
AB1656_VERSION = b"`20250AB165697AMD`"
AB1656_LOB = "BILL_VERSION_TBL_14928.lob"
AB2052_HISTORY = b"\t118527773\t"  # "From printer.  May be heard in committee  March  21."
AB1656_NEW_ACTION = "Read second time and amended. Ordered to third reading."
AB2052_NEW_ACTION = "From printer. May be heard in committee March 21."


def mini() -> Path:
    return require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")


def _lines(table: str) -> list[bytes]:
    # Every row of these sample tables is one line (checked: line count == row count), so lines are rows.
    return (mini() / f"{table}.dat").read_bytes().splitlines(keepends=True)


def _zip(tables: dict[str, list[bytes]], lobs: list[str], extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for table, rows in tables.items():
            zf.writestr(f"{table}.dat", b"".join(rows))
        for name in lobs:
            zf.write(mini() / name, name)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


def complete_archive() -> bytes:
    """Every bill table and version CAML of the sample, as a full archive (``pubinfo_daily_{Day}.zip``)."""
    return _zip({t: _lines(t) for t in TABLES},
                sorted(p.name for p in mini().glob("BILL_VERSION_TBL_*.lob")))


def earlier_full_archive() -> bytes:
    """The full archive of the day before the incrementals (see the module docstring)."""
    tables = {t: _lines(t) for t in TABLES}
    tables["BILL_HISTORY_TBL"] = [r for r in tables["BILL_HISTORY_TBL"]
                                  if AB1656_HISTORY not in r and AB2052_HISTORY not in r]
    tables["BILL_VERSION_TBL"] = [r for r in tables["BILL_VERSION_TBL"] if not r.startswith(AB1656_VERSION)]
    tables["BILL_VERSION_AUTHORS_TBL"] = [r for r in tables["BILL_VERSION_AUTHORS_TBL"]
                                          if not r.startswith(AB1656_VERSION)]
    tables["BILL_TBL"] = [r.replace(b"`20250AB165697AMD`", b"`20250AB165698AMD`")
                          .replace(b"2026-06-11 20:08:58", b"2026-06-10 18:00:00")
                          if r.startswith(b"`202520260AB1656`") else r for r in tables["BILL_TBL"]]
    lobs = sorted(p.name for p in mini().glob("BILL_VERSION_TBL_*.lob") if p.name != AB1656_LOB)
    return _zip(tables, lobs)


def ab1656_amendment_incremental() -> bytes:
    """pubinfo_Tue.zip: AB 1656's real rows of June 11 (bill row, new history line, new version, its author
    and CAML). The other tables are present and empty, as in an extract with nothing else changed."""
    tables = {t: [r for r in _lines(t) if r.startswith(b"`202520260AB1656`") or r.startswith(AB1656_VERSION)]
              for t in ("BILL_TBL", "BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL")}
    tables["BILL_HISTORY_TBL"] = [r for r in _lines("BILL_HISTORY_TBL") if AB1656_HISTORY in r]
    return _zip(tables, [AB1656_LOB])


def ab2052_incremental_with_a_bad_row() -> bytes:
    """pubinfo_Wed.zip: AB 2052's real missing history row, plus a history row cut short (fields lost in
    transit: the malformed row the merge must report and step over)."""
    good = [r for r in _lines("BILL_HISTORY_TBL") if AB2052_HISTORY in r]
    bad = b"\t".join(good[0].split(b"\t")[:6]) + b"\n"
    return _zip({"BILL_TBL": [], "BILL_HISTORY_TBL": [bad, *good], "BILL_VERSION_TBL": [],
                 "BILL_VERSION_AUTHORS_TBL": []}, [])


def full_archive_without_bill_rows() -> bytes:
    """The complete archive with BILL_TBL.dat empty (a download cut short or published broken): every other
    table still names the session's bills."""
    tables = {t: _lines(t) for t in TABLES}
    tables["BILL_TBL"] = []
    return _zip(tables, sorted(p.name for p in mini().glob("BILL_VERSION_TBL_*.lob")))


def damage_member(archive: bytes, name: str) -> bytes:
    """``archive`` with the deflated bytes of member ``name`` overwritten: the central directory still lists it, so
    the zip opens, and reading that member fails in the decompressor (zlib.error), as a download damaged in
    transit or on the Legislature's side would."""
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo(name)
        assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size > 40
    data = bytearray(archive)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)  # after the local header
    for i in range(start + 5, start + 25):
        data[i] ^= 0xFF
    return bytes(data)
