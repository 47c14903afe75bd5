"""Lead pre-qualification and hand-off to the sales team (plain Python, no Rasa imports).

What the assistant's actions call::

    from leads import save_lead, record_event, notify_lead, validate_email, validate_name

    result = save_lead(conversation_id, full_name=..., email=..., consent=True, answers={...})
    notify_lead(result.lead)                       # webhook + Slack, queued, idempotent
    record_event(conversation_id, "lead_captured")
    withdraw_lead(conversation_id)                 # consent withdrawn: CRM/Slack told, queue purged
    delete_lead(conversation_id)                   # erase the lead (database, outbox, .rejected)
    BriefStore().save(conversation_id, content)    # the one-page brief behind <WEB_PUBLIC_URL>/brief/<token>

Modules: :mod:`leads.config` (env vars), :mod:`leads.score` (BANT score),
:mod:`leads.validation`, :mod:`leads.answers` (reading the lead form's answers),
:mod:`leads.store` (SQLAlchemy), :mod:`leads.outbox` (nothing lost), :mod:`leads.notify`
(what sales is told), :mod:`leads.delivery_log` and :mod:`leads.delivery` (the delivery
queue and its sender), :mod:`leads.pipeline` (what the sales team did with a lead: status and
notes, set in the sales console), :mod:`leads.briefs` (the advice briefs), :mod:`leads.sales_hours`
and :mod:`leads.handoff` (the team's hours, reps signed in, live hand-offs), :mod:`leads.booking` and
:mod:`leads.ics` (a call booked after consent, its calendar file), :mod:`leads.report` and :mod:`leads.cli`.
"""

from .booking import Meetings, booking_link, booking_settings
from .briefs import Brief, BriefStore, export_brief
from .config import LeadsConfig, load_config
from .delivery import DeliveryRound, deliver, send_in_background, start_background_delivery
from .handoff import SalesDesk, availability, default_desk, desk_settings
from .model import idempotency_key, lead_version
from .notify import NotifyResult, notify_lead, queue_lead, queue_update, withdraw_lead
from .outbox import (
    FlushResult,
    Outbox,
    SaveResult,
    delete_lead,
    flush_outbox,
    record_event,
    record_events,
    save_lead,
)
from .pipeline import STATUSES, Change, Pipeline
from .redact import RedactingFilter, redact, redact_lead
from .sales_hours import SalesHours, hours_from_env
from .score import LeadScore, score_from_lead, score_lead
from .store import EVENT_KINDS, LeadStore
from .validation import (
    CompanySize,
    EmailCheck,
    NameCheck,
    parse_company_size,
    validate_email,
    validate_name,
)

__all__ = [
    "EVENT_KINDS",
    "STATUSES",
    "Brief",
    "BriefStore",
    "Change",
    "CompanySize",
    "DeliveryRound",
    "EmailCheck",
    "FlushResult",
    "LeadScore",
    "LeadStore",
    "LeadsConfig",
    "Meetings",
    "NameCheck",
    "NotifyResult",
    "Outbox",
    "Pipeline",
    "RedactingFilter",
    "SalesDesk",
    "SalesHours",
    "SaveResult",
    "availability",
    "booking_link",
    "booking_settings",
    "default_desk",
    "delete_lead",
    "deliver",
    "desk_settings",
    "export_brief",
    "flush_outbox",
    "hours_from_env",
    "idempotency_key",
    "lead_version",
    "load_config",
    "notify_lead",
    "parse_company_size",
    "queue_lead",
    "queue_update",
    "record_event",
    "record_events",
    "redact",
    "redact_lead",
    "save_lead",
    "score_from_lead",
    "score_lead",
    "send_in_background",
    "start_background_delivery",
    "validate_email",
    "validate_name",
    "withdraw_lead",
]
