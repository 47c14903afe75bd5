"""Reading a conversation out of Rasa's tracker events, as the sales console shows it."""

from __future__ import annotations

from leads.transcript import transcript_from_events

YES_NO = [{"title": "Yes, please", "payload": "/affirm"}, {"title": "No thanks", "payload": "/deny"}]


def test_visitor_assistant_and_rep_turns_in_order() -> None:
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "user", "text": "We need payroll", "timestamp": 1_767_225_600.0},
        {"event": "bot", "text": "BPO fits.", "timestamp": 1_767_225_601.5},
        {"event": "slot", "name": "tasks", "value": ["payroll"]},
        {"event": "bot", "text": None, "data": {"custom": {"card": {"title": "BPO"}}}},  # widget data only
        {"event": "bot", "text": "Shall a specialist call you?", "data": {"buttons": YES_NO}},
        {"event": "bot", "text": "It takes a minute."},
        {"event": "user", "text": "/affirm"},
        {"event": "bot", "text": "Hi, I'm Sam from sales.", "metadata": {"rep": "Sam"}},
        {"event": "user", "text": "/affirm"},  # typed by hand after the buttons were used: kept as typed
        {"event": "user", "text": ""},
    ]
    turns = transcript_from_events(events)
    assert [(t["speaker"], t["text"]) for t in turns] == [
        ("visitor", "We need payroll"),
        ("assistant", "BPO fits."),
        ("assistant", "Shall a specialist call you?"),
        ("assistant", "It takes a minute."),
        ("visitor", "Yes, please"),
        ("rep", "Hi, I'm Sam from sales."),
        ("visitor", "/affirm"),
    ]
    assert turns[0]["at"] == "2026-01-01T00:00:00+00:00"
    assert turns[2]["buttons"] == ["Yes, please", "No thanks"]
    assert turns[5]["name"] == "Sam"
    assert "at" in turns[3] and turns[3]["at"] is None


def test_markup_and_any_script_stay_text() -> None:
    text = "<img src=x onerror=alert(1)> 李 👩🏽‍💻"
    [turn] = transcript_from_events([{"event": "user", "text": text}])
    assert turn["text"] == text


def test_intents_the_server_triggered_are_not_words_anyone_said() -> None:
    """A hand-off's wait running out (a Rasa reminder) and a rep handing back (the console)
    reach the tracker as user events marked external; the transcript leaves them out."""
    events = [
        {"event": "user", "text": "can I talk to a person?"},
        {"event": "user", "text": "EXTERNAL: EXTERNAL_handoff_ended", "metadata": {"is_external": True}},
        {"event": "bot", "text": "Let's carry on where we were."},
    ]
    assert [(t["speaker"], t["text"]) for t in transcript_from_events(events)] == [
        ("visitor", "can I talk to a person?"),
        ("assistant", "Let's carry on where we were."),
    ]
