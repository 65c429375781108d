"""``tracker topics ...``: load, list, try and edit topic rules; re-score; learn from triage.

Also the flagged view behind ``tracker bills list --flagged [--topic T]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.cli_common import EXIT_USAGE
from tracker.cli_common import fail as _fail
from tracker.cli_common import migrated_engine as _engine
from tracker.cli_common import print_json as _print_json
from tracker.terminal import SafeConsole, whole_column

topics_app = typer.Typer(help="Topics and their keyword rules: load, list, test, edit; re-score; learn.",
                         no_args_is_help=True)
out = SafeConsole()
err = SafeConsole(stderr=True)


def _rescore_progress(label: str, *, quiet: bool = False) -> tuple[Progress, Any]:
    progress = Progress(TextColumn(f"[bold]{label}"), BarColumn(), TextColumn("{task.completed}/{task.total} bills"),
                        TimeElapsedColumn(), console=err, transient=True, disable=quiet)
    return progress, progress.add_task(label, total=None)


@topics_app.command("load")
def load_cmd(
    path: Annotated[Path | None, typer.Argument(help="Topics YAML (default: the shipped tracker/topics.yaml).")] = None,
    no_rescore: Annotated[bool, typer.Option("--no-rescore", help="Do not re-score stored bills now.")] = False,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only when no topic exists yet (first run).")] = False,
) -> None:
    """Create or update topics from YAML (matched by slug), then re-score the bills of changed topics."""
    from tracker.matching.topics import TopicError, load_topics
    from tracker.models import Topic

    with Session(_engine(), expire_on_commit=False) as s:
        if if_empty and s.execute(select(Topic.id).limit(1)).first() is not None:
            out.print("topics already loaded; left as they are")
            return
        try:
            report = load_topics(s, path=path, rescore=False)
        except TopicError as exc:
            raise _fail(str(exc)) from None
        s.commit()
        out.print(f"topics: {len(report.created)} created, {len(report.updated)} updated, "
                  f"{len(report.unchanged)} unchanged", highlight=False)
        if report.changed_topic_ids and not no_rescore:
            _rescore(s, report.changed_topic_ids, embed=False)


def _bills(n: int) -> str:
    return f"{n} bill" if n == 1 else f"{n} bills"


def _wait(n: int) -> str:
    return f"{_bills(n)} {'waits' if n == 1 else 'wait'}"


def _rescore(s: Session, topic_ids: list[int] | None, embed: bool) -> Any:
    """Re-score and say what came of it: for an edit of some topics, their flags and the totals, told apart
    (the report counts the rows written, which are one topic's or every topic's depending on the models)."""
    from tracker.matching.queries import flag_counts
    from tracker.models import Topic

    report = _run_rescore(s, topic_ids, embed)
    extra = f", {report.embedded} embedded" if report.embedded else ""
    pending = (f"; {_wait(report.pending_embeddings)} for embeddings (`tracker topics embed`)"
               if report.pending_embeddings else "")
    enabled = set(s.execute(select(Topic.id).where(Topic.enabled)).scalars())
    if topic_ids is None or enabled <= set(topic_ids):
        out.print(f"re-scored {_bills(report.bills)}: {_totals(s)}{extra}{pending}", highlight=False)
        return report
    bills, flags = flag_counts(s, topic_ids)
    names = _topic_names(s, topic_ids)
    mine = (f"{names} flags {bills}" if len(topic_ids) == 1
            else f"they flag {bills} ({flags} topic flags)")
    out.print(f"re-scored {_bills(report.bills)} for {names}: {mine}; {_totals(s)}{extra}{pending}",
              highlight=False, markup=False)
    return report


def _run_rescore(s: Session, topic_ids: list[int] | None, embed: bool) -> Any:
    from tracker.matching import rescore

    progress, task = _rescore_progress("re-scoring")
    with progress:
        return rescore(s, topic_ids=topic_ids, embed=embed,
                       progress=lambda done, total: progress.update(task, completed=done, total=total))


def _totals(s: Session) -> str:
    """Flags over every enabled topic, as stored now."""
    from tracker.matching.queries import flag_counts
    from tracker.models import Topic

    topics = s.execute(select(func.count()).select_from(Topic).where(Topic.enabled)).scalar_one()
    bills, flags = flag_counts(s)
    return f"{bills} flagged, {flags} topic flags over all {topics} topics"


def _topic_names(s: Session, topic_ids: list[int]) -> str:
    from tracker.models import Topic

    if len(topic_ids) > 3:
        return f"{len(topic_ids)} topics"
    return ", ".join(s.execute(select(Topic.slug).where(Topic.id.in_(topic_ids)).order_by(Topic.id)).scalars())


@topics_app.command("list")
def list_cmd(
    rules: Annotated[bool, typer.Option("--rules", help="Show every rule with its id.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Topics and rules as JSON.")] = False,
) -> None:
    """Topics with their thresholds, rule versions and how many bills each flags."""
    from tracker.matching.topics import list_topics

    with Session(_engine()) as s:
        topics = list_topics(s)
    if as_json:
        _print_json(topics)
        return
    if not topics:
        out.print("No topics yet: `tracker topics load` installs the default set.")
        return
    # The slug is what --topic and every topic argument take: whole, whatever the terminal's width.
    table = Table(whole_column("slug", [t["slug"] for t in topics]), "name", "threshold", "rules", "version",
                  "flagged", "enabled")
    for t in topics:
        table.add_row(escape(t["slug"]), escape(t["name"]), f"{t['threshold']:g}", str(len(t["rules"])),
                      str(t["rule_version"]), str(t["flagged_bills"]), "yes" if t["enabled"] else "no")
    out.print(table)
    if rules:
        for t in topics:
            out.print(f"\n[bold]{escape(t['slug'])}[/bold]")
            for r in t["rules"]:
                flags = (" [red]exclude[/red]" if r["exclude"] else "") + ("" if r["enabled"] else " (disabled)")
                out.print(f"  #{r['id']:<5} w={r['weight']:<4g}{flags}  {escape(r['expression'])}", highlight=False)


@topics_app.command("test")
def test_cmd(
    rule: Annotated[str, typer.Argument(help='A rule, e.g. \'"data broker*" OR (personal NEAR/3 data)\'.')],
    limit: Annotated[int, typer.Option(min=1, help="Sample bills to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Result as JSON.")] = False,
) -> None:
    """Try a rule on the stored bills before saving it: hit count and sample titles with evidence."""
    from tracker.matching.engine import quote_marks
    from tracker.matching.topics import RuleRefused, try_rule

    with Session(_engine()) as s:
        try:
            result = try_rule(s, expression=rule, limit=limit)
        except RuleRefused as exc:
            err.print(f"[red]rule refused at position {exc.position}: {escape(exc.error.message)}[/red]")
            err.print(escape(exc.error.pointer()), highlight=False, markup=False)
            raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        _print_json(result)
        return
    by_field = ", ".join(f"{k} {v}" for k, v in result["by_field"].items())
    out.print(f"{result['hits']} of {result['bills']} bills match ({by_field})", highlight=False)
    for sample in result["samples"]:
        out.print(f"  [bold]{escape(sample['bill'])}[/bold]  {escape(sample['title'][:100])}", highlight=False)
        for ev in sample["evidence"][:2]:
            out.print(f"      {escape(ev['field'])}: {escape(quote_marks(ev['snippet']))}", highlight=False)


@topics_app.command("add-rule")
def add_rule_cmd(
    topic: Annotated[str, typer.Argument(help="Topic slug, name or id.")],
    rule: Annotated[str, typer.Argument(help="The rule expression.")],
    weight: Annotated[float, typer.Option(help="Points per hit (times the field weight).")] = 1.0,
    exclude: Annotated[bool, typer.Option("--exclude", help="A hit vetoes the topic.")] = False,
    note: Annotated[str | None, typer.Option(help="Why this rule exists.")] = None,
) -> None:
    """Add a rule to a topic (refused with the error position if it does not parse), then re-score."""
    from tracker.matching.topics import TopicError, add_rule

    with Session(_engine(), expire_on_commit=False) as s:
        try:
            r = add_rule(s, topic=topic, expression=rule, weight=weight, exclude=exclude, note=note, rescore=False)
            s.commit()
        except TopicError as exc:
            raise _fail(str(exc)) from None
        out.print(f"rule #{r.id} added to {topic}", markup=False, highlight=False)
        _rescore(s, [r.topic_id], embed=False)


@topics_app.command("edit-rule")
def edit_rule_cmd(
    rule_id: Annotated[int, typer.Argument(help="Rule id (see `tracker topics list --rules`).")],
    rule: Annotated[str | None, typer.Option("--rule", help="New expression.")] = None,
    weight: Annotated[float | None, typer.Option(help="New weight.")] = None,
    exclude: Annotated[bool | None, typer.Option("--exclude/--include", help="Make it a veto, or not.")] = None,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable", help="Switch it on or off.")] = None,
    note: Annotated[str | None, typer.Option(help="Why this rule exists.")] = None,
) -> None:
    """Change a rule, then re-score."""
    from tracker.matching.topics import TopicError, update_rule

    with Session(_engine(), expire_on_commit=False) as s:
        try:
            r = update_rule(s, rule_id=rule_id, expression=rule, weight=weight, exclude=exclude, enabled=enabled,
                            note=note, rescore=False)
            s.commit()
        except TopicError as exc:
            raise _fail(str(exc)) from None
        _rescore(s, [r.topic_id], embed=False)


@topics_app.command("remove-rule")
def remove_rule_cmd(rule_id: Annotated[int, typer.Argument(help="Rule id.")]) -> None:
    """Delete a rule, then re-score."""
    from tracker.matching.topics import TopicError, remove_rule
    from tracker.models import TopicRule

    with Session(_engine(), expire_on_commit=False) as s:
        existing = s.get(TopicRule, rule_id)
        try:
            remove_rule(s, rule_id=rule_id, rescore=False)
            s.commit()
        except TopicError as exc:
            raise _fail(str(exc)) from None
        assert existing is not None
        _rescore(s, [existing.topic_id], embed=False)


@topics_app.command("set")
def set_cmd(
    topic: Annotated[str, typer.Argument(help="Topic slug, name or id.")],
    threshold: Annotated[float | None, typer.Option(help="Keyword points needed to flag.")] = None,
    enabled: Annotated[bool | None, typer.Option("--enable/--disable", help="Switch the topic on or off.")] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    description: Annotated[str | None, typer.Option(help="What semantic relevance compares bills with.")] = None,
) -> None:
    """Change a topic's threshold, name, description or state, then re-score."""
    from tracker.matching.queries import flag_counts
    from tracker.matching.topics import TopicError, get_topic, update_topic

    with Session(_engine(), expire_on_commit=False) as s:
        try:
            before = get_topic(s, topic)
            was_enabled, flags_before = before.enabled, flag_counts(s, [before.id])[1]
            t = update_topic(s, topic=topic, threshold=threshold, enabled=enabled, name=name,
                             description=description, rescore=False)
            s.commit()
        except TopicError as exc:
            raise _fail(str(exc)) from None
        if was_enabled and not t.enabled:
            # As any edit: the other topics' rows are rewritten when they depend on this one (learned models
            # read every topic's scores, the best-topic rule compares them all); its own rows go.
            report = _run_rescore(s, [t.id], embed=False)
            others = (f"the other topics re-scored on {report.bills} bills (they depend on it)" if report.bills
                      else "no other topic depends on it (keywords alone)")
            out.print(f"{t.slug} disabled: its {flags_before} flags cleared; {others}; {_totals(s)}",
                      highlight=False, markup=False)
        elif not t.enabled:
            # A disabled topic takes no part in scoring: nothing to re-score.
            saved = _changes(threshold=threshold, name=name, description=description)
            what = f"{saved} saved" if saved else "nothing changed"
            out.print(f"{t.slug} is disabled: {what}; it flags nothing until `tracker topics set {t.slug} "
                      f"--enable`", highlight=False, markup=False)
        else:
            if not was_enabled:
                out.print(f"{t.slug} enabled", highlight=False, markup=False)
            _rescore(s, [t.id], embed=False)


def _changes(*, threshold: float | None, name: str | None, description: str | None) -> str:
    parts = [f"threshold {threshold:g}" if threshold is not None else None, "name" if name else None,
             "description" if description is not None else None]
    return ", ".join(p for p in parts if p)


@topics_app.command("rescore")
def rescore_cmd(
    embed: Annotated[bool, typer.Option("--embed", help="Also compute missing embeddings (semantic extra).")] = False,
    topic: Annotated[str | None, typer.Option(help="Only this topic (slug or name).")] = None,
) -> None:
    """Re-score every stored bill against the current rules (and judgements)."""
    from tracker.matching import semantic
    from tracker.matching.topics import TopicError, get_topic

    # TRACKER_SEMANTIC=on without the extra raises SemanticUnavailable: one line and exit 2 (tracker.cli)
    if embed and not semantic.enabled():
        raise _fail(f"--embed: semantic relevance is unavailable: {semantic.why_unavailable()}")
    with Session(_engine(), expire_on_commit=False) as s:
        ids = None
        if topic:
            try:
                ids = [get_topic(s, topic).id]
            except TopicError as exc:
                raise _fail(str(exc)) from None
        _rescore(s, ids, embed=embed)


@topics_app.command("embed")
def embed_cmd(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    if_enabled: Annotated[bool, typer.Option("--if-enabled", help="Do nothing (exit 0) when semantic relevance is "
                                             "switched off or not installed (the scheduler's call).")] = False,
) -> None:
    """Embed the bills stored without an embedding (or changed since), then re-score them.

    `tracker import` and `tracker crawl` do this at the end unless given --no-embed, and the scheduler after each
    crawl; bills ingested in big batches are flagged on keywords first and get their semantic and learned scores
    here."""
    from tracker.matching import semantic

    if not semantic.enabled():
        if if_enabled:
            return
        raise _fail(f"semantic relevance is unavailable: {semantic.why_unavailable()}")
    with Session(_engine(), expire_on_commit=False) as s:
        if not _any_enabled_topic(s):  # bills are embedded to be compared with topics
            out.print(NO_ENABLED_TOPICS, highlight=False)
        elif not _embed_pending(s, quiet=quiet).bills:
            out.print("every bill has an up-to-date embedding", highlight=False)


def _embed_pending(s: Session, *, quiet: bool) -> Any:
    from tracker.matching.store import embed_pending

    progress, task = _rescore_progress("embedding", quiet=quiet)

    def on_progress(done: int, total: int) -> None:
        if done == 0 and total:
            out.print(f"embedding {_bills(total)} stored without an embedding or changed since ...",
                      highlight=False)
        progress.update(task, completed=done, total=total)

    with progress:
        report = embed_pending(s, progress=on_progress)
    if report.bills:
        # A bill corrected by --reparse is checked again, but embedded again only if its text moved.
        kept = report.bills - report.embedded
        same = f" ({kept} whose text had not changed kept theirs)" if kept else ""
        out.print(f"embedded {_bills(report.embedded)}{same} and re-scored {report.bills}: {report.flagged_bills} "
                  f"flagged, {report.flags} topic flags", highlight=False)
    return report


NO_ENABLED_TOPICS = ("Nothing flagged: no topic is enabled (`tracker topics load` installs the default set; "
                     "`tracker topics list` shows the topics).")


def _any_enabled_topic(s: Session) -> bool:
    from tracker.models import Topic

    return s.execute(select(Topic.id).where(Topic.enabled).limit(1)).first() is not None


def catch_up_embeddings(engine: Any, *, embed: bool, quiet: bool = False) -> int:
    """The end of ``tracker import`` and ``tracker crawl``: embed the bills they stored in batches too big to
    embed inline, so semantic relevance and learned models speak for them too; with ``embed`` False only say
    how many wait. Returns an exit code: 0, or 1 when the catch-up failed. The bills are committed and flagged
    on keywords already, so a failure loses nothing: it is one error line naming the command that retries."""
    from tracker.matching import semantic
    from tracker.matching.store import pending_embedding_ids

    try:
        with Session(engine, expire_on_commit=False) as s:
            if not _any_enabled_topic(s):
                out.print(NO_ENABLED_TOPICS, highlight=False)
                return 0
            if not semantic.enabled():
                return 0
            if embed:
                _embed_pending(s, quiet=quiet)
            elif waiting := len(pending_embedding_ids(s)):
                out.print(f"{_wait(waiting)} for embeddings: run `tracker topics embed`", highlight=False)
    except Exception as exc:  # noqa: BLE001  (what was imported stays; the embeddings are redone on retry)
        from tracker.cli_common import EXIT_PARTIAL
        from tracker.importer import describe_error

        err.print(f"embedding the stored bills failed ({describe_error(exc)}); they are stored and flagged "
                  f"on keywords: run `tracker topics embed` to retry", markup=False, highlight=False)
        return EXIT_PARTIAL
    return 0


@topics_app.command("learn")
def learn_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Models and their measurements as JSON.")] = False,
    no_rescore: Annotated[bool, typer.Option("--no-rescore", help="Train only.")] = False,
    if_changed: Annotated[bool, typer.Option(
        "--if-changed", help="Only when the judgements changed since every bill was last scored: train if they "
        "changed since the last training, then re-score every bill (the scheduler's nightly job).")] = False,
) -> None:
    """Learn from staff judgements (triage relevance) now, show how the models measure, re-score."""
    from tracker.matching.training import ensure_models, scores_behind_judgements, scoring_scopes

    with Session(_engine(), expire_on_commit=False) as s:
        behind = scores_behind_judgements(s) if if_changed else None
        if if_changed and behind is None:
            if as_json:
                _print_json({"behind": None, "rescored": None})
            else:
                out.print("every bill was scored from the current judgements; nothing to do", highlight=False)
            return
        if behind and not as_json:
            out.print(f"re-scoring: {behind}", markup=False, highlight=False)
        report = ensure_models(s, force=not if_changed)
        s.commit()
        scopes = scoring_scopes(s)
        if not as_json:
            out.print(f"{report.judgements} judgements", highlight=False)
            if report.skipped:
                out.print(report.skipped, markup=False, highlight=False)
            _print_models(report.models, scopes)
        rescored = None
        if not no_rescore:
            # With --json the re-score is quiet: standard output stays one JSON document.
            rescored = (_run_rescore(s, None, embed=False) if as_json else _rescore(s, None, embed=False)).bills
        if as_json:
            _print_json({"judgements": report.judgements, "skipped": report.skipped, "models": report.models,
                         "scoring": scopes, "behind": behind, "rescored": rescored})


def _print_models(models: list[dict[str, Any]], scopes: dict[str, str | None]) -> None:
    """The models and, per model, the topics it scores: a topic whose own model lost to the rules is scored by
    the organisation-wide model when that one is in use, so its flags move too (tracker.matching.training)."""
    if not models:
        return
    from tracker.matching.learning import ORG_SCOPE

    table = Table("scope", "features", "relevant", "not relevant", "cv F1", "keyword F1", "in use", "scores")
    for m in models:
        table.add_row(escape(m["scope"]), m["features"], str(m["positives"]), str(m["negatives"]),
                      "-" if m["cv_f1"] is None else f"{m['cv_f1']:.3f}",
                      "-" if m["keyword_f1"] is None else f"{m['keyword_f1']:.3f}",
                      _in_use(m, scopes), escape(_scored_topics(m["scope"], scopes)))
    out.print(table)
    by_org = [slug for slug, scope in scopes.items() if scope == ORG_SCOPE]
    if by_org:
        from tracker.matching.store import Params

        out.print(f"The organisation-wide model (scope *) scores {len(by_org)} of {len(scopes)} topics (every topic "
                  f"without a model of its own in use): it may lower a flag their rules raise, and adds a bill they "
                  f"do not flag only at p >= {Params.from_settings().promote_threshold:g}.", highlight=False)
    elif not any(scopes.values()):
        out.print("No model is in use yet: the judgements move no flag.", highlight=False)


def _in_use(model: dict[str, Any], scopes: dict[str, str | None]) -> str:
    from tracker.matching.learning import ORG_SCOPE

    if model["active"]:
        return "yes"
    if model["scope"] != ORG_SCOPE and scopes.get(model["scope"]) == ORG_SCOPE:
        return "no: org-wide model instead"  # it lost to the rules, but the topic's flags still move
    return "no (rules do better so far)"


def _scored_topics(scope: str, scopes: dict[str, str | None]) -> str:
    """The topics this model scores: all of them, some (named), or none."""
    mine = [slug for slug, s in scopes.items() if s == scope]
    if not mine:
        return "-"
    if len(mine) == len(scopes) and len(mine) > 1:
        return f"all {len(mine)} topics"
    return ", ".join(mine)


# -- bills list --flagged -----------------------------------------------------------------------------------

def print_flagged(flt: Any, *, topic: str | None, limit: int | None, as_json: bool) -> None:
    """``tracker bills list --flagged``: flagged bills with topics, scores and evidence."""
    from tracker.matching.queries import count_flagged, list_flagged
    from tracker.matching.topics import TopicError, resolve_topic
    from tracker.references import bill_reference

    with Session(_engine()) as s:
        if topic:
            try:
                topic = resolve_topic(s, topic).slug
            except TopicError as exc:
                raise _fail(str(exc)) from None
        if as_json:
            _print_json(list_flagged(s, flt, topic=topic, limit=limit))
            return
        shown = limit or 50
        rows, total = list_flagged(s, flt, topic=topic, limit=shown), count_flagged(s, flt, topic=topic)
    table = Table("id", "bill", "topics (score)", "matched terms", "title")
    for b in rows:
        topics = ", ".join(f"{t['topic']} ({t['score']:.2f})" for t in b["topics"])
        terms = list(dict.fromkeys(term for t in b["topics"] for term in t["matched_terms"]))
        ref = bill_reference(b["jurisdiction"], b["session"], b["identifier"], compact=True)
        table.add_row(str(b["id"]), escape(ref), escape(topics),
                      escape(", ".join(terms[:6])), escape(b["title"][:70]))
    out.print(table)
    out.print(f"{len(rows)} of {total} flagged bills shown.")
