"""Email, name and company-size validation, and the configuration reader."""

from __future__ import annotations

import pytest

from leads.config import load_config
from leads.validation import (
    NAME_MAX_CHARS,
    parse_company_size,
    validate_email,
    validate_name,
)
from tests.support import phrases


@pytest.mark.parametrize(
    ("text", "email", "freemail"),
    [
        ("jane@acme.com", "jane@acme.com", False),
        ("  Jane.Doe+leads@ACME.co.uk ", "Jane.Doe+leads@acme.co.uk", False),
        ("jane@gmail.com", "jane@gmail.com", True),
        ("x@yahoo.co.uk", "x@yahoo.co.uk", True),
        ("x@outlook.com", "x@outlook.com", True),
        ("x@hotmail.fr", "x@hotmail.fr", True),
        ("jörg@bücher.de", "jörg@bücher.de", False),
    ],
)
def test_valid_emails(text: str, email: str, freemail: bool) -> None:
    check = validate_email(text)
    assert check.ok and check.message is None
    assert check.email == email
    assert check.is_freemail is freemail


def assert_refused(text: str, hint: str) -> None:
    """The address is refused, nothing is kept, and the message names the problem (``hint``)."""
    check = validate_email(text)
    assert not check.ok and check.email is None
    assert hint in check.message


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "type your work email"),
        ("janeacme.com", "no @"),
        ("jane@@acme.com", "more than one @"),
        ("jane doe@acme.com", "spaces"),
        ("@acme.com", "before the @ is missing"),
        ("jane@", "domain after the @ is missing"),
        ("jane@acme", "looks incomplete"),
        ("jane@acme.c0m", "top-level domain"),
        ("jane..doe@acme.com", "not allowed"),
        ("<script>@acme.com", "not allowed"),
        ("a@" + "b" * 300 + ".com", "longer than 254"),
    ],
)
def test_malformed_emails_are_explained(text: str, hint: str) -> None:
    assert_refused(text, hint)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("jane@acme.test", "special-use or reserved name"),
        ("jane@acme.invalid", "special-use or reserved name"),
        ("jane@intranet.local", "special-use or reserved name"),
        ("jane@localhost", "looks incomplete"),
        ("ja\u200bne@acme.com", "not allowed"),  # an invisible zero-width space
        ("jane.@acme.com", "not allowed"),
        ('"jane doe"@acme.com', "spaces"),
        ("jane@-acme.com", "hyphen"),
        ("jane@acme..com", "two periods"),
        ("jane@ac_me.com", "invalid characters"),
        ("jane@acme.com.", "end with a period"),
        ("jane@acme.c", "top-level domain"),
        ("jane@acme.123", "top-level domain"),
        ("jane@[127.0.0.1]", "not allowed"),
    ],
)
def test_reserved_domains_invisible_characters_and_other_slips_are_refused(text: str, hint: str) -> None:
    assert_refused(text, hint)


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("jane@xn--bcher-kva.de", "jane@xn--bcher-kva.de"),  # kept as typed, lower-cased
        ("o'brien+crm@sub.acme.io", "o'brien+crm@sub.acme.io"),
        ("李@公司.中国", "李@公司.中国"),
    ],
)
def test_unusual_but_valid_addresses_pass(text: str, email: str) -> None:
    check = validate_email(text)
    assert check.ok and check.email == email


def test_checking_an_address_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("validate_email tried to reach the network")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert validate_email("jane@acme.com").ok
    assert not validate_email("jane@acme.test").ok


@pytest.mark.parametrize(
    "name",
    [
        "Zoë Åström",
        "李小龙",
        "Иван Петров",
        "محمد علي",
        "श्रेया",
        "Ngũgĩ wa Thiong'o",
        "🦄 Unicorn 👩🏽‍💻",
        "Robert'); DROP TABLE leads;--",
        "<b>Bob</b>",
    ],
)
def test_names_in_any_script_are_accepted(name: str) -> None:
    check = validate_name(f"  {name} ")
    assert check.ok and check.name == name


def test_name_limit_is_documented_and_enforced() -> None:
    assert validate_name("a" * NAME_MAX_CHARS).ok
    check = validate_name("a" * 10_000)
    assert not check.ok
    assert check.message == "That name is 10,000 characters long; please keep it to 200 characters or fewer."
    assert not validate_name("   ").ok
    assert "control" in validate_name("Bob\x00").message


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "band"),
    phrases.table("company_sizes"),
)
def test_company_size_parsing(text: str, minimum: int, maximum: int | None, band: str) -> None:
    size = parse_company_size(text)
    assert size is not None
    assert (size.minimum, size.maximum, size.band) == (minimum, maximum, band)


@pytest.mark.parametrize("text", [None, "", "banana", "lots"])
def test_company_size_unknown(text: str | None) -> None:
    assert parse_company_size(text) is None


def test_config_reads_environment_in_one_place() -> None:
    config = load_config({})
    assert config.db_url is None and config.db_path == "var/leads.db"
    assert config.webhook_url is None and config.slack_webhook_url is None
    config = load_config(
        {
            "LEADS_DB_URL": "postgresql://u@h/db",
            "LEADS_WEBHOOK_URL": "http://127.0.0.1:1/hook",
            "SALES_SLACK_WEBHOOK_URL": " http://127.0.0.1:1/slack ",
            "LEADS_WEBHOOK_MAX_ATTEMPTS": "3",
            "LEADS_WEBHOOK_BACKOFF_SECONDS": "0.25",
        }
    )
    assert config.db_url == "postgresql://u@h/db"
    assert config.slack_webhook_url == "http://127.0.0.1:1/slack"
    assert (config.webhook_max_attempts, config.webhook_backoff_seconds) == (3, 0.25)
    with pytest.raises(ValueError, match="LEADS_WEBHOOK_MAX_ATTEMPTS"):
        load_config({"LEADS_WEBHOOK_MAX_ATTEMPTS": "many"})
