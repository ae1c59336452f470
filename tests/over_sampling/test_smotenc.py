from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.exceptions import DataValidationError, InvalidParameterError
from torchbalance.functional._smote import majority_vote
from torchbalance.functional._vdm import vdm_kneighbors, vdm_tables
from torchbalance.over_sampling import SMOTEN, SMOTENC

imb = pytest.importorskip("imblearn.over_sampling")


def _mixed(seed: int = 0, counts: tuple[int, ...] = (80, 30)) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    y = torch.cat([torch.full((n,), c) for c, n in enumerate(counts)])
    n = len(y)
    cont = torch.randn(n, 2, generator=g, dtype=torch.float64) + y[:, None]
    cat_a = (torch.randint(0, 3, (n,), generator=g) + y) % 4  # 4 categories, class dependent
    cat_b = torch.randint(0, 2, (n,), generator=g) * 10 + 5  # values 5 and 15
    X = torch.stack([cont[:, 0], cat_a.double(), cont[:, 1], cat_b.double()], 1)
    return X, y


def test_counts_and_median_std_equal_imblearn():
    X, y = _mixed(counts=(80, 30, 20))
    ours = SMOTENC(categorical_features=[1, 3], generator=0)
    _, y_ours = ours.fit_resample(X, y)
    theirs = imb.SMOTENC(categorical_features=[1, 3], random_state=0)
    _, y_theirs = theirs.fit_resample(X.numpy(), y.numpy())
    assert np.bincount(y_ours.numpy()).tolist() == np.bincount(y_theirs).tolist()
    for label, med in theirs.median_std_.items():
        assert ours.median_std_[label] == pytest.approx(med, rel=1e-12)
    assert ours.categorical_features_.tolist() == [1, 3]
    assert ours.continuous_features_.tolist() == [0, 2]


def test_categorical_values_are_the_neighbours_majority_vote():
    from sklearn.neighbors import NearestNeighbors

    X, y = _mixed(seed=1)
    k = 4
    sampler = SMOTENC(categorical_features=[1, 3], k_neighbors=k, generator=0)
    X_res, _ = sampler.fit_resample(X, y)
    new = X_res[len(y) :].numpy()
    Xc = X[y == 1].numpy()
    # imbalanced-learn's embedding: continuous + one-hot * median std / sqrt(2)
    med = np.median(Xc[:, [0, 2]].std(0))
    one_hot = [(Xc[:, [j]] == np.unique(X[:, j].numpy())[None]) for j in (1, 3)]
    emb = np.hstack([Xc[:, [0, 2]], *[o * med / np.sqrt(2) for o in one_hot]])
    nn = NearestNeighbors(n_neighbors=k + 1).fit(emb).kneighbors(emb)[1][:, 1:]
    starts = np.repeat(Xc[:, [0, 2]], k, axis=0)
    ends = Xc[:, [0, 2]][nn.reshape(-1)]
    p = new[:, None, [0, 2]]
    ab = ends - starts
    u = np.clip(((p - starts) * ab).sum(-1) / (ab * ab).sum(-1), 0, 1)
    dist = np.sqrt(((p - (starts + u[..., None] * ab)) ** 2).sum(-1))
    assert dist.min(1).max() < 1e-9  # continuous part: SMOTE on the right neighbours
    for i, sample in enumerate(new):
        bases = np.unique(np.flatnonzero(dist[i] < 1e-9) // k)
        ok = False
        for base in bases:
            votes = Xc[nn[base]]
            good = True
            for j in (1, 3):
                values, counts = np.unique(votes[:, j], return_counts=True)
                good &= sample[j] in values[counts == counts.max()]
            ok |= good
        assert ok, f"sample {i}: categorical values are not a majority of any base's neighbours"


def test_majority_vote_ties_are_uniform():
    codes = torch.tensor([[0, 1, 2, 2, 1]] * 6000)
    winners = majority_vote(codes, 3, generator=torch.Generator().manual_seed(0))
    share = torch.bincount(winners, minlength=3).double() / 6000
    assert float(share[0]) == 0 and abs(float(share[1]) - 0.5) < 0.03


def test_categorical_indices_and_masks_validated():
    X, y = _mixed()
    mask = [False, True, False, True]
    a = SMOTENC(categorical_features=mask, generator=0).fit_resample(X, y)
    b = SMOTENC(categorical_features=torch.tensor([-3, -1]), generator=0).fit_resample(X, y)
    assert torch.equal(a[0], b[0])
    with pytest.raises(InvalidParameterError, match=r"out of range: \[4\]"):
        SMOTENC(categorical_features=[1, 4]).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="one entry per feature"):
        SMOTENC(categorical_features=[True, False]).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="use SMOTEN"):
        SMOTENC(categorical_features=[0, 1, 2, 3]).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="use SMOTE"):
        SMOTENC(categorical_features=[]).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="repeated"):
        SMOTENC(categorical_features=[1, 1]).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="column names"):
        SMOTENC(categorical_features=["a"]).fit_resample(X, y)
    with pytest.raises(DataValidationError, match="2-D"):
        SMOTENC(categorical_features=[1]).fit_resample(X.reshape(-1, 2, 2), y)


def test_float32_kept_and_categories_stay_valid():
    X, y = _mixed()
    X_res, _ = SMOTENC(categorical_features=[1, 3], generator=0).fit_resample(X.float(), y)
    assert X_res.dtype == torch.float32
    assert set(X_res[:, 3].tolist()) <= {5.0, 15.0}
    assert set(X_res[:, 1].tolist()) <= {0.0, 1.0, 2.0, 3.0}


def test_one_hot_holds_only_the_categories_of_the_class(monkeypatch):
    # an identifier-like column: 5 000 categories in all, 20 in the minority class
    import torchbalance.over_sampling._smotenc as smotenc_module

    g = torch.Generator().manual_seed(0)
    y = torch.cat([torch.zeros(5000), torch.ones(20)]).long()
    ids = torch.cat([torch.arange(5000), torch.arange(20)]).double()
    X = torch.stack([torch.randn(5020, generator=g, dtype=torch.float64), ids], 1)
    widths = []

    def recording_kneighbors(features, *args, **kwargs):
        widths.append(features.shape[1])
        return kneighbors(features, *args, **kwargs)

    kneighbors = smotenc_module.kneighbors
    monkeypatch.setattr(smotenc_module, "kneighbors", recording_kneighbors)
    X_res, y_res = SMOTENC(categorical_features=[1], generator=0).fit_resample(X, y)
    assert widths == [1 + 20]  # the continuous column and the class's 20 categories
    assert set(X_res[y_res == 1, 1].tolist()) <= set(range(20))


def _categorical(seed: int = 0, counts: tuple[int, ...] = (70, 25, 15)):
    g = torch.Generator().manual_seed(seed)
    y = torch.cat([torch.full((n,), c) for c, n in enumerate(counts)])
    cols = [(torch.randint(0, 3, (len(y),), generator=g) + y) % 5 for _ in range(3)]
    return torch.stack(cols, 1), y


def test_vdm_equals_imblearn_value_difference_metric():
    from imblearn.metrics.pairwise import ValueDifferenceMetric

    X, y = _categorical()
    n_cats = [int(X[:, j].max()) + 1 for j in range(3)]
    tables = vdm_tables(X, y, n_cats)
    ours = sum(t[X[:, j]][:, X[:, j]] for j, t in enumerate(tables))
    theirs = ValueDifferenceMetric(n_categories=n_cats).fit(X.numpy(), y.numpy())
    np.testing.assert_allclose(
        ours.numpy(), theirs.pairwise(X.numpy().astype(np.int32)), rtol=1e-12, atol=1e-12
    )


def test_smoten_samples_are_modes_of_vdm_neighbourhoods():
    from imblearn.metrics.pairwise import ValueDifferenceMetric
    from scipy.stats import mode

    X, y = _categorical(seed=3)
    k = 3
    X_res, y_res = SMOTEN(k_neighbors=k, generator=0).fit_resample(X, y)
    _, y_theirs = imb.SMOTEN(k_neighbors=k, random_state=0).fit_resample(X.numpy(), y.numpy())
    assert np.bincount(y_res.numpy()).tolist() == np.bincount(y_theirs).tolist()
    vdm = ValueDifferenceMetric().fit(X.numpy(), y.numpy())
    for label in (1, 2):
        Xc = X[y == label].numpy()
        dist = vdm.pairwise(Xc.astype(np.int32))
        nn = np.argsort(dist, axis=1, kind="stable")[:, : k + 1]
        assert np.array_equal(
            vdm_kneighbors(torch.from_numpy(Xc), vdm_tables(X, y, [5, 5, 5]), k + 1).numpy(), nn
        )
        allowed = {tuple(row) for row in mode(Xc[nn], axis=1).mode.tolist()}
        new = X_res[len(y) :][y_res[len(y) :] == label].tolist()
        assert new and all(tuple(row) in allowed for row in new)


def test_smoten_keeps_values_and_dtype_and_refuses_small_classes():
    X, y = _categorical()
    X_vals = X * 7 + 100
    X_res, _ = SMOTEN(generator=0).fit_resample(X_vals.int(), y)
    assert X_res.dtype == torch.int32 and set(X_res[:, 0].tolist()) <= set(X_vals[:, 0].tolist())
    with pytest.raises(DataValidationError, match="class 2, which has 15"):
        SMOTEN(k_neighbors=15).fit_resample(X, y)
