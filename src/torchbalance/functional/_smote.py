"""The math of SMOTE and its relatives, on tensors of any device.

Every function here works on flattened samples ``(n, d)`` (the classes in
:mod:`torchbalance.over_sampling` flatten N-D inputs before calling and restore the shape
after; interpolation is element-wise, so it is the same in either shape). Neighbour searches go
through :func:`torchbalance.neighbors.kneighbors`, the package's one exact kNN engine.

Arithmetic is done in a *working dtype*: the input's own for float32/float64, float32 for
float16/bfloat16 and float64 for integer inputs; results are cast back to the input's dtype
(integers truncate toward zero, as ``numpy.astype`` does in imbalanced-learn).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from ..neighbors import kneighbors

__all__ = [
    "InterpolationPlan",
    "adasyn_counts",
    "cluster_sparsity",
    "danger_noise_mask",
    "interpolate",
    "majority_vote",
    "neighbor_features",
    "random_pairs",
    "smoothed_bootstrap",
    "smote",
    "working_dtype",
]


def working_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype interpolation is computed in for inputs of ``dtype`` (see module docstring)."""
    if dtype in (torch.float32, torch.float64):
        return dtype
    if dtype in (torch.float16, torch.bfloat16):
        return torch.float32
    return torch.float64


def neighbor_features(X: torch.Tensor) -> torch.Tensor:
    """``X`` as an ``(n, d)`` floating tensor the kNN engine accepts (a view when possible)."""
    flat = X.reshape(X.shape[0], -1)
    return flat if flat.is_floating_point() else flat.to(torch.float64)


class InterpolationPlan(NamedTuple):
    """Which pairs a SMOTE step interpolates, and how far.

    Attributes:
        rows: ``(n_new,)`` int64 row of the base sample (index into the base set).
        cols: ``(n_new,)`` int64 column of the chosen neighbour in the neighbour matrix.
        steps: ``(n_new,)`` steps in ``[0, step_size)`` (working dtype).
    """

    rows: torch.Tensor
    cols: torch.Tensor
    steps: torch.Tensor


def random_pairs(
    n_rows: int,
    n_cols: int,
    n_samples: int,
    *,
    generator: torch.Generator,
    device: torch.device,
    dtype: torch.dtype = torch.float64,
    step_size: float = 1.0,
) -> InterpolationPlan:
    """Draw ``n_samples`` (base, neighbour) cells uniformly from an ``(n_rows, n_cols)`` matrix.

    As imbalanced-learn's ``_make_samples``: one flat index per sample, uniform over all
    ``n_rows * n_cols`` cells, and a step ``step_size * U[0, 1)``.

    Example:
        >>> plan = random_pairs(3, 2, 5, generator=torch.Generator().manual_seed(0),
        ...                     device=torch.device("cpu"))
        >>> plan.rows.shape, bool((plan.rows < 3).all() and (plan.cols < 2).all())
        (torch.Size([5]), True)
    """
    flat = torch.randint(0, n_rows * n_cols, (n_samples,), generator=generator, device=device)
    steps = torch.rand(n_samples, generator=generator, device=device, dtype=dtype) * step_size
    return InterpolationPlan(flat // n_cols, flat % n_cols, steps)


def interpolate(
    X_base: torch.Tensor,
    X_ref: torch.Tensor,
    neighbors: torch.Tensor,
    plan: InterpolationPlan,
    *,
    diff_scale: torch.Tensor | None = None,
) -> torch.Tensor:
    """``x_new = x_base[rows] + step * (x_ref[neighbors[rows, cols]] - x_base[rows])``.

    Args:
        X_base: ``(m, d)`` base samples.
        X_ref: ``(n, d)`` samples the neighbour indices point into.
        neighbors: ``(m, k)`` int64 neighbour indices into ``X_ref``.
        plan: The drawn cells and steps (:func:`random_pairs`).
        diff_scale: Optional ``(n_new,)`` extra factor on the difference (Borderline-SMOTE-2
            shrinks steps towards other classes by ``U[0, 0.5)``).

    Returns:
        ``(n_new, d)`` tensor with ``X_base``'s dtype (integer values are truncated towards
        zero, as NumPy's ``astype``, and clipped to the dtype's range).

    Example:
        >>> X = torch.tensor([[0.0, 0.0], [2.0, 4.0]])
        >>> plan = InterpolationPlan(torch.tensor([0]), torch.tensor([0]), torch.tensor([0.5]))
        >>> interpolate(X, X, torch.tensor([[1], [0]]), plan)
        tensor([[1., 2.]])
    """
    work = working_dtype(X_base.dtype)
    base = X_base.index_select(0, plan.rows).to(work)
    diff = X_ref.index_select(0, neighbors[plan.rows, plan.cols]).to(work).sub_(base)
    steps = plan.steps.to(work)
    if diff_scale is not None:
        steps = steps * diff_scale.to(work)
    # in place: two (n_new, d) temporaries instead of four
    out = base.addcmul_(steps[:, None], diff)
    # steps outside [0, 1] (SVM-SMOTE) could leave an integer dtype's range (bool: any value)
    if not X_base.is_floating_point() and X_base.dtype != torch.bool:
        bounds = torch.iinfo(X_base.dtype)
        out.clamp_(bounds.min, bounds.max)
    return out.to(X_base.dtype)


def smote(
    X_class: torch.Tensor,
    n_samples: int,
    *,
    k_neighbors: int = 5,
    generator: torch.Generator,
    memory_budget: int | None = None,
) -> tuple[torch.Tensor, InterpolationPlan, torch.Tensor]:
    """SMOTE for one class: ``n_samples`` points on segments to the ``k`` nearest same-class points.

    Args:
        X_class: ``(m, d)`` samples of one class, ``m > k_neighbors``.
        n_samples: How many synthetic samples to make.
        k_neighbors: Neighbours per sample (the sample itself excluded).
        generator: Source of randomness, on ``X_class``'s device.
        memory_budget: Passed to :func:`~torchbalance.neighbors.kneighbors`.

    Returns:
        ``(X_new, plan, neighbors)``: ``(n_samples, d)`` new samples with ``X_class``'s dtype,
        the drawn :class:`InterpolationPlan` and the ``(m, k)`` neighbour matrix.

    References:
        N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE: Synthetic Minority
        Over-sampling Technique", JAIR 16, 2002.

    Example:
        >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
        >>> new, plan, nn = smote(X, 4, k_neighbors=1, generator=torch.Generator().manual_seed(0))
        >>> new.shape, bool(((new >= 0) & (new <= 1)).all())
        (torch.Size([4, 2]), True)
    """
    feats = neighbor_features(X_class)
    _, nn = kneighbors(feats, k_neighbors, exclude_self=True, memory_budget=memory_budget)
    plan = random_pairs(
        nn.shape[0],
        k_neighbors,
        n_samples,
        generator=generator,
        device=X_class.device,
        dtype=working_dtype(X_class.dtype),
    )
    return interpolate(X_class, X_class, nn, plan), plan, nn


def danger_noise_mask(
    X: torch.Tensor,
    y: torch.Tensor,
    query_index: torch.Tensor,
    target: int,
    m_neighbors: int,
    *,
    memory_budget: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Borderline-SMOTE's "danger" and "noise" labels of some samples of class ``target``.

    For every queried sample, its ``m`` nearest neighbours in the whole data set (its own row,
    the first hit, dropped as imbalanced-learn does) are looked at; ``m'`` of them belong to
    another class. *Danger*: ``m / 2 <= m' < m``; *noise*: ``m' == m``.

    Args:
        X: ``(n, d)`` all samples (floating).
        y: ``(n,)`` int64 labels.
        query_index: ``(q,)`` rows of ``X`` to label (samples of ``target``).
        target: The class being over-sampled.
        m_neighbors: ``m``.
        memory_budget: Passed to :func:`~torchbalance.neighbors.kneighbors`.

    Returns:
        ``(danger, noise)``: two ``(q,)`` bool tensors.

    References:
        H. Han, W.-Y. Wang, B.-H. Mao, "Borderline-SMOTE: A New Over-Sampling Method in
        Imbalanced Data Sets Learning", ICIC 2005.

    Example:
        >>> X = torch.tensor([[0.0], [1.0], [2.0], [10.0], [11.0]])
        >>> y = torch.tensor([0, 1, 1, 0, 0])
        >>> danger, noise = danger_noise_mask(X, y, torch.tensor([1, 2]), 1, 2)
        >>> danger.tolist(), noise.tolist()
        ([True, True], [False, False])
    """
    _, nn = kneighbors(
        X, m_neighbors + 1, query=X.index_select(0, query_index), memory_budget=memory_budget
    )
    n_other = (y[nn[:, 1:]] != target).sum(1)
    danger = (n_other >= m_neighbors / 2) & (n_other < m_neighbors)
    return danger, n_other == m_neighbors


def adasyn_counts(
    X: torch.Tensor,
    y: torch.Tensor,
    class_index: torch.Tensor,
    target: int,
    n_samples: int,
    n_neighbors: int,
    *,
    memory_budget: int | None = None,
) -> torch.Tensor:
    """ADASYN's number of synthetic samples per minority sample.

    ``r_i`` = share of the ``n_neighbors`` nearest neighbours of sample ``i`` (in the whole data,
    the first of its ``n_neighbors + 1`` nearest dropped, as imbalanced-learn does: itself, or a
    duplicate of a lower index) from other classes; ``g_i = rint(n_samples * r_i / sum(r))``, as
    imbalanced-learn computes it (the total may differ from ``n_samples`` by rounding).

    Args:
        X: ``(n, d)`` all samples (floating).
        y: ``(n,)`` int64 labels.
        class_index: ``(m,)`` rows of class ``target``.
        target: The class being over-sampled.
        n_samples: Samples to generate in total (before rounding).
        n_neighbors: Neighbours used for the density ratio.
        memory_budget: Passed to :func:`~torchbalance.neighbors.kneighbors`.

    Returns:
        ``(m,)`` int64 counts.

    Raises:
        ValueError: No minority sample has a neighbour from another class (every ``r_i = 0``).

    References:
        H. He, Y. Bai, E. A. Garcia, S. Li, "ADASYN: Adaptive Synthetic Sampling Approach for
        Imbalanced Learning", IJCNN 2008.

    Example:
        >>> X = torch.tensor([[0.0], [1.0], [2.0], [3.0], [10.0]])
        >>> y = torch.tensor([0, 1, 1, 0, 1])
        >>> adasyn_counts(X, y, torch.tensor([1, 2, 4]), 1, 4, 1).tolist()
        [2, 0, 2]
    """
    _, nn = kneighbors(
        X, n_neighbors + 1, query=X.index_select(0, class_index), memory_budget=memory_budget
    )
    ratio = (y[nn[:, 1:]] != target).sum(1).to(torch.float64) / n_neighbors
    total = float(ratio.sum())
    if total == 0.0:
        raise ValueError("no neighbour of any sample of the class belongs to another class")
    return torch.round(ratio / total * n_samples).to(torch.int64)


def smoothed_bootstrap(
    X_class: torch.Tensor,
    picks: torch.Tensor,
    shrinkage: float,
    n_total: int,
    *,
    generator: torch.Generator,
) -> torch.Tensor:
    """ROSE's smoothed bootstrap: resampled rows plus Gaussian noise with a per-feature scale.

    The kernel width per feature is ``shrinkage * (4 / ((d + 2) n)) ** (1 / (d + 4)) * std``
    where ``n`` is the number of samples of the *whole* data set (as imbalanced-learn uses it),
    ``d`` the number of features and ``std`` the class's population standard deviation.

    Args:
        X_class: ``(m, d)`` samples of the class.
        picks: ``(n_new,)`` rows of ``X_class`` drawn with replacement.
        shrinkage: Factor on the kernel width (0 gives a plain bootstrap).
        n_total: Number of samples of the whole data set.
        generator: Source of randomness, on ``X_class``'s device.

    Returns:
        ``(n_new, d)`` samples with ``X_class``'s dtype.

    References:
        G. Menardi, N. Torelli, "Training and assessing classification rules with imbalanced
        data", Data Mining and Knowledge Discovery 28, 2014.

    Example:
        >>> X = torch.tensor([[0.0, 1.0], [2.0, 1.0]])
        >>> out = smoothed_bootstrap(X, torch.tensor([0, 1, 1]), 1.0, 10,
        ...                          generator=torch.Generator().manual_seed(0))
        >>> out.shape, bool((out[:, 1] == 1.0).all())
        (torch.Size([3, 2]), True)
    """
    work = working_dtype(X_class.dtype)
    d = X_class.shape[1]
    factor = (4.0 / ((d + 2) * n_total)) ** (1.0 / (d + 4))
    scale = shrinkage * factor * X_class.to(work).std(dim=0, unbiased=False)
    noise = torch.randn((picks.shape[0], d), generator=generator, device=X_class.device, dtype=work)
    return torch.addcmul(X_class.index_select(0, picks).to(work), noise, scale).to(X_class.dtype)


def majority_vote(
    codes: torch.Tensor, n_categories: int, *, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Most frequent code in each row of ``codes``; ties broken uniformly at random.

    With ``generator=None`` ties go to the smallest code (as ``scipy.stats.mode``).

    Args:
        codes: ``(n, k)`` int64 codes in ``[0, n_categories)``.
        n_categories: Number of possible codes.
        generator: Source of randomness for the tie-break, on ``codes``' device.

    Returns:
        ``(n,)`` int64 winning code per row.

    Example:
        >>> majority_vote(torch.tensor([[2, 1, 2], [0, 1, 1], [0, 1, 2]]), 3)
        tensor([2, 1, 0])
    """
    counts = torch.zeros((codes.shape[0], n_categories), dtype=torch.float64, device=codes.device)
    counts.scatter_add_(1, codes, torch.ones_like(codes, dtype=torch.float64))
    if generator is not None:
        # counts are integers: a U[0, 1) jitter reorders tied maxima only, uniformly
        counts += torch.rand(
            counts.shape, generator=generator, device=codes.device, dtype=torch.float64
        )
    return counts.argmax(1)


def cluster_sparsity(
    X_cluster: torch.Tensor, density_exponent: float | None = None, *, tile_rows: int = 1024
) -> float:
    """KMeansSMOTE's sparsity of a cluster: ``mean_distance ** exponent / m``.

    ``mean_distance`` is the mean Euclidean distance between distinct samples of the cluster
    (computed in row tiles, never as an ``(m, m)`` matrix); ``exponent`` defaults to the
    paper's ``0.16 * log_1.6(m) ** 1.8`` (``density_exponent=None``).

    Args:
        X_cluster: ``(m, d)`` minority samples of one cluster, ``m >= 2``.
        density_exponent: The exponent, or ``None`` for the paper's default.
        tile_rows: Rows per distance tile.

    Returns:
        The sparsity (a Python float); 0 for a cluster of copies of one point.

    References:
        G. Douzas, F. Bacao, F. Last, "Improving imbalanced learning through a heuristic
        oversampling method based on k-means and SMOTE", Information Sciences 465, 2018.

    Example:
        >>> round(cluster_sparsity(torch.tensor([[0.0], [2.0]]), 1.0), 6)
        1.0
    """
    m = X_cluster.shape[0]
    data = X_cluster.to(torch.float64)
    total = 0.0
    for start in range(0, m, tile_rows):
        total += float(
            torch.cdist(
                data[start : start + tile_rows],
                data,
                compute_mode="donot_use_mm_for_euclid_dist",
            ).sum()
        )
    mean_distance = total / (m * m - m)
    if mean_distance == 0.0:  # copies of one point: no spread (and 0 ** negative is undefined)
        return 0.0
    exponent = (
        0.16 * (math.log(m) / math.log(1.6)) ** 1.8
        if density_exponent is None
        else density_exponent
    )
    return float(mean_distance**exponent / m)
