"""Actions as shown to a person: one line for an action two recording systems both list (BILLSTATUS)."""

from tracker.shown_actions import shown_actions


def _action(date: str | None, text: str, actor: str | None = "lower", time: str | None = None,
            code: str | None = None) -> dict[str, object]:
    return {"date": date, "time": time, "text": text, "actor": actor, "action_code": code}


def test_the_same_day_and_words_are_one_line_in_the_first_ones_place() -> None:
    actions = [_action("2021-11-08", "Presented to President.", code="28000"),
               _action("2021-11-08", "Presented to President.", code="E20000"),
               _action("2021-11-15", "Signed by President.", "executive", code="36000"),
               _action("2021-11-15", "Became Public Law No: 117-58.", "executive", code="36000"),
               _action("2021-11-15", "Signed  by\nPresident. ", "executive", code="E30000"),
               _action("2021-11-15", "Became Public Law No: 117-58.", "executive", code="E40000")]
    shown = shown_actions(actions)
    assert [(a["date"], a["text"], a["action_code"]) for a in shown] == [
        ("2021-11-08", "Presented to President.", "28000"),
        ("2021-11-15", "Signed by President.", "36000"),
        ("2021-11-15", "Became Public Law No: 117-58.", "36000")]
    assert [a["actors"] for a in shown] == [["lower"], ["executive"], ["executive"]]
    assert len(actions) == 6  # what is stored is left as it was


def test_both_chambers_are_named_when_they_differ() -> None:
    shown = shown_actions([_action("2021-03-01", "Message on Senate action sent to the House.", "upper"),
                           _action("2021-03-01", "Message on Senate action sent to the House.", "lower"),
                           _action("2021-03-01", "Message on Senate action sent to the House.", None)])
    assert [a["actors"] for a in shown] == [["upper", "lower"]]


def test_distinct_events_stay_apart() -> None:
    # The House's "Motion to reconsider laid on the table" three times one evening (117th H.R. 3684): its clock
    # tells them apart, as does another day or other words.
    motion = "Motion to reconsider laid on the table. Agreed to without objection."
    actions = [_action("2021-06-30", motion, time="21:16:38"), _action("2021-06-30", motion, time="22:01:31"),
               _action("2021-07-01", motion, time="21:16:38"), _action("2021-07-01", "Another motion."),
               _action(None, "Undated."), _action(None, "Undated.")]
    shown = shown_actions(actions)
    assert [(a["date"], a["time"], a["text"]) for a in shown] == [
        ("2021-06-30", "21:16:38", motion), ("2021-06-30", "22:01:31", motion), ("2021-07-01", "21:16:38", motion),
        ("2021-07-01", None, "Another motion."), (None, None, "Undated.")]
    # One system's copy with the clock and the other's without are the same event.
    assert len(shown_actions([_action("2021-06-30", motion, time="21:16:38"), _action("2021-06-30", motion)])) == 1
