"""California Legislature ``pubinfo`` database download (downloads.leginfo.legislature.ca.gov) -> ``BillRecord``.

A download (the weekly ``pubinfo_{YYYY}.zip``, a nightly ``pubinfo_daily_{Day}.zip`` or an incremental
``pubinfo_{Day}.zip``) is a set of MySQL ``LOAD DATA`` tables, ``{TABLE}.dat``, with large objects beside them
as ``{TABLE}_{n}.lob``. A bill is spread over five tables (bill, history, versions, version authors, and the
vote summaries where shipped), and its text is in the CAML ``MeasureDoc`` XML of each version's ``.lob``.
``parse_tables`` joins them and yields one record per ``BILL_TBL`` row; nothing here reads the network or the
database. An incremental archive carries only the rows that changed, so it is not joined on its own: its rows
are merged over those staged from earlier archives (``tracker.pubinfo_staging``, keyed by ``ROW_KEYS``) and the
bills it touches are joined from the staged rows by the same ``join_rows``.

Identity (see ``tracker.sources.states``): jurisdiction ``ca``; session ``20252026`` (``20252026s1`` for the
first extraordinary session); identifier ``SB 275``; source key pubinfo's own ``bill_id`` (``202520260SB275``).
"""

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

from lxml import etree
from pydantic import ValidationError

from tracker.models.enums import Chamber, SponsorshipKind, Stage
from tracker.records import BillRecord, ParseError
from tracker.sources import states
from tracker.sources.ca_pubinfo_votes import (
    COMMITTEE_HEARING_COLUMNS,
    DETAIL_VOTE_COLUMNS,
    DETAIL_VOTE_MIN_COLUMNS,
    LOCATION_CODE_COLUMNS,
    MOTION_COLUMNS,
    Places,
    bill_hearings,
    bill_votes,
    location_names,
    place,
)
from tracker.sources.govinfo_billstatus import _describe
from tracker.stages import ActionRule, Step, classify, derive_stage
from tracker.xmlsafe import parse_xml

__all__ = ["CA_RULES", "ROW_KEYS", "SOURCE_NAME", "TABLE_COLUMNS", "join_rows", "newest_daily",
           "parse_directory_index", "parse_tables", "read_dat", "read_table", "read_tables", "row_bill", "row_key",
           "version_text"]

SOURCE_NAME = "ca_pubinfo"
# Bump it with any change that reads the same bytes into a different bill: stored bills an older
# version read are then named, with what reads them again (tracker.sources.reading).
# Covers ca_pubinfo_votes and ca_pubinfo_updates too.
READING_VERSION = 1
LEGINFO = "https://leginfo.legislature.ca.gov/faces/"

# Columns in file order (capublic.sql; counts checked against the real .dat samples).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "BILL_TBL": ("bill_id", "session_year", "session_num", "measure_type", "measure_num", "measure_state",
                 "chapter_year", "chapter_type", "chapter_session_num", "chapter_num", "latest_bill_version_id",
                 "active_flg", "trans_uid", "trans_update", "current_location", "current_secondary_loc",
                 "current_house", "current_status", "days_31st_in_print"),
    "BILL_HISTORY_TBL": ("bill_id", "bill_history_id", "action_date", "action", "trans_uid", "trans_update",
                         "action_sequence", "action_code", "action_status", "primary_location",
                         "secondary_location", "ternary_location", "end_status"),
    "BILL_VERSION_TBL": ("bill_version_id", "bill_id", "version_num", "action_date", "action", "request_num",
                         "subject", "vote_required", "appropriation", "fiscal_committee", "local_program",
                         "substantive_changes", "urgency", "tax_levy", "lob_file", "active_flg", "trans_uid",
                         "trans_update"),
    "BILL_VERSION_AUTHORS_TBL": ("bill_version_id", "type", "house", "name", "contribution",
                                 "committee_members", "active_flg", "trans_uid", "trans_update",
                                 "primary_author_flg"),
    # Only the leading columns are read; the table has grown trailing ones over the years (15 in 1999 files).
    "BILL_SUMMARY_VOTE_TBL": ("bill_id", "location_code", "vote_date_time", "vote_date_seq", "motion_id",
                              "ayes", "noes", "abstain", "vote_result"),
    "BILL_DETAIL_VOTE_TBL": DETAIL_VOTE_COLUMNS,  # votes and hearings: tracker.sources.ca_pubinfo_votes
    "COMMITTEE_HEARING_TBL": COMMITTEE_HEARING_COLUMNS,
    # A reference table (no bill id): each session's committees and floors by location code, the names the bill
    # tables' codes stand for. In the weekly pubinfo_{YYYY}.zip; the nightly daily snapshots leave it out.
    "LOCATION_CODE_TBL": LOCATION_CODE_COLUMNS,
    # A reference table for every session: each roll call's motion wording by motion_id.
    "BILL_MOTION_TBL": MOTION_COLUMNS,
}
_MIN_COLUMNS = {"BILL_SUMMARY_VOTE_TBL": 9, "BILL_DETAIL_VOTE_TBL": DETAIL_VOTE_MIN_COLUMNS,
                "LOCATION_CODE_TBL": 9}
# Rows of a reference table belong to no bill: they are staged under this prefix and their session years
# ("L20252026"; the motions, which name no session, as "LMOTIONS"), so a full load that ships the table replaces
# them and one that does not keeps them.
REFERENCE_PREFIX = "L"
MOTIONS_KEY = f"{REFERENCE_PREFIX}MOTIONS"


def reference_keys(bill_ids: Iterable[str]) -> list[str]:
    """The staging keys of the committee names a rebuild of these bills reads (their sessions')."""
    return sorted({f"{REFERENCE_PREFIX}{bill[:8]}" for bill in bill_ids})

# The columns that identify a row, for merging an incremental archive over the rows already held ("REPLACE",
# FORMATS.md section 5). From capublic.sql: BILL_TBL and BILL_VERSION_TBL have primary keys; the others have
# none, so the Legislature's own duplicate-check indexes are used where it has one (the vote tables), the
# history row's own id for BILL_HISTORY_TBL (unique in every sample), and version + type + house + name for an
# author row (what tells two authors of one version apart).
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "BILL_TBL": ("bill_id",),
    "BILL_HISTORY_TBL": ("bill_history_id",),
    "BILL_VERSION_TBL": ("bill_version_id",),
    "BILL_VERSION_AUTHORS_TBL": ("bill_version_id", "type", "house", "name"),
    "BILL_SUMMARY_VOTE_TBL": ("bill_id", "motion_id", "vote_date_time", "vote_date_seq", "location_code"),
    "BILL_DETAIL_VOTE_TBL": ("bill_id", "vote_date_time", "location_code", "motion_id", "legislator_name",
                             "vote_date_seq"),
    "COMMITTEE_HEARING_TBL": ("bill_id", "location_code", "hearing_date"),  # a bill, a committee, a day
    "LOCATION_CODE_TBL": ("session_year", "location_code"),
    "BILL_MOTION_TBL": ("motion_id",),
}
_HISTORY_FALLBACK = ("bill_id", "action_sequence", "action_date")  # history rows from before the id existed
_VERSION_ID = re.compile(r"^(\d{4})(\d)([A-Z]+)(\d+)\d\d[A-Z]+$")


def row_key(table: str, row: Mapping[str, str | None]) -> str | None:
    """A row's identity within its table (``ROW_KEYS``), or None when the identifying columns are empty."""
    columns = ROW_KEYS.get(table) or tuple(c for c in TABLE_COLUMNS[table] if c not in ("trans_uid",
                                                                                           "trans_update"))
    if table == "BILL_HISTORY_TBL" and not row.get("bill_history_id"):
        columns = _HISTORY_FALLBACK
    values = [row.get(c) or "" for c in columns]
    if not values[0]:
        return None
    return "|".join(values)


def row_bill(table: str, row: Mapping[str, str | None], version_bills: Mapping[str, str] | None = None) -> str | None:
    """The ``bill_id`` a row belongs to. Author rows name only their version: the version row's bill when
    known, else the bill spelled from the version id (``20250AB83199INT`` -> ``202520260AB831``: session start
    year, session number, type, number, then two digits of version number and the version's state)."""
    if "bill_id" in TABLE_COLUMNS[table]:
        return row.get("bill_id") or None
    if table == "LOCATION_CODE_TBL":
        return f"{REFERENCE_PREFIX}{row['session_year']}" if row.get("session_year") else None
    if table == "BILL_MOTION_TBL":
        return MOTIONS_KEY
    version = row.get("bill_version_id") or ""
    if version_bills and version in version_bills:
        return version_bills[version]
    found = _VERSION_ID.match(version)
    if not found:
        return None
    year, special, kind, number = found.groups()
    return f"{year}{int(year) + 1}{special}{kind}{number}"

# measure type -> (classification, origin chamber). Assembly = lower house, Senate = upper house.
MEASURE_TYPES: dict[str, tuple[str, Chamber]] = {
    "AB": ("bill", Chamber.lower), "SB": ("bill", Chamber.upper),
    "ACA": ("constitutional amendment", Chamber.lower), "SCA": ("constitutional amendment", Chamber.upper),
    "ACR": ("concurrent resolution", Chamber.lower), "SCR": ("concurrent resolution", Chamber.upper),
    "AJR": ("joint resolution", Chamber.lower), "SJR": ("joint resolution", Chamber.upper),
    "HR": ("resolution", Chamber.lower), "SR": ("resolution", Chamber.upper),
}
_HOUSES = {"assembly": Chamber.lower, "senate": Chamber.upper}

# The clerks' history lines carry numeric action codes that are undocumented and reused across years, so
# California actions are classified by their text alone (wording checked against the 1999 and 2025 samples).
CA_RULES: tuple[ActionRule, ...] = (
    ActionRule("introduction", pattern=r"^introduced\b"),
    ActionRule("reading-1", pattern=r"\bread first time\b"),
    ActionRule("referral-committee", pattern=r"\b(?:re-)?referred to coms?\.|\bto coms?\. on\b"),
    ActionRule("committee-passage-favorable", pattern=r"^from committee:.*\bdo pass\b"),
    ActionRule("committee-failure", pattern=r"\bfailed passage in committee\b"),
    ActionRule("passage", pattern=r"\bread third time[,.]?\s+(?:urgency clause adopted\.\s+)?passed\b"
                                  r"|\bread and adopted\b|^adopted and to (?:assembly|senate)\b"),
    ActionRule("failure", pattern=r"\bread third time\.?\s+failed\b|^died\b|\bdied pursuant to\b"
                                  r"|^(?:from committee: )?filed with the chief clerk pursuant to joint rule 56"),
    ActionRule("concurrence", pattern=r"(?<!from committee: that the )\bamendments concurred in\b"
                                      r"|\bconcurs in (?:assembly|senate) amendments\b"),
    ActionRule("executive-receipt", pattern=r"\bto (?:the )?governor at\b|\bpresented to the governor\b"),
    ActionRule("executive-signature", pattern=r"^approved by (?:the )?governor\b"),
    ActionRule("executive-veto", pattern=r"^vetoed by (?:the )?governor\b"),
    ActionRule("became-law", pattern=r"^chaptered by (?:the )?secretary of state\b"),
    ActionRule("withdrawal", pattern=r"\bwithdrawn from\b.*\bat the request of\b"),
)
_GOVERNOR = re.compile(r"\bgovernor\b|secretary of state", re.IGNORECASE)


# --- the .dat encoding ----------------------------------------------------------------------------------------

# "\0" (NUL) is read as nothing: PostgreSQL's text cannot hold one (the bill failed to store there) where SQLite
# stores it, and no row means anything by one.
_ESCAPES = {ord("n"): "\n", ord("t"): "\t", ord("r"): "\r", ord("0"): "", ord("\\"): "\\", ord("`"): "`",
            ord("Z"): "\x1a"}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # legacy rows: Latin-1 is the observed fallback
        return raw.decode("latin-1")


def _unescape(raw: bytes) -> str:
    text = _decode(raw)
    if "\x00" in text:  # a raw NUL byte: as "\0" above
        text = text.replace("\x00", "")
    if "\\" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(_ESCAPES.get(ord(nxt), nxt))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def read_dat(data: bytes, locator: str) -> Iterator[tuple[int, list[str | None]]]:
    """Rows of one ``.dat`` file as ``(line number, fields)``; ``None`` is SQL NULL.

    Strings are enclosed in backticks and may hold tabs and newlines (escaped or not); a closing backtick counts
    only before a tab, a line end or the end of the file; bare ``NULL`` and ``\\N`` are NULL.
    """
    pos, size, line = 0, len(data), 1
    fields: list[str | None] = []
    row_line = 1
    while pos < size:
        if data[pos] == 0x60:  # a backtick-quoted string
            end = pos + 1
            while True:
                end = data.find(b"`", end)
                if end == -1:
                    raise ParseError(locator, f"line {row_line}: unterminated backtick string")
                backslashes = 0
                while data[end - 1 - backslashes] == 0x5C and end - 1 - backslashes > pos:
                    backslashes += 1
                if backslashes % 2 == 0 and (end + 1 >= size or data[end + 1] in (0x09, 0x0A, 0x0D)):
                    break
                end += 1
            raw = data[pos + 1:end]
            line += raw.count(b"\n")
            fields.append(_unescape(raw))
            pos = end + 1
        else:
            end = pos
            while end < size and data[end] not in (0x09, 0x0A):
                end += 1
            raw = data[pos:end].rstrip(b"\r")
            fields.append(None if raw in (b"NULL", b"\\N") else _unescape(raw))
            pos = end
        if pos >= size or data[pos] == 0x0A:
            if fields != [""]:  # a blank line
                yield row_line, fields
            fields = []
            pos += 1
            line += 1
            row_line = line
        elif data[pos] == 0x09:
            pos += 1
            if pos >= size:
                fields.append("")
        elif data[pos] == 0x0D:
            pos += 1
    if fields and fields != [""]:
        yield row_line, fields


def read_table(table: str, data: bytes, locator: str,
               errors: list[tuple[str, str]] | None = None) -> list[dict[str, str | None]]:
    """A table's rows as dicts. A row with the wrong number of fields is reported in ``errors`` (or raises)."""
    columns = TABLE_COLUMNS[table]
    minimum = _MIN_COLUMNS.get(table, len(columns))
    rows = []
    for line, fields in read_dat(data, locator):
        if len(fields) < minimum or (table not in _MIN_COLUMNS and len(fields) != len(columns)):
            problem = (f"{locator}:{line}", f"{table} row has {len(fields)} fields, expected {len(columns)}")
            if errors is None:
                raise ParseError(*problem)
            errors.append(problem)
            continue
        rows.append(dict(zip(columns, fields, strict=False)))
    return rows


# --- CAML -----------------------------------------------------------------------------------------------------

CAML = "http://lc.ca.gov/legalservices/schemas/caml.1#"
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLOCKS = frozenset({"p", "BillSection", "Preamble", "Content", "Num", "ActionLine", "Fragment", "h1", "h2",
                     "li", "tr", "Para", "Subdivision"})


def _inline(text: str) -> str:
    # A line end inside a paragraph is the file's wrapping, not the Legislature's: only blocks break lines.
    return text.replace("\r", " ").replace("\n", " ")


def _block_text(element: Any) -> str:
    parts: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node.tag, str):  # comments, processing instructions (amendment marks)
            return
        local = etree.QName(node).localname
        if local in _BLOCKS:
            parts.append("\n")
        if local == "span" and (node.get("class") or "").endswith("Space"):
            parts.append(" ")  # <span class="EnSpace"/>: the space between "(a)" and its words
        if node.text:
            parts.append(_inline(node.text))
        for child in node:
            walk(child)
            if child.tail:
                parts.append(_inline(child.tail))
        if local in _BLOCKS:
            parts.append("\n")

    walk(element)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def version_text(data: bytes, locator: str) -> dict[str, str | None]:
    """Title, digest and bill text of one CAML ``MeasureDoc``."""
    root = parse_xml(data, locator)
    if etree.QName(root).localname != "MeasureDoc":
        raise ParseError(locator, f"root element is <{etree.QName(root).localname}>, expected <caml:MeasureDoc>")
    found = {name: root.find(f".//{{{CAML}}}{name}") for name in ("Title", "DigestText", "Bill", "Resolution")}
    body = found["Bill"] if found["Bill"] is not None else found["Resolution"]  # resolutions: <caml:Resolution>
    return {
        "title": _block_text(found["Title"]) if found["Title"] is not None else None,
        "digest": _block_text(found["DigestText"]) if found["DigestText"] is not None else None,
        "text": _block_text(body) if body is not None else None,
    }


# --- the bills ------------------------------------------------------------------------------------------------

def parse_tables(tables: Mapping[str, bytes], read_lob: Callable[[str], bytes | None],
                 locator: str) -> Iterator[BillRecord | ParseError]:
    """One record (or the reason it could not be made) per ``BILL_TBL`` row of a download.

    ``tables`` maps table names (``BILL_TBL``...) to ``.dat`` bytes; tables the download lacks are simply
    absent. ``read_lob`` returns a ``.lob`` file's bytes by name, or None when it is not in the download.
    Problems that cost only part of a bill (a bad row, an unreadable ``.lob``) are yielded as ``ParseError``
    too, and the bill goes on without that part.
    """
    if "BILL_TBL" not in tables:
        raise ParseError(locator, "no BILL_TBL.dat in the download")
    errors: list[tuple[str, str]] = []
    rows = read_tables(tables, locator, errors)
    for where, reason in errors:
        yield ParseError(where, reason)
    yield from join_rows(rows, read_lob, locator)


# A download's members are read whole into memory, at the sizes its directory declares (zipfile reads no more
# than that, and a member that unpacks to more fails its CRC). A hostile or broken archive of a few megabytes
# could declare members of hundreds of gigabytes (a zip bomb: zeros deflate about 1,000 to 1) and take the
# crawler's or the importer's memory with it; such a member is refused unread. A bill version's CAML is held to
# the limit of any other bill document (tracker.importer.MAX_DOCUMENT_BYTES, 64 MiB: the largest real bill comes
# nowhere near), and the tables together to twice the largest download the crawler takes (PUBINFO_MAX_BYTES,
# 2 GiB): text tables deflate some 5 to 10 to 1, and a whole session's tables are a few hundred megabytes.
MAX_LOB_BYTES = 64 * 1024 ** 2
MAX_TABLES_BYTES = 4 * 1024 ** 3


def zip_tables(archive: zipfile.ZipFile, *, max_tables_bytes: int = MAX_TABLES_BYTES,
               max_lob_bytes: int = MAX_LOB_BYTES) -> tuple[dict[str, bytes], Callable[[str], bytes | None]]:
    """A pubinfo zip's tables (``{TABLE}.dat`` by table name) and the reader of its ``.lob`` members. Members are
    found by base name: some downloads keep them in a folder. BadZipFile for tables that together would unpack to
    more than ``max_tables_bytes``, or a ``.lob`` to more than ``max_lob_bytes``, before a byte of it is read."""
    members = {PurePosixPath(i.filename).name: i for i in archive.infolist() if not i.filename.endswith("/")}

    def read(name: str) -> bytes:
        try:
            return archive.read(members[name])
        except zipfile.BadZipFile:
            raise
        # zipfile lets through what its decompressors raise on a damaged member (zlib.error, LZMAError), RuntimeError
        # for an encrypted one, NotImplementedError for an unknown compression method: each is the archive's damage,
        # reported as such (with the member's name) by the crawler and `tracker import`, instead of escaping as a
        # crash that left the run looking successful.
        except Exception as exc:  # noqa: BLE001
            raise zipfile.BadZipFile(f"member {name} is damaged: {type(exc).__name__}: {exc}") from None

    wanted = [t for t in TABLE_COLUMNS if f"{t}.dat" in members]
    declared = sum(members[f"{t}.dat"].file_size for t in wanted)
    if declared > max_tables_bytes:
        raise zipfile.BadZipFile(f"its tables would unpack to {declared:,} bytes, more than the {max_tables_bytes:,} "
                                 "a real download comes near (a zip bomb?): not read")
    tables = {t: read(f"{t}.dat") for t in wanted}

    def read_lob(name: str) -> bytes | None:
        if name not in members:
            return None
        if (size := members[name].file_size) > max_lob_bytes:
            raise zipfile.BadZipFile(f"member {name} would unpack to {size:,} bytes, more than the {max_lob_bytes:,} "
                                     "any real bill text comes near (a zip bomb?): not read")
        return read(name)

    return tables, read_lob


def read_tables(tables: Mapping[str, bytes], locator: str,
                errors: list[tuple[str, str]]) -> dict[str, list[dict[str, str | None]]]:
    """Every known table of a download as rows; malformed rows go to ``errors`` and are left out."""
    return {name: read_table(name, tables[name], f"{locator}/{name}.dat", errors)
            for name in TABLE_COLUMNS if name in tables}


def join_rows(rows: Mapping[str, list[dict[str, Any]]], read_lob: Callable[[str], bytes | None],
              locator: str) -> Iterator[BillRecord | ParseError]:
    """The join behind ``parse_tables``, on rows already read: from one download, or from the rows staged
    from several (``tracker.pubinfo_staging``), so an incremental archive rebuilds a bill the same way."""
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name in ("BILL_HISTORY_TBL", "BILL_VERSION_TBL", "BILL_SUMMARY_VOTE_TBL", "BILL_DETAIL_VOTE_TBL",
                 "COMMITTEE_HEARING_TBL"):
        for row in rows.get(name, []):
            grouped.setdefault(row["bill_id"] or "", {}).setdefault(name, []).append(row)
    places = location_names(rows.get("LOCATION_CODE_TBL", []))
    motions = {r["motion_id"]: " ".join(r["motion_text"].split()) for r in rows.get("BILL_MOTION_TBL", [])
               if r.get("motion_id") and r.get("motion_text")}
    authors: dict[str, list[dict[str, Any]]] = {}
    for row in rows.get("BILL_VERSION_AUTHORS_TBL", []):
        authors.setdefault(row["bill_version_id"] or "", []).append(row)
    for bill in rows.get("BILL_TBL", []):
        where = f"{locator}/BILL_TBL.dat#{bill['bill_id']}"
        parts = grouped.get(bill["bill_id"] or "", {})
        try:
            payload, problems = _payload(bill, parts, authors, read_lob, where)
            named = places.session(bill["session_year"])
            payload.update(votes=bill_votes(parts, named, motions), calendar=bill_hearings(parts, named),
                           committees=_committees(payload["actions"], named))
            yield from problems
            yield BillRecord.model_validate(payload)
        except ValidationError as exc:
            yield ParseError(where, _describe(exc))
        except ParseError as exc:
            yield exc
        except (KeyError, TypeError, ValueError) as exc:
            yield ParseError(where, f"unexpected structure: {type(exc).__name__}: {exc}")


def _day(value: str | None) -> str | None:
    return value[:10] if value and value[:4] != "0000" else None


def _payload(bill: dict[str, Any], parts: dict[str, list[dict[str, Any]]], authors: dict[str, list[dict[str, Any]]],
             read_lob: Callable[[str], bytes | None], where: str) -> tuple[dict[str, Any], list[ParseError]]:
    problems: list[ParseError] = []
    measure_type = (bill["measure_type"] or "").upper()
    if measure_type not in MEASURE_TYPES:
        raise ParseError(where, f"unknown measure_type {bill['measure_type']!r}")
    number = (bill["measure_num"] or "").strip()
    if not number.isdigit():
        raise ParseError(where, f"invalid measure_num {bill['measure_num']!r}")
    years = bill["session_year"] or ""
    if not re.fullmatch(r"\d{8}", years):
        raise ParseError(where, f"invalid session_year {years!r}")
    special = int(bill["session_num"] or 0)
    classification, origin = MEASURE_TYPES[measure_type]
    identifier, _, number = states.normalize_identifier(f"{measure_type} {number}") or ("", "", "")

    history = sorted(parts.get("BILL_HISTORY_TBL", []),
                     key=lambda r: (r["action_date"] or "", int(r["action_sequence"] or 0),
                                    int(r["bill_history_id"] or 0)))
    actions = []
    for row in history:
        text = " ".join((row["action"] or "").split())
        if not text:
            continue
        actor = Chamber.executive if _GOVERNOR.search(text) and re.match(
            r"^(?:approved|vetoed|chaptered)", text, re.IGNORECASE) else _HOUSES.get(
            (row["primary_location"] or "").lower())
        actions.append({"date": _day(row["action_date"]), "text": text, "actor": actor,
                        "action_code": row["action_code"], "action_type": row["end_status"],
                        "classification": classify(None, text, CA_RULES),
                        "committees": [row["ternary_location"]] if (row["secondary_location"] or "").lower()
                        == "committee" and row["ternary_location"] else []})
    stage = derive_stage((Step(a["actor"], a["classification"]) for a in actions), origin, classification)
    if bill["chapter_num"] and stage != Stage.enacted:
        # A chapter number is the Secretary of State's record of enactment; archive rows may lack the history.
        stage = Stage.enacted

    versions_rows = sorted(parts.get("BILL_VERSION_TBL", []), key=lambda r: -int(r["version_num"] or 0))
    versions = []
    latest_caml: dict[str, str | None] = {}
    latest_is_set = False
    latest_id = bill["latest_bill_version_id"]
    for row in versions_rows:  # oldest first: version numbers count down from 99
        vid = row["bill_version_id"]
        text = caml = None
        if row["lob_file"]:
            data = read_lob(row["lob_file"])
            if data is None:
                problems.append(ParseError(where, f"{row['lob_file']} (version {vid}) is not in the download"))
            else:
                try:
                    caml = version_text(data, f"{where}/{row['lob_file']}")
                    text = caml["text"]
                except ParseError as exc:
                    problems.append(exc)
        if caml is not None and (vid == latest_id or not latest_is_set):
            latest_caml, latest_is_set = caml, vid == latest_id
        found = re.search(r"[A-Z]+$", vid or "")
        state = found.group(0) if found else ""
        versions.append({
            "label": row["action"] or state or "Version", "code": state.lower() or None,
            "date": _day(row["action_date"]), "format": "xml", "text": text,
            "url": f"{LEGINFO}billTextClient.xhtml?bill_id={bill['bill_id']}&version={vid}",
        })
    latest_row = next((r for r in versions_rows if r["bill_version_id"] == latest_id),
                      versions_rows[-1] if versions_rows else None)
    title = (latest_row or {}).get("subject") or latest_caml.get("title")
    if not title:
        raise ParseError(where, "no title: no BILL_VERSION_TBL subject nor CAML <Title> for the bill")

    sponsorships = []
    for row in authors.get(latest_id or "", []) if latest_id else []:
        if (row["active_flg"] or "Y") != "Y" or not row["name"]:
            continue
        lead = (row["primary_author_flg"] or "") == "Y" or (row["contribution"] or "") == "LEAD_AUTHOR"
        sponsorships.append({"name": row["name"], "kind": SponsorshipKind.primary if lead
                             else SponsorshipKind.cosponsor,
                             "district": None, "party": None,
                             "state": "CA", "person_id": None})

    latest = actions[-1] if actions else None
    # Each once: a chaptered bill's current_status and measure_state are both "Chaptered".
    status = " / ".join(dict.fromkeys(p for p in (bill["current_status"], bill["measure_state"]) if p)) or None
    return {
        "jurisdiction": states.state_jurisdiction("ca"),
        "session": {"identifier": states.session_from_years(int(years[:4]), int(years[4:]), special),
                    "name": states.session_name_from_years(int(years[:4]), int(years[4:]), special, state="ca"),
                    "start_date": dt.date(int(years[:4]), 1, 1) if not special else None,
                    "end_date": dt.date(int(years[4:]), 12, 31) if not special else None},
        "identifier": identifier,
        "bill_type": measure_type,
        "number": number,
        "classification": classification,
        "origin_chamber": origin,
        "title": title,
        "summary_text": latest_caml.get("digest"),
        "status_text": status,
        "stage": stage,
        "introduced_date": next((a["date"] for a in actions if "introduction" in a["classification"]),
                                versions[0]["date"] if versions else None),
        "latest_action_date": latest["date"] if latest else None,
        "latest_action_text": latest["text"] if latest else None,
        "upstream_updated_at": bill["trans_update"],
        "source_name": SOURCE_NAME,
        "source_key": bill["bill_id"],
        "source_urls": [f"{LEGINFO}billNavClient.xhtml?bill_id={bill['bill_id']}"],
        "actions": actions,
        "sponsorships": sponsorships,
        "versions": versions,
    }, problems


def _committees(actions: list[dict[str, Any]], places: Places) -> list[dict[str, Any]]:
    """The committees the bill was in, named from ``LOCATION_CODE_TBL`` (none without it: a code alone names no
    committee a reader knows), each with what it did, read from the history. A history row's committee code is
    where the bill is after that action: a new code is a referral ("Referred to", "Re-referred to" when the bill
    was there before); the committee the bill leaves "From committee" reported it ("Withdrawn from committee":
    discharged); "In committee: ..." lines are the committee's own (suspense file, hearing canceled)."""
    found: dict[str, dict[str, Any]] = {}
    current: str | None = None
    previous: tuple[str | None, Any] = (None, None)  # the committee before ``current``, and the day it was left
    for action in actions:
        code = (action["committees"] or [None])[0]
        text, day = action["text"], action["date"]
        lower = text.lower()
        if re.match(r"from committee|withdrawn from committee", lower):
            # The committee left: the one held until now, or, when another line of the day moved the bill on
            # already (SB 275: "Coauthors revised." listed before the report), the one held before it.
            left = current if code != current else previous[0] if previous[1] == day else None
            if left in found:
                found[left]["activities"].append(
                    {"name": "Discharged from" if lower.startswith("withdrawn") else "Reported by", "date": day})
        if code and code != current and code in places.names:  # a committee the table names
            entry = found.get(code)
            if entry is None:
                entry = found[code] = {"name": places.names[code], "code": code, "chamber": place(code)[1],
                                       "parent_code": None, "activities": [], "referred_date": day}
            entry["activities"].append({"name": "Re-referred to" if entry["activities"] else "Referred to",
                                        "date": day})
        elif code and code == current and code in found and lower.startswith("in committee:"):
            found[code]["activities"].append({"name": text.split(":", 1)[1].strip().rstrip("."), "date": day})
        if code != current:
            previous = (current, day)
        current = code  # a row in no committee: the bill has left it
    return list(found.values())


# --- the download directory -----------------------------------------------------------------------------------

_INDEX_ROW = re.compile(
    r'<a href="(?P<name>pubinfo_[A-Za-z0-9_]+\.zip)">[^<]*</a>(?:\s*</td>\s*<td[^>]*>)?\s*'
    r"(?P<date>\d{4}-\d{2}-\d{2} \d{2}:\d{2}|\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2})?", re.IGNORECASE)


def parse_directory_index(data: bytes, locator: str) -> dict[str, dt.datetime | None]:
    """The ``pubinfo_*.zip`` files an Apache directory index lists, with their modification times (as the
    index prints them: the server's local time, minute precision; None when the listing shows none)."""
    text = _decode(data)
    if "<a " not in text.lower():
        raise ParseError(locator, "not a directory index (no links)")
    found: dict[str, dt.datetime | None] = {}
    for row in _INDEX_ROW.finditer(text):
        stamp = row.group("date")
        when = None
        if stamp:
            fmt = "%Y-%m-%d %H:%M" if stamp[4] == "-" else "%d-%b-%Y %H:%M"
            when = dt.datetime.strptime(stamp, fmt)
        found[row.group("name")] = when
    return found


def newest_daily(index: Mapping[str, dt.datetime | None]) -> str | None:
    """The most recent full daily snapshot (``pubinfo_daily_{Day}.zip``) the index lists."""
    dailies = [(when, name) for name, when in index.items() if name.startswith("pubinfo_daily_")]
    dated = [d for d in dailies if d[0] is not None]
    if dated:
        return max(dated)[1]  # type: ignore[type-var]
    return dailies[0][1] if dailies else None
