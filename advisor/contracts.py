"""How to contract the work: the contract models, which fits BPO and which KPO, and what to ask a provider.

Contract models and the work they fit
    dedicated_team   a team (priced per full-time person a month) working only for you:
                     steady, ongoing volumes of either kind of work.
    managed_service  the provider runs the process to service levels (SLAs) and is paid per
                     month, per transaction or per ticket: routine BPO work with measurable output.
    fixed_price      a defined deliverable for an agreed price: KPO projects with a clear scope
                     (a market study, a financial model).
    time_materials   hours or days at agreed rates: KPO work whose scope will change (research,
                     strategy, software).
    outcome_based    paid for results (claims settled, collections, leads): mature, measurable BPO
                     processes once the baseline is known.

Which to suggest
    BPO -> managed service (SLAs), or a dedicated team for steady volume; outcome-based once
    the process is stable. KPO -> fixed price for a defined project, time and materials when
    the scope is open, a dedicated team for ongoing analysis. Hybrid -> one of each, per part.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.taxonomy import BPO, HYBRID, KPO


@dataclass(frozen=True)
class ContractModel:
    key: str
    fits: tuple[str, ...]  # "bpo", "kpo"


MODELS: tuple[ContractModel, ...] = (
    ContractModel("dedicated_team", (BPO, KPO)),
    ContractModel("managed_service", (BPO,)),
    ContractModel("fixed_price", (KPO,)),
    ContractModel("time_materials", (KPO,)),
    ContractModel("outcome_based", (BPO,)),
)
BY_KEY = {m.key: m for m in MODELS}

SUGGESTED = {
    BPO: ("managed_service", "dedicated_team"),
    KPO: ("fixed_price", "time_materials"),
}

CHECKLIST = ("slas", "security", "ip", "exit", "pilot", "people", "pricing_changes")


def suggested(choice: str | None) -> list[str]:
    """The contract models to suggest for a recommendation's choice (all of a hybrid's parts)."""
    if choice == HYBRID:
        return list(dict.fromkeys([*SUGGESTED[BPO], *SUGGESTED[KPO]]))
    return list(SUGGESTED.get(choice or "", ()))


def models_for(model: str) -> list[str]:
    """Contract model keys that fit `model` ("bpo" or "kpo")."""
    return [m.key for m in MODELS if model in m.fits]
