"""Cue words: recognise work described without any of the taxonomy's phrases.

"A team to field our support emails while we sleep" names no task phrase, but
its words (field, support, email, sleep) point clearly at customer support.
Each task has weighted cue lemmas; a stretch of text with no phrase match is
scored, and the best task counts when its score reaches `THRESHOLD` and beats
the runner-up by `MARGIN`. Phrase matches always win over cues.
"""

from __future__ import annotations

from collections.abc import Iterable

THRESHOLD = 2.0
MARGIN = 0.75

CUES: dict[str, dict[str, float]] = {
    "customer_support": {
        "email": 1, "inbox": 1, "phone": 1.5, "call": 1, "caller": 1.5, "chat": 1, "ticket": 1.5,
        "complaint": 2, "enquiry": 2, "inquiry": 2, "customer": 1, "client": 0.5, "guest": 0.5,
        "sleep": 1, "overnight": 1, "night": 1, "field": 1, "answer": 1, "respond": 1, "reply": 1,
        "support": 1.5, "helpdesk": 2, "refund": 1.5, "query": 1, "queries": 1, "question": 0.5,
        "weekend": 0.5, "holiday": 0.3, "shopper": 1, "buyer": 0.5, "agent": 1, "line": 0.5,
    },
    "data_entry": {
        "key": 1, "type": 1, "typing": 1.5, "enter": 1, "input": 1, "copy": 1.5, "paste": 1,
        "form": 1.5, "paper": 1.5, "scan": 1.5, "spreadsheet": 1.5, "database": 1.5, "record": 1,
        "catalog": 1.5, "catalogue": 1.5, "listing": 1.5, "upload": 1.5, "digitise": 2, "digitize": 2,
        "entry": 1.5, "thousand": 0.5, "product": 0.5, "description": 1, "transfer": 1, "migrate": 1,
        "document": 1, "file": 0.5, "pdf": 1.5, "excel": 1.5, "crm": 1, "system": 0.3,
    },
    "accounting": {
        "invoice": 2, "bill": 1.5, "payment": 1.5, "unpaid": 2, "chase": 1, "receipt": 1.5,
        "expense": 1.5, "book": 1, "ledger": 2, "tax": 1.5, "vat": 2, "reconcile": 2,
        "account": 1, "payable": 2, "receivable": 2, "bookkeeping": 2, "debtor": 2, "supplier": 0.5,
        "vendor": 0.5, "month-end": 2, "audit": 1, "accountant": 1.5,
    },
    "hr_payroll": {
        "salary": 2, "wage": 2, "payslip": 2, "paycheck": 2, "payroll": 2, "benefit": 1,
        "pension": 1.5, "leave": 1, "timesheet": 2, "employee": 1, "staff": 0.5, "onboard": 1.5,
        "onboarding": 1.5, "paperwork": 1, "hr": 2, "pay": 0.5, "overtime": 1.5, "absence": 1.5,
    },
    "recruitment": {
        "candidate": 2, "hiring": 2, "recruit": 2, "recruiting": 2, "vacancy": 2, "job": 1.5,
        "cv": 2, "resume": 2, "interview": 2, "applicant": 2, "screen": 1.5, "headhunt": 2,
        "talent": 1, "position": 1, "role": 0.5, "opening": 1, "shortlist": 2, "hire": 1.5,
    },
    "it_support": {
        "laptop": 2, "computer": 1.5, "server": 1.5, "network": 1.5, "password": 2, "printer": 2,
        "outage": 1.5, "device": 1.5, "patch": 1.5, "backup": 1.5, "wifi": 2, "login": 1.5,
        "account": 0.3, "install": 1, "update": 0.5, "maintain": 1, "maintenance": 1, "fix": 1,
        "broken": 1, "office": 0.3, "setup": 1, "security": 1, "antivirus": 2,
    },
    "sales": {
        "appointment": 1.5, "lead": 1.5, "prospect": 2, "cold": 1.5, "outbound": 2, "sell": 1.5,
        "upsell": 2, "demo": 1, "meeting": 1, "quota": 1.5, "deal": 1, "pipeline": 1.5,
        "telemarketing": 2, "sales": 1.5, "closing": 1, "renewal": 1,
    },
    "marketing": {
        "social": 1.5, "instagram": 2, "facebook": 2, "linkedin": 1.5, "tiktok": 2, "newsletter": 2,
        "campaign": 2, "ad": 1.5, "advert": 2, "post": 1, "content": 1, "seo": 2, "brand": 1,
        "promotion": 1.5, "promote": 1.5, "follower": 1.5, "blog": 1.5, "marketing": 2,
    },
    "industry_bpo": {
        "claim": 2, "medical": 1, "patient": 0.5, "coding": 0.5, "porting": 2, "sim": 2,
        "activation": 2, "subscriber": 1, "kyc": 2, "underwriting": 1.5, "insurance": 1.5,
        "mortgage": 1.5, "telecom": 1.5, "policyholder": 2, "prescription": 1.5, "pharmacy": 1,
        "billing": 1,
    },
    "data_analytics": {
        "predict": 2, "prediction": 2, "predictive": 2, "churn": 2, "forecast": 2, "model": 1,
        "analyse": 1.5, "analyze": 1.5, "analysis": 1.5, "analytics": 2, "dashboard": 2,
        "insight": 1.5, "trend": 1, "pattern": 1.5, "statistic": 2, "data": 0.7, "machine": 1,
        "segment": 1.5, "segmentation": 2, "metric": 1.5, "kpi": 1.5, "optimise": 1,
        "optimize": 1, "dropped": 1, "drop": 0.5, "why": 0.5, "understand": 0.5, "behaviour": 1,
        "behavior": 1, "recommendation": 1,
    },
    "market_research": {
        "demand": 1.5, "market": 1.5, "competitor": 2, "rival": 2, "competition": 2, "pricing": 1.5,
        "price": 1, "survey": 1.5, "consumer": 1.5, "launch": 1, "willingness": 2, "pay": 1,
        "study": 1.5, "whether": 1, "opportunity": 1.5, "audience": 1.5, "country": 1, "region": 1,
        "trend": 1, "benchmark": 2, "interview": 0.3, "appetite": 1.5, "potential": 1,
    },
    "financial_analysis": {
        "risk": 1.5, "loan": 1.5, "credit": 1.5, "portfolio": 2, "investment": 2, "invest": 1.5,
        "investor": 1.5, "valuation": 2, "value": 1, "model": 0.7, "financial": 2, "finance": 1.5,
        "cash": 1, "cashflow": 2, "profitability": 2, "fund": 1.5, "fundraising": 2,
        "acquisition": 1.5, "acquire": 1.5, "merger": 2, "stock": 1.5, "equity": 2, "hedge": 2,
        "exposure": 1.5, "return": 0.5, "margin": 1, "worth": 1, "lend": 1.5, "lending": 1.5,
    },
    "legal_services": {
        "contract": 2, "legal": 2, "law": 2, "lawyer": 1.5, "clause": 2, "compliance": 2,
        "comply": 2, "regulation": 2, "regulatory": 2, "gdpr": 2, "patent": 2, "trademark": 2,
        "lawsuit": 2, "litigation": 2, "dispute": 1.5, "liability": 2, "agreement": 1.5,
        "terms": 1, "rule": 1, "licence": 1.5, "license": 1.5, "court": 2, "lease": 1.5,
        "fine": 1, "privacy": 1.5, "legally": 2,
    },
    "software_development": {
        "build": 1, "develop": 1, "app": 2, "software": 2, "platform": 1.5, "system": 1, "code": 1.5,
        "program": 1, "algorithm": 2, "vision": 1.5, "ai": 2, "automation": 1.5, "automate": 1.5,
        "integration": 1.5, "api": 2, "website": 1, "custom": 1, "tool": 1, "engine": 1,
        "backend": 2, "frontend": 2, "mobile": 1, "feature": 1, "detect": 1, "spot": 0.5,
        "robot": 1, "chatbot": 2,
    },
    "research_development": {
        "invent": 2, "invention": 2, "prototype": 2, "formulation": 2, "lab": 2, "laboratory": 2,
        "experiment": 2, "test": 0.5, "testing": 0.5, "drug": 2, "material": 1.5, "battery": 1,
        "design": 1, "engineering": 1, "research": 1.5, "innovation": 1.5, "new": 0.5,
        "product": 0.3, "science": 1.5, "scientific": 2, "develop": 0.7, "chemistry": 2,
        "molecule": 2, "compound": 1.5, "trial": 1.5, "patentable": 2, "breakthrough": 2,
    },
    "strategic_consulting": {
        "strategy": 2, "strategic": 2, "plan": 1, "roadmap": 2, "expand": 1.5, "expansion": 2,
        "enter": 1, "positioning": 2, "restructure": 2, "transform": 2, "transformation": 2,
        "growth": 1, "advice": 1, "advise": 1.5, "direction": 1.5, "decision": 1, "reorganise": 2,
        "reorganize": 2, "pivot": 2, "vision": 0.5, "board": 1, "turnaround": 2,
    },
}


def cue_vocabulary() -> list[str]:
    """Every cue word (added to the typo corrector's vocabulary)."""
    return sorted({word for cues in CUES.values() for word in cues})


def score(keys: Iterable[str]) -> list[tuple[str, float]]:
    """Tasks ranked by the summed weight of their cues among `keys` (each key counted once)."""
    present = set(keys)
    totals = [(task, sum(w for word, w in cues.items() if word in present)) for task, cues in CUES.items()]
    return sorted((t for t in totals if t[1] > 0), key=lambda t: -t[1])


def best_task(keys: Iterable[str]) -> str | None:
    """The task the words point to, if they point clearly enough."""
    ranked = score(keys)
    if not ranked or ranked[0][1] < THRESHOLD:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN:
        return None
    return ranked[0][0]
