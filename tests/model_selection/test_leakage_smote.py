"""Resampling before splitting inflates scores; cross_validate's in-fold resampling does not.

The leaky protocol over-samples with SMOTE first and cross-validates on the result, so synthetic
neighbours of each test point sit in its training folds and a 1-nearest-neighbour model finds
them. ``cross_validate(..., resampler=SMOTE())`` resamples the training folds only; its estimate
must stay close to the score on a held-out part that nothing was fitted on.
"""

from __future__ import annotations

import pytest

pytest.importorskip("sklearn")

from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import KNeighborsClassifier

from torchbalance.datasets import make_classification
from torchbalance.model_selection import cross_validate, stratified_split
from torchbalance.over_sampling import SMOTE


@pytest.mark.parametrize("seed", [0, 3])
def test_in_fold_smote_is_honest_where_resample_then_split_is_inflated(seed: int) -> None:
    X, y = make_classification(
        1200, n_features=6, weights=[0.93, 0.07], class_sep=0.4, generator=seed
    )
    dev, held = stratified_split(y, (2 / 3, 1 / 3), generator=seed)
    X_dev, y_dev = X[dev].numpy(), y[dev].numpy()
    X_held, y_held = X[held].numpy(), y[held].numpy()

    honest = cross_validate(
        KNeighborsClassifier(1),
        X_dev,
        y_dev,
        resampler=SMOTE(generator=0),
        metrics=["balanced_accuracy"],
        generator=0,
    ).summary["balanced_accuracy"]

    X_res, y_res = SMOTE(generator=0).fit_resample(X_dev, y_dev)
    leaky = cross_validate(
        KNeighborsClassifier(1), X_res, y_res, metrics=["balanced_accuracy"], generator=0
    ).summary["balanced_accuracy"]

    model = KNeighborsClassifier(1).fit(X_res, y_res)
    held_out = balanced_accuracy_score(y_held, model.predict(X_held))

    assert leaky.mean > held_out + 0.15, (leaky.mean, held_out)
    assert leaky.low > honest.high  # the inflation is far outside the honest interval
    assert abs(honest.mean - held_out) < 0.12, (honest.mean, held_out)
