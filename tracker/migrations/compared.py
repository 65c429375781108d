"""Which objects of a migrated database Alembic compares with the models (``env.py``'s ``include_name``), so
that the test of the migrations against the models (tests/tracker/test_models_schema.py) leaves out the same."""


def compared(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    # APScheduler creates and owns its job store table (tracker schedule): autogenerate must not drop it.
    if type_ == "table" and name == "apscheduler_jobs":
        return False
    # Full-text search (0003) lives outside the models: SQLite's FTS5 tables, PostgreSQL's indexes and text parts
    # (bill_fts_part, 0034: the parts of long summaries).
    if type_ == "table" and (name or "").startswith("bill_fts"):
        return False
    if type_ == "table" and name == "billversion_fts_part":  # PostgreSQL's parts of version texts (0033)
        return False
    if type_ == "column" and name == "search_doc":  # PostgreSQL's generated tsvector on bill
        return False
    # Expression indexes, which autogenerate cannot compare: search (0003) and the bill number's compact form (0017).
    return not (type_ == "index" and name in ("ix_bill_fts", "ix_billversion_fts", "ix_bill_number_key"))
