"""The notes thread on a bill: staff and council members comment; authors (or admins) may delete their own."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from tracker.models import Bill, Note, User
from tracker.permissions import Action, can, owns, require, require_owner

MAX_NOTE_CHARS = 20_000


class NoteError(ValueError):
    pass


def add_note(session: Session, *, actor: User, bill_id: int, body: str) -> Note:
    require(actor, Action.comment)
    body = (body or "").strip()
    if not body:
        raise NoteError("A note needs some text.")
    if len(body) > MAX_NOTE_CHARS:
        raise NoteError(f"Notes are limited to {MAX_NOTE_CHARS:,} characters.")
    if session.get(Bill, bill_id) is None:
        raise NoteError(f"No bill with id {bill_id}.")
    note = Note(bill_id=bill_id, author_id=actor.id, body=body)
    session.add(note)
    session.flush()
    return note


def may_delete(actor: User, *, author_id: int | None) -> bool:
    """Whether ``delete_note`` lets the actor delete a note by ``author_id`` (for showing the button)."""
    return can(actor, Action.comment) and owns(actor, author_id)


def delete_note(session: Session, *, actor: User, note_id: int) -> None:
    require(actor, Action.comment)
    note = session.get(Note, note_id)
    if note is None:
        raise NoteError(f"No note {note_id}.")
    require_owner(actor, note.author_id, "delete their own notes")
    session.delete(note)
    session.flush()


def list_notes(session: Session, *, bill_id: int) -> list[dict[str, Any]]:
    """Oldest first, as a thread reads."""
    rows = session.execute(select(Note, User.email, User.name, User.role).outerjoin(User, User.id == Note.author_id)
                           .where(Note.bill_id == bill_id).order_by(Note.created_at, Note.id)).all()
    return [{"id": n.id, "author_id": n.author_id, "author": name or email, "role": role, "body": n.body,
             "created_at": n.created_at.isoformat(timespec="seconds")} for n, email, name, role in rows]
