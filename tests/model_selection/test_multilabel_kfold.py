from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.model_selection import MultilabelStratifiedKFold, iterative_stratification


def _measures(Y: np.ndarray, tests: list[np.ndarray]) -> tuple[float, float]:
    """Label- and examples-distribution measures (LD, ED) of Sechidis et al. 2011, eq. 1-2."""
    Y = Y.astype(float)
    n, n_labels = Y.shape
    k = len(tests)
    d = Y.sum(0)
    ld = np.zeros(n_labels)
    ed = 0.0
    for test in tests:
        s = len(test)
        d_j = Y[test].sum(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ld += np.abs(d_j / (s - d_j) - d / (n - d))
        ed += abs(s - n / k)
    return float(np.mean(ld / k)), ed / k


@st.composite
def _label_matrices(draw, min_labels=1):
    n_splits = draw(st.integers(2, 5))
    n = draw(st.integers(max(n_splits, 8), 120))
    n_labels = draw(st.integers(min_labels, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.03, 0.6, n_labels)
    return n_splits, (rng.random((n, n_labels)) < p).astype(np.int64)


@settings(max_examples=80, deadline=None)
@given(_label_matrices(), st.integers(0, 2**31 - 1), st.booleans())
def test_every_sample_tested_once_and_label_counts_near_ideal(case, seed, shuffle):
    n_splits, Y = case
    cv = MultilabelStratifiedKFold(n_splits, shuffle=shuffle, generator=seed)
    splits = list(cv.split(None, torch.from_numpy(Y)))
    tests = torch.cat([test for _, test in splits])
    assert torch.equal(torch.sort(tests).values, torch.arange(Y.shape[0]))
    n = Y.shape[0]
    positives = Y.sum(0)
    for train, test in splits:
        assert train.dtype == torch.int64 and train.numel() + test.numel() == n
        assert n // n_splits <= test.numel() <= -(-n // n_splits)  # sizes floor/ceil(n/K)
        counts = Y[test.numpy()].sum(0)
        # stated tolerance: every label's positives per fold within 2 of n_l / K
        assert np.abs(counts - positives / n_splits).max() <= 2.0
    again = list(cv.split(None, torch.from_numpy(Y)))
    assert all(torch.equal(a[1], b[1]) for a, b in zip(splits, again, strict=True))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(_label_matrices(min_labels=2), st.integers(0, 2**31 - 1))
def test_ld_and_ed_at_least_as_good_as_iterstrat(case, seed):
    # the iterative-stratification package is a test dependency (pyproject's "test" extra)
    iterstrat = pytest.importorskip("iterstrat.ml_stratifiers")
    n_splits, Y = case
    reference = iterstrat.MultilabelStratifiedKFold(
        n_splits=n_splits, shuffle=True, random_state=seed
    )
    try:
        theirs = [test for _, test in reference.split(np.zeros(len(Y)), Y)]
    except ValueError:  # iterstrat refuses a matrix sklearn does not see as multilabel
        return
    ours = [t for _, t in MultilabelStratifiedKFold(n_splits, generator=seed).split(None, Y)]
    ld, ed = _measures(Y, ours)
    ld_ref, ed_ref = _measures(Y, theirs)
    # our fold sizes are floor/ceil(n / K), the best ED there is
    assert ed <= ed_ref + 1e-12
    # never worse on both measures; iterstrat wins LD only by giving up ED (2 of 1456 random
    # data sets in a longer run, see the issue note)
    if np.isfinite(ld_ref):
        assert ld <= ld_ref + 1e-12 or ed < ed_ref - 1e-12, (ld, ld_ref, ed, ed_ref)


def test_mean_ld_is_lower_than_iterstrat_on_random_data():
    iterstrat = pytest.importorskip("iterstrat.ml_stratifiers")
    rng = np.random.default_rng(7)
    ours, theirs = [], []
    for trial in range(30):
        n, n_labels = int(rng.integers(40, 200)), int(rng.integers(2, 8))
        Y = (rng.random((n, n_labels)) < rng.uniform(0.03, 0.5, n_labels)).astype(np.int64)
        reference = iterstrat.MultilabelStratifiedKFold(5, shuffle=True, random_state=trial)
        theirs.append(_measures(Y, [t for _, t in reference.split(np.zeros(n), Y)]))
        splitter = MultilabelStratifiedKFold(5, generator=trial)
        ours.append(_measures(Y, [t for _, t in splitter.split(None, Y)]))
    ld, ed = np.array(ours).T
    ld_ref, ed_ref = np.array(theirs).T
    assert np.isfinite(ld_ref).all()
    assert ld.mean() < 0.9 * ld_ref.mean()  # measured: 0.0266 vs 0.0318
    assert ed.mean() <= ed_ref.mean()


def test_plain_algorithm_spreads_the_rarest_label_evenly():
    rng = np.random.default_rng(3)
    Y = torch.from_numpy(rng.random((300, 6)) < np.array([0.02, 0.1, 0.2, 0.3, 0.4, 0.5]))
    folds = iterative_stratification(Y, 5, torch.Generator().manual_seed(0))
    assert folds.min() == 0 and folds.max() == 4
    # the label with the fewest positives is processed first: one per fold in turn
    rarest = int(Y.sum(0).argmin())
    per_fold = torch.bincount(folds[Y[:, rarest]], minlength=5)
    assert int(per_fold.max() - per_fold.min()) <= 1
    plain = [
        t.numpy() for _, t in MultilabelStratifiedKFold(5, refine=False, generator=0).split(None, Y)
    ]
    refined = [t.numpy() for _, t in MultilabelStratifiedKFold(5, generator=0).split(None, Y)]
    assert [
        torch.equal(torch.from_numpy(t), torch.nonzero(folds == i).reshape(-1))
        for i, t in enumerate(plain)
    ] == [True] * 5
    assert _measures(Y.numpy(), refined)[0] <= _measures(Y.numpy(), plain)[0]


def test_unlabelled_samples_fill_the_smallest_folds():
    Y = torch.zeros(10, 2, dtype=torch.long)
    Y[:3, 0] = 1
    folds = iterative_stratification(Y.bool(), 2, torch.Generator().manual_seed(0))
    assert torch.bincount(folds).tolist() == [5, 5]


def test_types_and_errors():
    Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 5)
    train, test = next(MultilabelStratifiedKFold(2, generator=0).split(np.zeros((20, 3)), Y))
    assert isinstance(train, np.ndarray) and train.dtype == np.int64
    train, test = next(MultilabelStratifiedKFold(2, generator=0).split(None, Y.tolist()))
    assert isinstance(test, np.ndarray)
    with pytest.raises(DataValidationError, match="y is required"):
        list(MultilabelStratifiedKFold(2).split(Y))
    with pytest.raises(DataValidationError, match="0 and 1"):
        list(MultilabelStratifiedKFold(2).split(None, Y * 2))
    with pytest.raises(DataValidationError, match="2-D"):
        list(MultilabelStratifiedKFold(2).split(None, Y[:, 0]))
    with pytest.raises(DataValidationError, match="X has 3 samples but y has 20 rows"):
        list(MultilabelStratifiedKFold(2).split(np.zeros((3, 2)), Y))
    with pytest.raises(DataValidationError, match="more than the 20 samples"):
        list(MultilabelStratifiedKFold(21).split(None, Y))
    with pytest.raises(InvalidParameterError, match="refine"):
        list(MultilabelStratifiedKFold(2, refine=1).split(None, Y))  # type: ignore[arg-type]
    assert MultilabelStratifiedKFold(4).get_n_splits() == 4


def test_sklearn_cross_val_score_accepts_it():
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = np.stack([X[:, 0] > 0, X[:, 1] > 0.5], axis=1).astype(int)
    scores = cross_val_score(
        KNeighborsClassifier(3), X, Y, cv=MultilabelStratifiedKFold(3, generator=0)
    )
    assert scores.shape == (3,)


def test_iterative_stratification_takes_seeds_and_arrays():
    Y = np.random.default_rng(0).integers(0, 2, (30, 4))
    from_seed = iterative_stratification(Y, 3, 0)
    assert torch.equal(from_seed, iterative_stratification(torch.as_tensor(Y), 3, 0))
    assert torch.equal(
        from_seed, iterative_stratification(Y.tolist(), 3, torch.Generator().manual_seed(0))
    )


@pytest.mark.parametrize(
    ("matrix", "n_splits", "match"),
    [
        (torch.ones(5, 2), 0, r"n_splits=0 is invalid"),
        (torch.ones(5, 2), 2.5, r"n_splits=2.5 is invalid"),
        (torch.ones(5, 2), 1, r"n_splits=1 is invalid"),
        (torch.ones(3, 2), 5, r"n_splits=5 is more than the 3 samples"),
        (torch.full((5, 2), 2.0), 2, r"label_matrix must hold only 0 and 1"),
    ],
)
def test_iterative_stratification_checks_its_arguments(matrix, n_splits, match):
    # it gave ZeroDivisionError, empty folds or booleans of any value
    with pytest.raises((DataValidationError, InvalidParameterError), match=match):
        iterative_stratification(matrix, n_splits)
