"""Reading the lead form's answers (leads.answers): corrections, emails in sentences, consent, stop."""

from __future__ import annotations

import pytest

from leads.answers import (
    FIELDS,
    TEXT_MAX_CHARS,
    bare_name,
    check_field,
    consent_answer,
    label,
    split_email,
    statement,
    volunteered,
    wants_to_stop,
)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("sorry, my company is actually Globex", ("lead_company", "Globex")),
        ("change my email to zoe@globex.com", ("lead_email", "zoe@globex.com")),
        ("oops, my name is Zoë O'Brien", ("lead_full_name", "Zoë O'Brien")),
        ("I work for Initech", ("lead_company", "Initech")),
        ("role: Head of Ops", ("lead_role", "Head of Ops")),
        ("my company is", None),  # nothing after the words: not a statement
        ("Globex", None),
        ("", None),
    ],
)
def test_a_statement_names_the_answer_it_changes(text: str, said: tuple[str, str] | None) -> None:
    assert statement(text) == said


@pytest.mark.parametrize(
    ("text", "email", "rest"),
    [
        ("Zoë O'Brien, zoe@ACME-legal.com", "zoe@acme-legal.com", "Zoë O'Brien"),
        ("Acme and my email is zoe@acme.com", "zoe@acme.com", "Acme"),
        ("zoe@acme.com", "zoe@acme.com", ""),
        ("a@acme.com or b@acme.com", None, "a@acme.com or b@acme.com"),  # two addresses: neither is taken
        ("zoe@acme", None, "zoe@acme"),  # not a valid address
        ("no address here", None, "no address here"),
    ],
)
def test_an_email_is_picked_out_of_another_answer(text: str, email: str | None, rest: str) -> None:
    assert split_email(text) == (email, rest)


def test_volunteered_details_are_read_and_checked() -> None:
    assert volunteered("my email is zoe@acme-legal.com, please get in touch") == {"lead_email": "zoe@acme-legal.com"}
    assert volunteered("actually my role is COO") == {"lead_role": "COO"}
    assert volunteered(f"my company is {'A' * (TEXT_MAX_CHARS + 1)}") == {}  # too long: not kept
    assert volunteered("we need payroll help") == {}


# (slot, what was typed, the value kept or None, words of the message or None)
FIELD_ANSWERS = [
    ("lead_full_name", "  山田 太郎 ", "山田 太郎", None),
    ("lead_full_name", "/affirm", None, "in words"),
    ("lead_full_name", "Zoë \ud800", None, "control characters"),
    ("lead_email", "it's zoe@ACME.com, thanks", "zoe@acme.com", None),
    ("lead_email", "jane at acme", None, "has no @"),
    ("lead_company", "<b>Acme</b> & Co", "<b>Acme</b> & Co", None),
    ("lead_company", "", None, "Please type your company."),
    ("lead_company", None, None, "Please type your company."),
    ("lead_role", "/deny", None, "Please type your role in words."),
    ("lead_role", "CEO\x00", None, "on one line"),
    ("lead_company_size", "about 2k people", "about 2k people", None),
    ("lead_company_size", "rather not say", "rather not say", None),
    ("lead_company_size", "lots", None, "head count"),
    ("lead_timeline", "next quarter", "next quarter", None),
    ("lead_timeline", "x" * 500, None, "500 characters"),
]


@pytest.mark.parametrize(("slot", "raw", "kept", "hint"), FIELD_ANSWERS)
def test_usable_answers_are_kept_as_typed_and_others_say_what_to_fix(
    slot: str, raw: str | None, kept: str | None, hint: str | None
) -> None:
    value, problem = check_field(slot, raw)
    assert value == kept
    if hint is None:
        assert problem is None
    else:
        assert problem is not None and hint in problem


def test_every_form_field_has_a_label() -> None:
    assert all(label(slot) for slot in FIELDS)


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("/affirm", "affirm", True),
        ("yes, I agree", None, True),
        ("ok", "nlu_fallback", True),
        ("/deny", "deny", False),
        ("I'd rather not", None, False),
        ("no", "withdraw_consent", False),
        ("maybe later", "nlu_fallback", None),
        ("yes", "dont_know", None),  # "I don't know" wins over a word that looks like yes
    ],
)
def test_consent_needs_a_clear_yes_or_no(text: str, intent: str | None, expected: bool | None) -> None:
    assert consent_answer(text, intent) is expected


@pytest.mark.parametrize(
    ("text", "intent", "stops"),
    [
        ("stop", None, True),
        ("No thanks, never mind.", None, True),
        ("I don't want to be contacted", "inform", True),
        ("no", "deny", True),
        ("no", "inform", False),  # a bare "no" stops only when it was meant as a refusal
        ("no, it's Globex", "deny", False),
        ("Acme", "inform", False),
    ],
)
def test_stop_at_any_question(text: str, intent: str | None, stops: bool) -> None:
    assert wants_to_stop(text, intent) is stops


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jane Doe", "Jane Doe"),
        ("  Zoë O'Brien. ", "Zoë O'Brien"),
        ("Mary Anne de Vries", "Mary Anne de Vries"),
        ("Will Turner", "Will Turner"),
        ("no thanks", None),
        ("yes please", None),
        ("not now", None),
        ("sounds good", None),
        ("talk to a human", None),
        ("call me later", None),
        ("what is KPO", None),
        ("Jane", None),  # one word could be anything: the form asks for the full name
        ("Jane Doe, jane@acme.com", None),  # the email is read by volunteered(), not here
        ("Jane Doe 42", None),
        ("", None),
    ],
)
def test_a_bare_name_after_the_offer_is_a_name_only_when_nothing_else_fits(text: str, name: str | None) -> None:
    assert bare_name(text) == name
