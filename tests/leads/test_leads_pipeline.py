"""The sales pipeline (status, notes, history), its CRM update and the console's charts, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leads.config import LeadsConfig
from leads.delivery import deliver
from leads.delivery_log import UPDATED, DeliveryLog
from leads.model import UTC, idempotency_key
from leads.notify import queue_update, withdraw_lead
from leads.outbox import delete_lead
from leads.pipeline import NOTE_MAX, Pipeline, changes_table, pipeline_table
from leads.report import conversion, funnel_series
from leads.store import LeadStore
from tests.support.leads_testkit import HOT_LEAD, WARMER, FakeServer

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def pipeline(store: LeadStore) -> Pipeline:
    store.upsert_lead("conv-hot", HOT_LEAD, at=T0)
    store.upsert_lead("conv-warm", {**HOT_LEAD, **WARMER, "recommendation": "bpo"}, at=T0 + timedelta(days=3))
    store.upsert_lead("conv-none", {**HOT_LEAD, "consent": False}, at=T0)
    return Pipeline(store)


def rows(store: LeadStore, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_each_change_is_kept_with_its_rep_and_time(pipeline: Pipeline) -> None:
    first = pipeline.record("conv-hot", rep="Ann Lee", status="contacted", note="Called; send the KPO deck.", at=T0)
    assert (first.previous_status, first.status, first.rep) == ("new", "contacted", "Ann Lee")
    note = pipeline.record("conv-hot", rep="Bo", note="Deck sent", at=T0 + timedelta(hours=1))
    assert (note.status, note.current_status) == (None, "contacted")
    pipeline.record("conv-hot", rep="Bo", status="won", at=T0 + timedelta(days=2))

    assert pipeline.history("conv-hot") == [
        {
            "at": T0.isoformat(),
            "rep": "Ann Lee",
            "previous_status": "new",
            "status": "contacted",
            "note": "Called; send the KPO deck.",
        },
        {
            "at": (T0 + timedelta(hours=1)).isoformat(),
            "rep": "Bo",
            "previous_status": "contacted",
            "status": None,
            "note": "Deck sent",
        },
        {
            "at": (T0 + timedelta(days=2)).isoformat(),
            "rep": "Bo",
            "previous_status": "contacted",
            "status": "won",
            "note": None,
        },
    ]
    lead = pipeline.get_lead("conv-hot")
    assert lead is not None
    assert (lead["status"], lead["status_by"], lead["status_at"]) == ("won", "Bo", T0 + timedelta(days=2))
    assert lead["email"] == HOT_LEAD["email"]  # the lead itself is untouched


def test_setting_the_same_status_again_records_nothing(pipeline: Pipeline, store: LeadStore) -> None:
    pipeline.record("conv-hot", rep="Ann", status="contacted")
    again = pipeline.record("conv-hot", rep="Ann", status="contacted")
    assert again.change_id == "" and again.status is None
    assert rows(store, changes_table) == 1


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"status": "closed"}, "status must be one of new, contacted, qualified, won, lost"),
        ({}, "nothing to change"),
        ({"note": "   "}, "nothing to change"),
        ({"note": "x" * (NOTE_MAX + 1)}, f"at most {NOTE_MAX}"),
        ({"note": "bell \x07"}, "control characters"),
        ({"status": "won", "rep": ""}, "the rep name is empty"),
        ({"status": "won", "rep": "Ann\nLee"}, "line breaks"),
    ],
)
def test_bad_changes_are_refused_with_the_reason(
    pipeline: Pipeline, store: LeadStore, changes: dict, problem: str
) -> None:
    changes = dict(changes)  # the parameters are shared by the SQLite and PostgreSQL runs
    rep = changes.pop("rep", "Ann")
    with pytest.raises(ValueError, match=problem):
        pipeline.record("conv-hot", rep=rep, **changes)
    assert rows(store, changes_table) == 0


def test_a_note_keeps_line_breaks_and_any_text(pipeline: Pipeline) -> None:
    text = "Rückruf Mo.\n'; DROP TABLE leads;-- <b>x</b> 李"
    pipeline.record("conv-hot", rep="Zoë", note=text)
    assert pipeline.history("conv-hot")[0]["note"] == text


def test_a_conversation_without_a_lead_cannot_be_changed(pipeline: Pipeline) -> None:
    with pytest.raises(LookupError):
        pipeline.record("conv-unknown", rep="Ann", status="won")


def test_the_list_filters_by_status_recommendation_tier_and_date_and_shows_consented_leads_only(
    pipeline: Pipeline, store: LeadStore
) -> None:
    pipeline.record("conv-warm", rep="Ann", status="qualified")

    def ids(**filters) -> list[str]:
        return [lead["conversation_id"] for lead in pipeline.list_leads(**filters)]

    assert ids() == ["conv-hot", "conv-warm"]
    assert ids(status="new") == ["conv-hot"]
    assert ids(status="qualified") == ["conv-warm"]
    assert ids(status="won") == []
    assert ids(recommendation="bpo") == ["conv-warm"]
    assert ids(recommendation="hybrid", tier="hot") == ["conv-hot"]
    assert ids(tier="cold") == []
    assert ids(since=T0 + timedelta(days=1)) == ["conv-warm"]
    assert ids(until=T0 + timedelta(days=1)) == ["conv-hot"]
    assert "conv-none" in ids(consented_only=False)
    listed = {lead["conversation_id"]: lead for lead in pipeline.list_leads()}
    assert listed["conv-warm"]["status_by"] == "Ann" and listed["conv-hot"]["status_by"] is None
    assert pipeline.statuses() == {"conv-warm": "qualified"}


def test_erasing_the_lead_erases_its_status_and_notes(pipeline: Pipeline, store: LeadStore, tmp_path: Path) -> None:
    from leads.outbox import Outbox

    pipeline.record("conv-hot", rep="Ann", status="contacted", note="Personal: prefers calls after 5pm")
    pipeline.record("conv-warm", rep="Ann", status="lost")
    assert delete_lead("conv-hot", store=store, outbox=Outbox(tmp_path / "outbox.jsonl"))
    assert pipeline.history("conv-hot") == [] and pipeline.get_lead("conv-hot") is None
    assert rows(store, pipeline_table) == 1 and rows(store, changes_table) == 1  # conv-warm's stay


# --- lead.updated to the CRM -------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path, fake_server: FakeServer) -> LeadsConfig:
    return LeadsConfig(
        deliveries_path=str(tmp_path / "deliveries.jsonl"),
        webhook_url=fake_server.url + "/crm",
        webhook_backoff_seconds=0.01,
        webhook_max_attempts=3,
    )


def test_a_change_reaches_the_crm_as_lead_updated_with_its_own_key(
    pipeline: Pipeline, config: LeadsConfig, fake_server: FakeServer
) -> None:
    change = pipeline.record("conv-hot", rep="Ann", status="contacted", note="Called", at=T0)
    lead = pipeline.get_lead("conv-hot")
    fake_server.plan = [503]  # the first try fails: retried
    ids = queue_update(lead, change.as_dict(), config=config)
    assert len(ids) == 1
    assert deliver(config=config, ids=ids, force=True).outcomes == {ids[0]: "sent"}
    [received] = fake_server.accepted
    key = f"{idempotency_key(lead)}-update-{change.change_id}"
    assert received.headers["Idempotency-Key"] == key
    assert received.body == {
        "event": UPDATED,
        "idempotency_key": key,
        "conversation_id": "conv-hot",
        "lead_idempotency_key": idempotency_key(lead),
        "previous_status": "new",
        "status": "contacted",
        "status_changed": True,
        "note": "Called",
        "changed_by": "Ann",
        "changed_at": T0.isoformat(),
    }
    assert [r.status for r in fake_server.received] == [503, 200]
    # Queued twice (a retry by the console): one delivery.
    assert queue_update(lead, change.as_dict(), config=config) == ids


def test_no_update_is_queued_without_consent_or_without_a_crm(pipeline: Pipeline, config: LeadsConfig) -> None:
    change = pipeline.record("conv-none", rep="Ann", status="contacted")
    assert queue_update(pipeline.get_lead("conv-none"), change.as_dict(), config=config) == []
    change = pipeline.record("conv-hot", rep="Ann", status="contacted")
    assert queue_update(pipeline.get_lead("conv-hot"), change.as_dict(), config=replace(config, webhook_url=None)) == []
    assert not DeliveryLog(config.deliveries_path).load()


def test_withdrawing_consent_cancels_an_unsent_update(pipeline: Pipeline, config: LeadsConfig) -> None:
    change = pipeline.record("conv-hot", rep="Ann", note="call back Tuesday")
    [update_id] = queue_update(pipeline.get_lead("conv-hot"), change.as_dict(), config=config)
    withdraw_lead("conv-hot", config=config, send=False)
    record = next(r for r in DeliveryLog(config.deliveries_path).load() if r["id"] == update_id)
    assert record["state"] == "cancelled" and "payload" not in record


# --- the console's charts ----------------------------------------------------------------


def _events(store: LeadStore) -> None:
    """Three conversations over two weeks: hybrid advice captured (won), BPO captured, KPO declined."""
    script = [
        ("conv-hot", 0, ["conversation_started", ("advice_given", "hybrid"), "lead_offered", "lead_captured"]),
        ("conv-warm", 3, ["conversation_started", ("advice_given", "bpo"), "lead_offered", "lead_captured"]),
        ("conv-k", 8, ["conversation_started", ("advice_given", "kpo"), "lead_offered", "lead_declined"]),
    ]
    for conversation, day, kinds in script:
        for kind in kinds:
            kind, detail = kind if isinstance(kind, tuple) else (kind, None)
            store.record_event(conversation, kind, detail, at=T0 + timedelta(days=day))


def test_funnel_series_by_day_and_week_lists_every_period(pipeline: Pipeline, store: LeadStore) -> None:
    _events(store)
    by_week = funnel_series(store, "week")
    assert [(r["period"], r["conversations"], r["advice_given"], r["leads_captured"]) for r in by_week] == [
        ("2026-03-02", 2, 2, 2),
        ("2026-03-09", 1, 1, 0),
    ]
    by_day = funnel_series(store, "day", since=T0, until=datetime(2026, 3, 11, tzinfo=UTC))
    assert len(by_day) == 9 and by_day[0]["period"] == "2026-03-02" and by_day[-1]["period"] == "2026-03-10"
    assert [r["leads_offered"] for r in by_day] == [1, 0, 0, 1, 0, 0, 0, 0, 1]
    assert funnel_series(store, "day", since=T0 + timedelta(days=100)) == []
    with pytest.raises(ValueError, match="by must be one of day, week"):
        funnel_series(store, "month")
    with pytest.raises(ValueError, match="more than"):
        funnel_series(store, "day", since=T0 - timedelta(days=2000), until=T0)


def test_conversion_by_recommendation_and_tier_counts_what_the_sales_team_won(
    pipeline: Pipeline, store: LeadStore
) -> None:
    _events(store)
    pipeline.record("conv-hot", rep="Ann", status="won")
    numbers = conversion(store, pipeline.statuses())
    by_recommendation = {row["recommendation"]: row for row in numbers["by_recommendation"]}
    assert by_recommendation["hybrid"] == {
        "recommendation": "hybrid",
        "advised": 1,
        "captured": 1,
        "won": 1,
        "capture_rate": 1.0,
        "win_rate": 1.0,
    }
    assert (by_recommendation["kpo"]["advised"], by_recommendation["kpo"]["captured"]) == (1, 0)
    assert by_recommendation["kpo"]["win_rate"] is None
    by_tier = {row["tier"]: row for row in numbers["by_tier"]}
    assert list(by_tier) == ["hot", "warm", "cold"]
    hot, warm = by_tier["hot"], by_tier["warm"]
    assert (hot["captured"], hot["won"], hot["win_rate"]) == (1, 1, 1.0)
    assert (warm["captured"], warm["new"], warm["won"], warm["win_rate"]) == (1, 1, 0, 0.0)
    # The window counts only the conversations with events in it.
    later = conversion(store, pipeline.statuses(), since=T0 + timedelta(days=7))
    assert [row["advised"] for row in later["by_recommendation"]] == [0, 1, 0]
