"""Does a learned model beat the rules on the corpus? Cross-validation on the development part only.

Compares, by 5-fold cross-validation (3 seeds) on the development part of corpus/:
- the rules alone (`scripts/corpus_eval.predict`);
- a logistic regression over the rules' own counts (routine and knowledge task hits and keys,
  the rules' choice, the length), used as an arbiter that may only replace the rules' "hybrid"
  when it is confident, or answer when the rules found no task;
- a logistic regression over word n-grams plus those counts, replacing the rules outright.

The held-out part is never read here. Run: PYTHONPATH=. .venv/bin/python scripts/corpus_model_experiment.py
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from advisor.reading import read
from scripts.corpus_eval import load, predict

warnings.filterwarnings("ignore")


def counts(text: str, rule: str) -> list[float]:
    hits = [h for h in read(text).tasks if not h.negated]
    bpo = [h for h in hits if h.model == "bpo"]
    kpo = [h for h in hits if h.model == "kpo"]
    total = len(bpo) + len(kpo) + 1e-9
    return [
        np.log1p(len(bpo)),
        np.log1p(len(kpo)),
        len({h.key for h in bpo}),
        len({h.key for h in kpo}),
        len(kpo) / total,
        len(bpo) / total,
        rule == "bpo",
        rule == "kpo",
        rule == "hybrid",
        rule == "none",
        np.log1p(len(text)),
    ]


def score(pred: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    return float((pred == y).mean()), float((pred[y == "hybrid"] == "hybrid").mean())


def main() -> None:
    dev = [e for e in load() if e["part"] == "dev"]
    y = np.array([e["label"] for e in dev])
    texts = [e["text"] for e in dev]
    rules = np.array([predict(t)[0] for t in texts], dtype=object)
    features = np.array([counts(t, r) for t, r in zip(texts, rules, strict=True)], dtype=float)
    print(f"development part: {len(dev)} requests")
    print("rules alone:                      overall {:.3f}  hybrid {:.3f}".format(*score(rules, y)))
    for threshold in (0.6, 0.7):
        results = []
        for seed in range(3):
            pred = rules.copy()
            for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(features, y):
                model = LogisticRegression(C=3, max_iter=2000, class_weight="balanced").fit(features[train], y[train])
                for row, i in zip(model.predict_proba(features[test]), test, strict=True):
                    best, p = model.classes_[row.argmax()], row.max()
                    if rules[i] == "none" or (rules[i] == "hybrid" and best != "hybrid" and p >= threshold):
                        pred[i] = best
            results.append(score(pred, y))
        print(f"rules + arbiter (p >= {threshold}):       overall %.3f  hybrid %.3f" % tuple(np.mean(results, axis=0)))
    results = []
    for seed in range(3):
        pred = np.empty(len(dev), dtype=object)
        for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(features, y):
            vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
            x_train = hstack([csr_matrix(features[train]), vectorizer.fit_transform([texts[i] for i in train])])
            x_test = hstack([csr_matrix(features[test]), vectorizer.transform([texts[i] for i in test])])
            pred[test] = LogisticRegression(C=1, max_iter=2000).fit(x_train, y[train]).predict(x_test)
        results.append(score(pred, y))
    print("text n-grams + counts, replacing:  overall {:.3f}  hybrid {:.3f}".format(*tuple(np.mean(results, axis=0))))


if __name__ == "__main__":
    main()
