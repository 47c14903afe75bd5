"""The task taxonomy from the source article: which work is BPO and which is KPO.

Each task has a stable key (stored in the `tasks` slot), the service category it
belongs to, and the phrases people use for it. The phrases are matched over
normalised tokens (lower case, singular, typos corrected, filler words dropped)
by `advisor.nlp`, so "keeping the books in order" and "keep our book in order"
hit the same pattern.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BPO = "bpo"
KPO = "kpo"
HYBRID = "hybrid"


@dataclass(frozen=True)
class Category:
    """A service type from the article, e.g. back-office BPO or legal KPO."""

    key: str
    model: str
    label: str


@dataclass(frozen=True)
class Task:
    """One kind of work a company may hand off."""

    key: str
    label: str
    category: str
    phrases: tuple[str, ...]
    customer_facing: bool = False

    @property
    def model(self) -> str:
        return CATEGORIES[self.category].model


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category("bpo_back_office", BPO, "back-office BPO"),
        Category("bpo_front_office", BPO, "front-office BPO"),
        Category("bpo_industry", BPO, "industry-specific BPO"),
        Category("bpo_general", BPO, "process outsourcing"),
        Category("kpo_rnd", KPO, "research and development"),
        Category("kpo_strategy", KPO, "strategic consulting"),
        Category("kpo_technology", KPO, "technology services"),
        Category("kpo_market_research", KPO, "market research"),
        Category("kpo_financial", KPO, "financial analysis"),
        Category("kpo_legal", KPO, "legal services"),
        Category("kpo_general", KPO, "knowledge outsourcing"),
    )
}

_TASKS: tuple[Task, ...] = (
    Task(
        "accounting",
        "accounting and bookkeeping",
        "bpo_back_office",
        (
            "accounting", "accountancy", "bookkeeping", "book keeping", "bookkeeper",
            "keep book", "keep book in order", "books in order", "do book", "do our books",
            "accounts payable", "accounts receivable", "account payable", "account receivable",
            "invoicing", "invoice", "invoice processing", "billing", "bill customer",
            "expense report", "reconciliation", "bank reconciliation",
            "ledger", "general ledger", "month end close", "tax filing", "tax return",
            "vat return", "payment processing", "chase payment", "credit control",
            "collections", "debt collection", "financial record", "record keeping",
           
        ),
    ),
    Task(
        "data_entry",
        "data entry and processing",
        "bpo_back_office",
        (
            "data entry", "data processing", "data input", "enter data", "typing data", "data entery",
            "key in data", "data capture", "data management", "data cleansing",
            "data cleaning", "clean up data", "data migration", "digitise", "digitize",
            "digitisation", "digitization", "scan document", "document processing",
            "form processing", "process form", "transcription", "transcribe",
            "catalog update", "catalogue update", "product listing", "update spreadsheet",
            "copy paste", "order processing", "process order", "type into system", "key in product data",
            "back office", "back office work", "admin work", "administrative work",
            "administration", "paperwork", "clerical work", "clerical", "database update",
            "crm update", "update crm", "update database",
            "into system", "into our system", "type into", "key into", "enter into",
        ),
    ),
    Task(
        "it_support",
        "IT support",
        "bpo_back_office",
        (
            "it support", "it help desk", "it helpdesk", "tech support", "technical support",
            "desktop support", "help desk", "helpdesk", "service desk", "password reset",
            "reset password", "laptop setup", "device management", "network monitoring",
            "server monitoring", "system administration", "sysadmin", "it maintenance",
            "website maintenance", "maintain website", "it infrastructure", "it operation",
            "it service", "fix computer", "computer problem", "look after laptop", "look after computer",
            "look after server", "laptop and server",
        ),
    ),
    Task(
        "hr_payroll",
        "HR and payroll",
        "bpo_back_office",
        (
            "payroll", "pay roll", "payroll processing", "run payroll", "salary",
            "salary processing", "pay slip", "payslip", "pay employee", "paying employee",
            "paying staff", "pay staff", "wage", "timesheet", "time sheet", "hr", "human resource",
            "hr admin", "hr administration", "benefit administration", "employee benefit",
            "onboarding", "onboarding paperwork", "offboarding", "employee record",
            "leave management", "pension", "staff training", "employee training",
            "people operation", "personnel", "personnel file",
        ),
    ),
    Task(
        "recruitment",
        "recruitment",
        "bpo_back_office",
        (
            "recruitment", "recruiting", "recruit", "hiring", "hire staff", "hire people",
            "talent acquisition", "sourcing candidate", "candidate sourcing",
            "screen cv", "screen resume", "cv screening", "resume screening",
            "find candidate", "find staff", "staffing", "headhunting",
            "job posting", "post job", "interview scheduling", "schedule interview", "hire new staff",
            "hire new people", "hire worker", "hire employee", "new hire",
        ),
    ),
    Task(
        "customer_support",
        "customer support",
        "bpo_front_office",
        (
            "customer support", "customer service", "customer care", "client support",
            "client service", "customer support team", "support team", "support desk",
            "call center", "call centre", "contact center", "contact centre",
            "answer call", "answering call", "answer phone", "answering phone",
            "pick up phone", "picking up phone", "phone support", "inbound call",
            "handle call", "take call", "answer email", "answering email", "email support",
            "live chat", "chat support", "answer chat", "support ticket", "customer ticket",
            "handle complaint", "complaint", "customer inquiry", "customer enquiry",
            "customer question", "customer request", "answer question from customer",
            "after sale support", "after sales support", "technical support for customer",
            "user support", "player support", "guest support", "patient support", "support for customer",
            "order inquiry", "returns handling", "handle return", "refund request",
            "billing question", "billing query", "billing enquiry", "billing inquiry", "support queue",
            "support inbox", "support request", "support email", "reservation", "reservation call",
            "booking call", "booking request", "customer call", "customer email", "customer chat", "customer message",
            "customer phone call", "call from customer", "email from customer", "phone call",
            "answer customer", "answering customer", "talk to customer", "talking to customer",
            "respond to customer", "reply to customer", "handle customer", "deal with customer",
            "inbound", "answer phone call", "24/7 support", "support 24/7",
            "round the clock support", "support line", "support hotline", "hotline", "helpline",
            "support agent", "phone line", "phones", "answer the phones", "man the phones",
           
        ),
        customer_facing=True,
    ),
    Task(
        "sales",
        "sales and lead generation",
        "bpo_front_office",
        (
            "sales", "sales team", "sales rep", "sales people", "sales agent", "sales work", "sales support",
            "help with sales", "outsource sales", "handle sales", "do sales", "telesales", "telesale", "telemarketing", "outbound call",
            "cold call", "cold calling", "lead generation", "lead gen", "generate lead",
            "appointment setting", "book meeting", "book appointment", "inside sales",
            "sales call", "upsell", "upselling", "sales team",
            "sales development", "prospecting",
        ),
        customer_facing=True,
    ),
    Task(
        "marketing",
        "marketing operations",
        "bpo_front_office",
        (
            "marketing", "digital marketing", "social media", "social media management",
            "social media posting", "post on social media", "email campaign",
            "email marketing", "newsletter", "marketing campaign", "campaign management",
            "advertising", "ad campaign", "seo", "content posting", "community management",
            "promotion",
        ),
    ),
    Task(
        "industry_bpo",
        "industry-specific processing",
        "bpo_industry",
        (
            "medical billing", "medical coding", "claim processing", "claims processing",
            "insurance claim", "process claim", "healthcare billing", "patient record",
            "loan processing", "mortgage processing", "kyc check", "kyc", "policy administration",
            "telecom billing", "telecom order", "pharmacy billing", "revenue cycle",
            "underwriting support", "trade settlement", "medical billing and coding", "billing and coding",
        ),
    ),
    Task(
        "routine_process",
        "other routine process work",
        "bpo_general",
        ("routine work", "repetitive work", "routine task", "repetitive task",
         "process work", "manual work", "grunt work", "busywork"),
    ),
    Task(
        "research_development",
        "research and development",
        "kpo_rnd",
        (
            "research and development", "r&d", "r & d", "rnd", "product research",
            "product development", "develop new product", "new product development",
            "developing new", "develop new", "new material", "new formula", "prototype", "prototyping", "scientific research", "lab research",
            "clinical research", "clinical trial", "engineering research", "design research",
            "develop product", "product design", "innovation project", "research project",
            "developing new product", "developing product",
        ),
    ),
    Task(
        "strategic_consulting",
        "strategic consulting",
        "kpo_strategy",
        (
            "strategic consulting", "strategy consulting", "business strategy", "strategy",
            "strategic plan", "strategic planning", "business plan", "market entry",
            "market entry strategy", "enter new market", "m&a", "entering new market",
            "enter market", "expansion strategy", "expansion plan", "go to market",
            "go-to-market", "positioning", "market positioning", "transformation",
            "business transformation", "digital transformation", "restructuring",
            "growth strategy", "pricing strategy", "marketing strategy", "consulting",
            "management consulting", "advice on strategy", "roadmap", "should we enter",
            "whether to enter", "whether we should enter", "m&a advice",
            "whether expanding", "whether to expand", "whether we should expand", "expand into",
            "expanding into", "expanding to", "expand to", "expansion", "international expansion",
            "new market entry", "market opportunity", "makes sense to expand", "expand into",
            "expansion into",
           
        ),
    ),
    Task(
        "software_development",
        "advanced software development",
        "kpo_technology",
        (
            "software development", "software engineering", "develop software",
            "build software", "custom software", "app development", "build app",
            "build an app", "mobile app", "web app", "build platform", "develop platform",
            "machine learning", "ml model", "artificial intelligence", "ai", "ai model",
            "algorithm", "recommendation engine", "computer vision", "nlp",
            "cloud architecture", "software architecture", "develop application",
            "programming", "coding", "developing software", "developing app", "developing application",
            "developing platform",
        ),
    ),
    Task(
        "data_analytics",
        "data analytics",
        "kpo_technology",
        (
            "data analytics", "data analysis", "analytics", "analyse data", "analyze data",
            "data science", "business intelligence", "bi dashboard",
            "dashboard", "reporting dashboard", "predictive model", "predictive analytics",
            "forecast", "forecasting", "demand forecast", "demand forecasting",
            "sales forecast", "forecast demand", "predict demand", "predict churn",
            "churn analysis", "churn model", "customer analytics", "big data",
            "data mining", "statistical analysis", "statistics", "data insight",
            "crunch number", "number crunching", "make sense of data", "make sense of all the data",
            "insight from data",
            "data modelling", "data modeling", "sales data",
        ),
    ),
    Task(
        "market_research",
        "market research",
        "kpo_market_research",
        (
            "market research", "market analysis", "market study", "market survey",
            "competitor analysis", "competitive analysis", "competitor research",
            "competitive intelligence", "competitor benchmarking", "benchmarking",
            "analyse competitor", "analyze competitor", "study competitor", "competitor",
            "competition", "market sizing", "market size", "size market",
            "consumer research", "consumer insight", "customer research", "customer insight",
            "customer survey", "survey analysis", "focus group", "industry analysis",
            "industry report", "trend analysis", "market trend", "deep dive into market",
            "understand market", "research market", "feasibility study", "survey customer",
            "analyse market", "analyze market", "analysis of market", "study market",
        ),
    ),
    Task(
        "financial_analysis",
        "financial analysis",
        "kpo_financial",
        (
            "financial analysis", "financial analytics", "finance analysis",
            "financial modelling", "financial modeling", "financial model",
            "financial forecasting", "financial forecast", "financial planning",
            "financial planning and analysis", "fp&a", "budget forecast",
            "risk management", "risk analysis", "risk assessment", "credit risk",
            "credit analysis", "investment research", "investment analysis",
            "investment decision", "equity research", "valuation", "company valuation",
            "due diligence", "portfolio analysis", "portfolio management", "cash flow model",
            "cash flow forecast", "financial insight", "financial due diligence",
            "analyse financial", "analyze financial", "financial report analysis",
            "crunch number for investment", "m&a analysis",
            "value company", "value business", "value startup", "valuing", "acquisition target",
            "target company", "price acquisition", "what company is worth", "business is worth",
        ),
    ),
    Task(
        "legal_services",
        "legal services",
        "kpo_legal",
        (
            "legal service", "legal work", "legal support", "legal help", "legal advice",
            "legal research", "legal process outsourcing", "lpo", "contract review",
            "review contract", "reviewing contract", "contract drafting", "draft contract",
            "drafting contract", "contract management", "contract analysis", "check contract",
            "legal document", "legal review", "compliance", "regulatory compliance",
            "regulatory", "regulation", "gdpr", "legal compliance", "compliance check",
            "compliance review", "patent research", "patent search", "patent",
            "intellectual property", "ip research", "trademark", "litigation support",
            "e discovery", "ediscovery", "document review", "legal",
            "nda", "terms and condition",
            "compliant", "be compliant", "stay compliant", "avoid fine", "agreement", "supplier agreement", "review agreement", "go through agreement",
            "clause", "risky clause", "flag clause", "liability", "legal risk", "terms of service",
            "privacy policy", "employment law", "licensing",
        ),
    ),
    Task(
        "expert_analysis",
        "specialist research and analysis",
        "kpo_general",
        ("research", "expert analysis", "specialist analysis", "specialist work", "expert work",
         "analytical work", "analysis", "analyse", "analyze", "insight",
         "expert advice", "specialist knowledge", "knowledge work"),
    ),
)

TASKS: dict[str, Task] = {t.key: t for t in _TASKS}

# Skills a company may say it lacks, with the words that name them.
SKILLS: dict[str, tuple[str, ...]] = {
    "legal": ("legal", "law", "lawyer", "attorney", "counsel", "contract", "compliance", "regulatory"),
    "finance": ("finance", "financial", "accounting", "accountant", "investment", "risk", "cfo"),
    "data science": ("data science", "data scientist", "analytics", "statistic", "machine learning",
                     "ai", "data analyst", "data engineer", "data"),
    "research": ("research", "researcher", "market research", "scientist"),
    "strategy": ("strategy", "strategic", "consulting", "consultant", "business planning"),
    "software engineering": ("software", "engineer", "engineering", "developer", "programming",
                             "coding", "technical", "tech"),
    "marketing": ("marketing", "marketer", "seo", "social media"),
    "customer service": ("customer service", "support agent", "call center", "language"),
    "hr": ("hr", "human resource", "recruiter", "recruiting", "payroll"),
}

GOALS: dict[str, tuple[str, ...]] = {
    "cost_reduction": (
        "cost reduction", "reduce cost", "cut cost", "lower cost", "save cost", "cost saving",
        "save money", "saving money", "cheaper", "cheap", "reduce expense", "cut expense",
        "lower expense", "reduce overhead", "cut overhead", "lower overhead", "cost effective",
        "cost-effective", "efficiency", "efficient", "affordable", "spend less", "cost down",
        "keep cost down", "budget friendly", "reduce spending",
    ),
    "focus_core": (
        "focus on core", "core business", "core product", "core activity", "core competency",
        "core work", "focus on what we do best", "free up team", "free up staff",
        "free our team", "free up time", "concentrate on", "focus on product", "focus on growth",
        "focus on customer", "offload", "take off our plate", "off our plate",
    ),
    "scalability": (
        "scale", "scaling", "scale up", "scale down", "scalability", "grow quickly",
        "rapid growth", "growing fast", "grow", "growth", "seasonal", "seasonal peak",
        "peak", "busy season", "holiday season", "flexibility", "flexible capacity",
        "ramp up", "expand quickly", "handle volume", "more volume", "expand team",
    ),
    "round_the_clock": (
        "24/7", "24x7", "24 7", "24 hour", "round the clock", "around the clock", "at all hour",
        "overnight", "night shift", "night and weekend", "weekend", "always available",
        "every time zone", "all time zone", "any time of day", "day and night", "nonstop",
        "non stop",
    ),
    "strategic_decisions": (
        "strategic decision", "better decision", "decision making", "informed decision",
        "data driven", "data-driven decision", "insight", "strategic insight",
        "strategic direction", "strategic planning", "long term planning", "plan ahead",
        "make better decision", "transformation", "new market",
    ),
    "innovation": (
        "innovation", "innovate", "innovative", "new idea", "fresh idea", "fresh perspective",
        "stay ahead", "cutting edge", "state of the art", "modernise", "modernize",
        "improve our process", "improve process", "process improvement", "new methodology",
        "new technology", "disrupt", "competitive edge", "competitive advantage",
        "new product",
    ),
}

GOAL_LABELS: dict[str, str] = {
    "cost_reduction": "cutting costs",
    "focus_core": "keeping your team on core work",
    "scalability": "scaling up or down quickly",
    "round_the_clock": "round-the-clock customer coverage",
    "strategic_decisions": "better strategic decisions",
    "innovation": "innovation",
}


def task(key: str) -> Task:
    """Look a task up by key (KeyError for unknown keys)."""
    return TASKS[key]


def model_of(key: str) -> str | None:
    """`bpo` or `kpo` for a task key, None for unknown keys."""
    t = TASKS.get(key)
    return t.model if t else None


def split_by_model(keys: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split task keys into (BPO tasks, KPO tasks), keeping order and dropping unknowns."""
    bpo = [k for k in keys if model_of(k) == BPO]
    kpo = [k for k in keys if model_of(k) == KPO]
    return bpo, kpo


def labels(keys: Iterable[str]) -> list[str]:
    """Human labels for task keys."""
    return [TASKS[k].label for k in keys if k in TASKS]


def join_labels(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def sentence_case(text: str) -> str:
    """Upper-case the first letter only ("HR and payroll" stays as it is)."""
    return text[:1].upper() + text[1:]
