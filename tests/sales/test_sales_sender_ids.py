"""A lead whose REST sender id a URL must encode: the console shows its conversation, not an empty one.

The console reads the transcript through Rasa's HTTP API with the conversation id
percent-encoded (web/sales.py). Rasa 3.6 did not decode it, so for `rest:acme team "7"` it
read the empty conversation `rest:acme%20team%20%227%22` and showed the lead without a word
of what was said (serving/http_api.py decodes it now).
"""

from __future__ import annotations

import pytest
import requests

from tests.support.browser_support import WebServer
from tests.support.lead_capture import CONTACT, OPENING, capture, texts
from tests.support.sales_support import bearer, lead_path
from tests.support.stack import Stack, conversation

SENDERS = {"spaces_and_quotes": 'sales acme "team" 7', "slashes_and_scripts": "sales/ünal/日本"}


@pytest.mark.parametrize("name", list(SENDERS), ids=list(SENDERS))
def test_the_lead_of_an_odd_sender_id_comes_with_its_transcript(
    console: WebServer, sales_token: str, stack: Stack, name: str
) -> None:
    sender = SENDERS[name]
    turns = capture(stack, sender, "/affirm")
    assert f"Thank you, {CONTACT['lead_full_name']}!" in texts(turns[-1])

    listed = requests.get(console.url + "/sales/api/leads", headers=bearer(sales_token), timeout=30).json()["leads"]
    assert conversation(sender) in {lead["conversation_id"] for lead in listed}
    response = requests.get(console.url + lead_path(conversation(sender)), headers=bearer(sales_token), timeout=30)
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["lead"]["conversation_id"] == conversation(sender)
    assert detail["transcript_error"] is None
    shown = [(turn["speaker"], turn["text"]) for turn in detail["transcript"]]
    assert shown and shown[0] == ("visitor", OPENING)
    assert ("visitor", CONTACT["lead_email"]) in shown
    assert detail["brief"] is not None
