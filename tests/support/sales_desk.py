"""The sales console's live chats for tests: always-open sales hours and a rep over the JSON API
(the console itself: tests/support/sales_support.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from tests.support.sales_support import bearer

ALWAYS_OPEN = {"SALES_HOURS": "00:00-24:00", "SALES_DAYS": "mon-sun", "SALES_TIMEZONE": "Europe/London"}
"""Sales hours that are open whenever a test runs."""


class Rep:
    """A rep using the console's API with the bearer token (``X-Sales-Rep`` names them)."""

    def __init__(self, web_url: str, token: str, name: str) -> None:
        self.url = f"{web_url}/sales/api/"
        self.headers = bearer(token, name)
        self.name = name

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(method, self.url + path, json=body, headers=self.headers, timeout=30)

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self.call(method, path, body)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    def heartbeat(self) -> None:
        self.ok("POST", "presence", {})

    def handoffs(self) -> dict[str, Any]:
        return self.ok("GET", "handoffs")

    def state_of(self, conversation_id: str) -> str | None:
        found = [h for h in self.handoffs()["handoffs"] if h["conversation_id"] == conversation_id]
        return found[0]["state"] if found else None

    @staticmethod
    def chat(conversation_id: str, tail: str) -> str:
        return f"handoffs/{quote(conversation_id, safe='')}/{tail}"

    def take(self, conversation_id: str) -> requests.Response:
        return self.call("POST", self.chat(conversation_id, "take"), {})

    def send(self, conversation_id: str, text: str) -> requests.Response:
        return self.call("POST", self.chat(conversation_id, "messages"), {"text": text})

    def turns(self, conversation_id: str) -> list[dict[str, Any]]:
        return self.ok("GET", self.chat(conversation_id, "messages"))["turns"]

    def release(self, conversation_id: str) -> requests.Response:
        return self.call("POST", self.chat(conversation_id, "release"), {})


def console_page(context: Any, site_url: str, token: str, rep: str) -> Any:
    """A Playwright page of the sales console in ``context``, signed in through its login form as ``rep``."""
    page = context.new_page()
    page.goto(site_url + "/sales")
    page.fill("input[name=rep]", rep)
    page.fill("input[name=token]", token)
    page.click("#login button[type=submit]")
    page.wait_for_selector("#console", state="visible")
    return page
