"""Train the complaint layer (lifecycle/sentiment_model.json) on the complaints development split.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python -m tests.benchmarks.train_sentiment_layer          # prints figures, writes the model
    .venv/bin/python -m tests.benchmarks.train_sentiment_layer --check  # prints figures only

A logistic regression (scikit-learn, deterministic lbfgs) over VADER's compound/pos/neg and the cue
indicators of lifecycle/sentiment_cues.py, fitted on the messages the layer would see: a complaint cue fired,
and VADER's compound is between STRONGEST and the gate (or above the gate with an override cue). The classes
weigh equally: the split is 71% negative, far more than a customer-success team sees, and a layer that learned
that prior would call every message with a cue a complaint. Cross-validation (5 folds x 3 repeats, fixed seed)
scores the held-out folds with the real scorer, score_text(text, model=<fold model>), so the printed figures
are those of the shipped code path. Only the weights are learned; the gate, threshold, praise margin and
ceilings below were chosen by hand against these cross-validated figures, the VADER corpora
(tests/benchmarks/test_sentiment_corpora.py) and the praise examples in tests/lifecycle/test_sentiment_complaints.py.
The cue patterns themselves were written while reading this split's misread messages, so the cross-validated
figures measure the weights, not the cue design: the held-out part of the corpus is the real check.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import RepeatedStratifiedKFold

from lifecycle.sentiment import cleaned_text, label_for, score_text, score_text_raw_vader
from lifecycle.sentiment_cues import COMPLAINT_CUES, CUES, cues_in
from lifecycle.sentiment_layer import MODEL_FILE, NO_LAYER, VADER_FEATURES, ComplaintModel, features
from tests.sentiment_corpora import COMPLAINTS_PATH, ComplaintFigures, complaint_figures, load_complaints

SEED = 20150201
FOLDS, REPEATS = 5, 3
C = 1.0  # inverse L2 strength; 0.3 and 3 move the cross-validated figures by under 0.01
THRESHOLD = 0.5
PRAISE_MARGIN = 0.3  # at compound 0.6 the layer needs p >= 0.68: CS praise often names a solved problem
GATE = 0.7
OVERRIDES = frozenset({"sarcasm after praise", "closing verdict", "polite complaint"})
MILDEST, STRONGEST = -0.1, -0.35  # a complaint found by cues is negative, not an alert (strongly_negative)
FEATURES = VADER_FEATURES + tuple(cue.name for cue in CUES)
OUTPUT = Path(__file__).resolve().parents[2] / "lifecycle" / MODEL_FILE


def _inputs(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix, and whether the layer would look at each text."""
    matrix, eligible = [], []
    for text in texts:
        before = score_text(text, model=NO_LAYER)
        found = cues_in(cleaned_text(text))
        row = features(found, {"pos": before.pos, "neg": before.neg}, before.compound)
        matrix.append([row.get(name, 0.0) for name in FEATURES])
        cued = any(name in found for name in COMPLAINT_CUES)
        below_gate = STRONGEST < before.compound < GATE  # as lifecycle.sentiment_layer.assess decides
        eligible.append(cued and (below_gate or (before.compound >= GATE and bool(OVERRIDES.intersection(found)))))
    return np.array(matrix), np.array(eligible)


def _fit(matrix: np.ndarray, negative: np.ndarray, negative_weight: float) -> ComplaintModel:
    weights = np.where(negative, negative_weight, 1.0)
    regression = LogisticRegression(C=C, max_iter=5000)
    regression.fit(matrix, negative, sample_weight=weights)
    return ComplaintModel(
        weights={name: round(float(w), 4) for name, w in zip(FEATURES, regression.coef_[0], strict=True)},
        intercept=round(float(regression.intercept_[0]), 4),
        threshold=THRESHOLD,
        praise_margin=PRAISE_MARGIN,
        gate=GATE,
        overrides=OVERRIDES,
        mildest=MILDEST,
        strongest=STRONGEST,
    )


def _summary(runs: list[ComplaintFigures]) -> dict[str, float]:
    return {
        name: round(statistics.mean(getattr(run, name) for run in runs), 4)
        for name in ComplaintFigures.__dataclass_fields__
    }


def main() -> None:
    """Cross-validate, print the figures, fit on the whole split and write the model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print the figures, do not write the model")
    args = parser.parse_args()

    rows = load_complaints()
    texts = [row.text for row in rows]
    negative = np.array([row.label == "negative" for row in rows])
    matrix, eligible = _inputs(texts)
    negative_weight = float((~negative).sum() / negative.sum())  # so both classes of the split weigh the same
    print(f"{COMPLAINTS_PATH.name}: {len(rows)} messages, the layer looks at {eligible.mean():.1%} of them")

    runs = []
    splits = RepeatedStratifiedKFold(n_splits=FOLDS, n_repeats=REPEATS, random_state=SEED)
    labels: list[str] = [""] * len(rows)
    for fold, (train, test) in enumerate(splits.split(matrix, negative)):
        train = train[eligible[train]]
        model = _fit(matrix[train], negative[train], negative_weight)
        for index in test:
            labels[index] = score_text(texts[index], model=model).label
        if fold % FOLDS == FOLDS - 1:  # one repeat done: every message was held out once
            runs.append(complaint_figures(rows, labels))

    final = _fit(matrix[eligible], negative[eligible], negative_weight)
    fitted = complaint_figures(rows, [score_text(text, model=final).label for text in texts])
    before = complaint_figures(rows, [score_text(text, model=NO_LAYER).label for text in texts])
    raw = complaint_figures(rows, [label_for(score_text_raw_vader(text)) for text in texts])
    print("| figure | raw VADER | rules only | layer, cross-validated (min-max of repeats) | layer, fitted on all |")
    print("|---|---|---|---|---|")
    for name in ComplaintFigures.__dataclass_fields__:
        values = [getattr(run, name) for run in runs]
        print(
            f"| {name} | {getattr(raw, name):.3f} | {getattr(before, name):.3f} | {statistics.mean(values):.3f} "
            f"({min(values):.3f}-{max(values):.3f}) | {getattr(fitted, name):.3f} |"
        )
    print("\nweights (positive = towards a complaint):")
    for name, weight in sorted(final.weights.items(), key=lambda item: item[1]):
        print(f"  {name:22s} {weight:+.3f}")
    print(f"  {'(intercept)':22s} {final.intercept:+.3f}")

    if not args.check:
        document = {
            **final.to_json(),
            "trained_on": f"{COMPLAINTS_PATH.name} ({len(rows)} messages), {eligible.sum()} seen by the layer",
            "cross_validated": {"folds": FOLDS, "repeats": REPEATS, "seed": SEED, **_summary(runs)},
        }
        OUTPUT.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {OUTPUT}")


if __name__ == "__main__":
    main()
