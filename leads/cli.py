"""Command line for the sales team and operators.

    python -m leads.cli export [--tier hot|warm|cold] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
                               [--format csv|json] [--include-unconsented]
    python -m leads.cli report [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--format text|json]
    python -m leads.cli flush                     # write the outbox to the database now
    python -m leads.cli resend                    # send queued/failed CRM and Slack deliveries now
    python -m leads.cli delete CONVERSATION_ID    # erase one lead and its brief (right to be forgotten)

``--db`` (before the command) takes a SQLite path or a SQLAlchemy URL; by default the
database of :mod:`leads.config` is used. Dates are UTC days; ``--until`` is inclusive.
Export prints leads with consent only unless ``--include-unconsented`` is given. In CSV,
cells starting with ``= + - @`` get a leading ``'`` so spreadsheets don't run them.
The export's ``brief`` column is the one-page brief of the lead's advice (link, dates and
content, :func:`leads.briefs.export_brief`; JSON text in CSV); its ``meeting`` column the call
the visitor booked after consenting (:func:`leads.booking.export_meeting`: kind, UTC start and
end, the sales team's time zone, or the booking page sent, and the calendar link; empty when
none). The ``delivery`` column is
the hand-off state per target from the delivery queue
(``LEADS_DELIVERIES_PATH``): e.g. ``webhook:sent slack:retrying(2)``; states are ``sent``,
``pending``, ``retrying(N tries)``, ``sending``, ``failed`` (refused; ``resend`` tries again)
and ``cancelled``; empty when nothing was queued.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from .booking import Meetings, export_meeting
from .briefs import BriefStore, export_brief, public_base_url
from .config import load_config
from .delivery import deliver
from .delivery_log import DeliveryLog
from .files import private_umask
from .model import UTC
from .notify import withdraw_lead
from .outbox import Outbox, delete_lead, flush_outbox
from .redact import describe_error
from .report import add_delivery_states, export_row, format_funnel, funnel, write_csv
from .store import LeadStore, is_unavailable


def _day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-01-31, got {text!r}") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m leads.cli", description="Leads export and funnel report.")
    parser.add_argument(
        "--db",
        help="SQLite file or SQLAlchemy URL (default: LEADS_DB_URL / LEADS_DB_PATH)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="print leads as CSV or JSON")
    export.add_argument("--tier", choices=("hot", "warm", "cold"))
    export.add_argument("--since", type=_day, help="created on or after this UTC day")
    export.add_argument("--until", type=_day, help="created on or before this UTC day")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--include-unconsented", action="store_true", help="also leads without consent")
    report = commands.add_parser("report", help="print the conversation-to-lead funnel")
    report.add_argument("--since", type=_day)
    report.add_argument("--until", type=_day)
    report.add_argument("--format", choices=("text", "json"), default="text")
    commands.add_parser("flush", help="write pending outbox entries to the database")
    commands.add_parser("resend", help="send pending and failed CRM/Slack deliveries now")
    erase = commands.add_parser("delete", help="erase the lead of one conversation")
    erase.add_argument("conversation_id")
    return parser


def _store(db: str | None) -> LeadStore:
    """``--db`` wins over the environment: a URL as is, anything else as a SQLite path."""
    if not db:
        return LeadStore()
    if "://" in db:
        return LeadStore(db)
    return LeadStore("sqlite:///" + str(Path(db).expanduser().resolve()))


def _end(day: datetime | None) -> datetime | None:
    return day + timedelta(days=1) if day else None


def run(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    store = _store(args.db)
    out = sys.stdout
    try:
        if args.command == "export":
            leads = store.list_leads(tier=args.tier, since=args.since, until=_end(args.until))
            leads = [lead for lead in leads if args.include_unconsented or lead.get("consent")]
            add_delivery_states(leads, load_config().deliveries_path)
            briefs = BriefStore(store).for_conversations(lead["conversation_id"] for lead in leads)
            base = public_base_url() if briefs else None
            calls = Meetings(store).for_conversations(lead["conversation_id"] for lead in leads)
            for lead in leads:
                lead["brief"] = export_brief(briefs.get(lead["conversation_id"]), base)
                lead["meeting"] = export_meeting(calls.get(lead["conversation_id"]))
            if args.format == "json":
                json.dump(
                    [export_row(lead, for_csv=False) for lead in leads],
                    out,
                    ensure_ascii=False,
                    indent=2,
                )
                out.write("\n")
            else:
                write_csv(out, leads)
        elif args.command == "report":
            numbers = funnel(store, since=args.since, until=_end(args.until))
            text = json.dumps(numbers, indent=2) if args.format == "json" else format_funnel(numbers)
            out.write(text + "\n")
        elif args.command == "flush":
            flushed = flush_outbox(store, Outbox(load_config().outbox_path))
            out.write(f"applied {flushed.applied}, remaining {flushed.remaining}, rejected {flushed.rejected}\n")
            return 0 if flushed.remaining == 0 else 3
        elif args.command == "resend":
            config = load_config()
            delivered = deliver(config=config, force=True, include_failed=True)
            left = [r for r in DeliveryLog(config.deliveries_path).load() if r["state"] in ("pending", "failed")]
            out.write(
                f"sent {delivered.count('sent')}, to retry {delivered.count('retry')}, "
                f"failed {delivered.count('failed')}, still unsent {len(left)}\n"
            )
            return 0 if not left else 3
        elif args.command == "delete":
            withdraw_lead(args.conversation_id)  # CRM/Slack told, pending deliveries cancelled
            found = delete_lead(
                args.conversation_id,
                store=store,
                outbox=Outbox(load_config().outbox_path),
            )
            found = BriefStore(store).delete(args.conversation_id) or found  # its brief's link answers 404 too
            out.write(("deleted" if found else "no lead for that conversation") + "\n")
    except Exception as error:
        if not is_unavailable(error):
            raise
        sys.stderr.write(f"database unreachable: {describe_error(error)}\n")
        return 2
    finally:
        store.dispose()
    return 0


def main() -> None:
    """``python -m leads.cli``."""
    private_umask()  # a database or outbox it creates is the owner's only
    sys.exit(run())


if __name__ == "__main__":
    main()
