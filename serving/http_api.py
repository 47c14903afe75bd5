"""Rasa's HTTP API finds a conversation by its id as a URL carries it: percent-decoded.

A REST client names its conversation freely (`{"sender": "acme team 1"}` is stored as
`rest:acme team 1`, serving/channels.py). To read or change that conversation through the
HTTP API, a client writes the id into the path, percent-encoded as URLs require:
`GET /conversations/rest:acme%20team%201/tracker`. Rasa 3.6 declares those routes as
`/conversations/<conversation_id:path>/...` on Sanic 21.12, and Sanic hands that path
parameter to the handler as it came, still percent-encoded. So every id holding a space, a
non-ASCII letter, a quote, `?`, `#`, `%` or a control character was out of reach: the API
answered 200 with an empty conversation `rest:acme%20team%201` (or 404 when `?` or `#` cut
the path short). The conversation itself ran; nothing could see it: the sales console showed
no transcript for its lead, a rep's hand-off events for it went to that empty conversation,
and a client reading the advice from the tracker never found it.

`install()` wraps `rasa.server.create_app` so that the app it creates decodes the
`conversation_id` of a matched route in a request middleware, before Rasa's handler and its
authorisation check (which compares a JWT's user with the conversation id) see it: both, and
the lock store, get the id as stored. Sanic's own `unquote` route option would be the natural
switch, but sanic-routing 0.7 ignores it for `path` parameters. An id written without
encoding still arrives as before as long as it holds no `%`: `rest:acme-1` and `rest:a/b`
(the parameter spans slashes) are unchanged. A literal `%` must be sent as `%25`, as in any
URL.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

CONVERSATION_PARAMETER = "conversation_id"


async def decode_conversation_id(request: Any) -> None:
    """Sanic request middleware: the matched route's `conversation_id`, percent-decoded."""
    encoded = request.match_info.get(CONVERSATION_PARAMETER)
    if isinstance(encoded, str) and "%" in encoded:
        request.match_info = {**request.match_info, CONVERSATION_PARAMETER: unquote(encoded)}


def _decoding(create_app: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(create_app)
    def create_app_decoding(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        app.register_middleware(decode_conversation_id, "request")
        return app

    create_app_decoding.advisor_decoding = True  # type: ignore[attr-defined]
    return create_app_decoding


def install() -> None:
    """Decode conversation ids in the HTTP API of apps created from now on (idempotent)."""
    from rasa import server

    if not getattr(server.create_app, "advisor_decoding", False):
        server.create_app = _decoding(server.create_app)
