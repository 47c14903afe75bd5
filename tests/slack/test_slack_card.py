"""serving/slack_card.py on its own: the card as Block Kit, escaped and within Slack's limits."""

from __future__ import annotations

from serving.slack_card import BUTTON_TEXT_MAX, HEADER_MAX, SECTION_MAX, card_blocks, card_fallback

CARD = {
    "type": "recommendation",
    "text": "My recommendation: KPO <b>",
    "headline": "Recommendation: KPO",
    "confidence_label": "80% confidence",
    "kpo_tasks": ["legal services"],
    "reasons": [{"text": "Legal work needs experts.", "quotes": ["<!channel> our contracts & stuff"]}],
    "cost": {"lines": ["KPO: about $5,000 to $9,000 a month"]},
    "data_rules": ["GDPR: transfers need safeguards."],
    "next_steps": ["Write a short brief.", "Ask three firms."],
    "labels": {"kpo": "KPO", "reasons": "Why", "cost": "Rough cost", "data": "Data rules", "next_steps": "Next steps"},
    "buttons": [
        {"title": "Download your brief", "url": "https://advisor.example.com/brief/x"},
        {"title": "Costs in detail", "payload": "/ask_cost"},
        {"title": "bad", "url": "javascript:alert(1)"},
    ],
}


def test_user_words_are_escaped_so_they_cannot_ping_or_link() -> None:
    text = "\n".join(str(block) for block in card_blocks(CARD))
    assert "<!channel>" not in text and "&lt;!channel&gt; our contracts &amp; stuff" in text
    assert card_fallback(CARD) == "My recommendation: KPO &lt;b&gt;"


def test_one_column_sections_in_order_and_only_safe_links() -> None:
    blocks = card_blocks(CARD)
    kinds = [b["type"] for b in blocks]
    assert kinds == ["header", "context", "section", "section", "section", "section", "section", "actions"]
    assert blocks[2]["fields"][0]["text"] == "*KPO*\n• legal services"
    assert blocks[6]["text"]["text"] == "*Next steps*\n1. Write a short brief.\n2. Ask three firms."
    buttons = blocks[-1]["elements"]
    assert [b.get("url") for b in buttons] == ["https://advisor.example.com/brief/x", None]
    assert buttons[1]["value"] == "/ask_cost"
    assert len({b["action_id"] for b in buttons}) == 2


def test_long_texts_are_cut_to_block_kit_limits() -> None:
    long = {
        **CARD,
        "headline": "H" * 500,
        "reasons": [{"text": "r" * 5000}],
        "buttons": [{"title": "t" * 200, "payload": "/x"}],
    }
    blocks = card_blocks(long)
    assert len(blocks[0]["text"]["text"]) == HEADER_MAX
    assert all(len(b["text"]["text"]) <= SECTION_MAX for b in blocks if b["type"] == "section" and "text" in b)
    assert len(blocks[-1]["elements"][0]["text"]["text"]) == BUTTON_TEXT_MAX
