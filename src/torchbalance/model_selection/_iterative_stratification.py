"""Iterative stratification of multi-label data (Sechidis, Tsoumakas and Vlahavas, 2011)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import torch

from .._types import GeneratorLike
from ..exceptions import DataValidationError
from ..labels import check_label_matrix
from ..utils import Interval, check_param, host_generator
from ._common import BaseSplitter, Labels, _n_samples
from ._split import _folds_to_splits

__all__ = ["MultilabelStratifiedKFold", "iterative_stratification", "refine_folds"]


def _per_fold_sums(folds: torch.Tensor, rows: torch.Tensor, n_splits: int) -> torch.Tensor:
    """``(K, L)`` sums of ``rows`` per fold (a one-hot matmul: faster here than ``index_add_``)."""
    one_hot = torch.nn.functional.one_hot(folds, n_splits).to(rows.dtype)
    return one_hot.T @ rows


def _pick(candidates: list[int], u: float) -> int:
    return candidates[0] if len(candidates) == 1 else candidates[int(u * len(candidates))]


def _host(values: Any) -> Any:
    return values.detach().cpu() if isinstance(values, torch.Tensor) else values


def iterative_stratification(
    label_matrix: Any, n_splits: int, generator: GeneratorLike = None
) -> torch.Tensor:
    """Fold of every sample by iterative stratification (Algorithm 1 of Sechidis et al.).

    Repeatedly takes the label with the fewest not-yet-assigned positive samples (ties at
    random) and gives each of those samples to the fold that most lacks that label (ties: the
    fold that most lacks samples overall, then at random); samples with no label left go,
    one by one, to the fold that most lacks samples. Desired counts are ``n / K`` samples and
    ``n_l / K`` positives of label ``l`` per fold.

    Args:
        label_matrix: 0/1 ``(n_samples, n_labels)`` tensor (any device), NumPy array or list.
        n_splits: Number of folds ``K``.
        generator: Breaks ties: an int seed, a ``torch.Generator`` or ``None``.

    Returns:
        Int64 ``(n_samples,)`` fold ids in ``[0, K)``.
    """
    owner = "iterative_stratification"
    check_param(owner, "n_splits", n_splits, [Interval(int, 2, None)])
    label_matrix = check_label_matrix(_host(label_matrix), owner=owner)
    if label_matrix.shape[0] < n_splits:
        raise DataValidationError(
            f"{owner}: n_splits={n_splits} is more than the {label_matrix.shape[0]} samples; "
            "every fold needs at least one."
        )
    generator = host_generator(generator, owner=owner)
    n, n_labels = label_matrix.shape
    positives = label_matrix.to(torch.float64)
    wanted = [n / n_splits] * n_splits  # c_j
    wanted_labels = positives.sum(0).repeat(n_splits, 1) / n_splits  # c_j^l, (K, L)
    remaining = label_matrix.sum(0)  # positives not yet assigned, per label
    assigned = torch.zeros(n, dtype=torch.bool)
    folds = torch.full((n,), -1, dtype=torch.long)
    ties = torch.rand(n + n_labels, generator=generator, dtype=torch.float64).tolist()
    tie = 0
    while bool((remaining > 0).any()):
        fewest = int(remaining[remaining > 0].min())
        label = _pick(torch.nonzero(remaining == fewest).reshape(-1).tolist(), ties[tie])
        tie += 1
        samples = torch.nonzero(label_matrix[:, label] & ~assigned).reshape(-1)
        lacking = wanted_labels[:, label].tolist()
        chosen = []
        for _ in range(samples.numel()):
            top = max(lacking)
            best = [j for j in range(n_splits) if lacking[j] == top]
            if len(best) > 1:
                most = max(wanted[j] for j in best)
                best = [j for j in best if wanted[j] == most]
            fold = _pick(best, ties[tie])
            tie += 1
            lacking[fold] -= 1
            wanted[fold] -= 1
            chosen.append(fold)
        chosen_t = torch.tensor(chosen, dtype=torch.long)
        folds[samples] = chosen_t
        assigned[samples] = True
        wanted_labels -= _per_fold_sums(chosen_t, positives[samples], n_splits)
        remaining = remaining - label_matrix[samples].sum(0)
    for sample in torch.nonzero(~assigned).reshape(-1).tolist():
        top = max(wanted)
        fold = _pick([j for j in range(n_splits) if wanted[j] == top], ties[tie])
        tie += 1
        wanted[fold] -= 1
        folds[sample] = fold
    return folds


_MAX_CANDIDATES = 64


def _ld_terms(counts: torch.Tensor, sizes: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
    """Sechidis' label-distribution terms ``|d/(s-d) - D/(n-D)|`` for fold counts ``d`` of
    size ``s`` (infinite when a fold holds no negative of a label), summed over labels."""
    negatives = sizes.unsqueeze(-1) - counts
    ratio = counts / negatives.clamp_min(1)
    terms = torch.where(negatives > 0, (ratio - base).abs(), torch.full_like(ratio, 1e6))
    return terms.sum(-1)


def refine_folds(
    label_matrix: torch.Tensor,
    folds: torch.Tensor,
    n_splits: int,
    generator: torch.Generator,
    max_sweeps: int = 5,
) -> torch.Tensor:
    """Improve folds of multi-label data after iterative stratification.

    Two local steps, both greedy on the label-distribution (LD) measure of Sechidis et al.:
    first, samples move from the largest to the smallest folds until every fold has
    ``floor(n / K)`` or ``ceil(n / K)`` samples (the best possible examples-distribution, ED);
    then, while it lowers LD, pairs of samples with different label sets swap folds, or a
    sample moves from a fold of ``ceil(n / K)`` samples to one of ``floor(n / K)`` (sizes stay
    floor/ceil, so ED stays optimal). Each sweep looks at up to 64 distinct label sets per fold.

    Args:
        label_matrix: Bool ``(n_samples, n_labels)`` CPU tensor.
        folds: Int64 ``(n_samples,)`` fold ids in ``[0, K)`` (not changed; a copy is returned).
        n_splits: ``K``.
        generator: Picks the label sets looked at when a fold has more than 64.
        max_sweeps: Most passes over all fold pairs.

    Returns:
        The improved int64 ``(n_samples,)`` fold ids.
    """
    folds = folds.clone()
    n = label_matrix.shape[0]
    Y = label_matrix.to(torch.float64)
    totals = Y.sum(0)
    keep = (totals > 0) & (totals < n)
    Y, totals = Y[:, keep], totals[keep]
    base = totals / (n - totals)
    counts = _per_fold_sums(folds, Y, n_splits)
    sizes = torch.bincount(folds, minlength=n_splits).to(torch.float64)

    # 1. fold sizes to floor/ceil(n / K): move the sample that hurts LD least.
    low = n // n_splits
    n_high = n - low * n_splits  # folds allowed ceil(n / K) samples: the largest ones
    targets = torch.full((n_splits,), float(low), dtype=torch.float64)
    targets[torch.argsort(-sizes, stable=True)[:n_high]] += 1
    while bool((sizes > targets).any()):
        p = int(torch.argmax(sizes - targets))
        q = int(torch.argmin(sizes - targets))
        members = torch.nonzero(folds == p).reshape(-1)
        rows = Y[members]
        after = _ld_terms(counts[p] - rows, sizes[p] - 1, base) + _ld_terms(
            counts[q] + rows, sizes[q] + 1, base
        )
        a = int(members[torch.argmin(after)])
        folds[a] = q
        counts[p] -= Y[a]
        counts[q] += Y[a]
        sizes[p] -= 1
        sizes[q] += 1

    # 2. swaps (and ceil-to-floor moves) that lower LD.
    if Y.shape[1] == 0:
        return folds
    for _ in range(max_sweeps):
        improved = False
        for p in range(n_splits):
            for q in range(p + 1, n_splits):
                cand_p, cand_q = (
                    _candidates(Y, folds, p, generator),
                    _candidates(Y, folds, q, generator),
                )
                u, v = Y[cand_p].unsqueeze(1), Y[cand_q].unsqueeze(0)  # (m_p, 1, L), (1, m_q, L)
                before = _ld_terms(counts[p], sizes[p], base) + _ld_terms(counts[q], sizes[q], base)
                swap = before - (
                    _ld_terms(counts[p] - u + v, sizes[p], base)
                    + _ld_terms(counts[q] - v + u, sizes[q], base)
                )
                best = int(torch.argmax(swap))
                gain = float(swap.reshape(-1)[best])
                move: tuple[int, int, int] | None = None  # (sample, from, to)
                if sizes[p] != sizes[q]:  # a ceil-size fold may hand a sample to a floor-size one
                    src, dst, cand = (p, q, cand_p) if sizes[p] > sizes[q] else (q, p, cand_q)
                    rows = Y[cand]
                    moved = before - (
                        _ld_terms(counts[src] - rows, sizes[src] - 1, base)
                        + _ld_terms(counts[dst] + rows, sizes[dst] + 1, base)
                    )
                    m = int(torch.argmax(moved))
                    if float(moved[m]) > gain:
                        gain, move = float(moved[m]), (int(cand[m]), src, dst)
                if gain <= 1e-12:
                    continue
                if move is not None:
                    a, src, dst = move
                    folds[a] = dst
                    counts[src] -= Y[a]
                    counts[dst] += Y[a]
                    sizes[src] -= 1
                    sizes[dst] += 1
                else:
                    a, b = int(cand_p[best // cand_q.numel()]), int(cand_q[best % cand_q.numel()])
                    folds[a], folds[b] = q, p
                    counts[p] += Y[b] - Y[a]
                    counts[q] += Y[a] - Y[b]
                improved = True
        if not improved:
            break
    return folds


def _candidates(
    Y: torch.Tensor, folds: torch.Tensor, fold: int, generator: torch.Generator
) -> torch.Tensor:
    """One sample per distinct label set in ``fold`` (at most 64, picked at random)."""
    members = torch.nonzero(folds == fold).reshape(-1)
    _, inverse = torch.unique(Y[members], dim=0, return_inverse=True)
    first = torch.full((int(inverse.max()) + 1,), members.numel(), dtype=torch.long)
    first = first.scatter_reduce(0, inverse, torch.arange(members.numel()), reduce="amin")
    chosen = members[first]
    if chosen.numel() > _MAX_CANDIDATES:
        chosen = chosen[torch.randperm(chosen.numel(), generator=generator)[:_MAX_CANDIDATES]]
    return chosen


class MultilabelStratifiedKFold(BaseSplitter):
    """K folds of multi-label data that keep every label's share: iterative stratification.

    Every sample is in exactly one test fold. The folds come from Sechidis et al.'s
    algorithm (:func:`iterative_stratification`), then, with ``refine=True`` (the default),
    from :func:`refine_folds`: fold sizes are evened out to ``floor``/``ceil(n / K)`` and
    pairs of samples swap folds while that lowers the label-distribution (LD) measure. On
    random data this gives LD and examples-distribution (ED) measures at least as good as the
    ``iterative-stratification`` package's (the tests check it). Ties in the algorithm are
    broken with ``generator`` whatever ``shuffle`` is, so pass an int for reproducible folds.
    A label with fewer positive samples than folds cannot be in every fold; this is not an
    error.

    Args:
        n_splits: Number of folds, at least 2.
        shuffle: Shuffle the samples first (changes which of equally good folds a sample
            gets, beyond tie-breaking).
        refine: Even out fold sizes and improve LD after the plain algorithm; ``False`` gives
            Sechidis et al.'s folds unchanged.
        generator: Int seed (the same folds every call), ``torch.Generator`` or ``None``.

    Raises:
        InvalidParameterError: A parameter out of range.
        DataValidationError: ``y`` missing or not a 0/1 ``(n_samples, n_labels)`` matrix; more
            folds than samples.

    References:
        Sechidis, Tsoumakas, Vlahavas. "On the Stratification of Multi-Label Data",
        ECML PKDD 2011.

    Example:
        >>> Y = torch.tensor([[1, 0], [1, 1], [0, 1], [1, 0], [0, 1], [1, 1], [0, 0], [1, 0]])
        >>> cv = MultilabelStratifiedKFold(n_splits=2, generator=0)
        >>> [Y[test].sum(0).tolist() for _, test in cv.split(None, Y)]
        [[2, 2], [3, 2]]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_splits": [Interval(int, 2, None)],
        "shuffle": [bool],
        "refine": [bool],
        "generator": ["generator"],
    }

    def __init__(
        self,
        n_splits: int = 5,
        *,
        shuffle: bool = False,
        refine: bool = True,
        generator: GeneratorLike = None,
    ) -> None:
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.refine = refine
        self.generator = generator

    def _labels(self, X: Any, y: Any, owner: str) -> Labels:
        if y is None:
            raise DataValidationError(
                f"{owner}: y is required; call split(X, Y) with the (n_samples, n_labels) 0/1 "
                "label matrix."
            )
        matrix = check_label_matrix(y, owner=owner)
        n = _n_samples(X)
        if n is not None and n != matrix.shape[0]:
            raise DataValidationError(
                f"{owner}: X has {n} samples but y has {matrix.shape[0]} rows; they must have "
                "the same length."
            )
        return Labels(
            torch.zeros(0, dtype=torch.long),
            as_tensor=isinstance(y, torch.Tensor),
            device=matrix.device,
            matrix=matrix.cpu(),
        )

    @staticmethod
    def _n(labels: Labels) -> int:
        assert labels.matrix is not None
        return int(labels.matrix.shape[0])

    def _split(
        self, labels: Labels, groups: torch.Tensor | None
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        owner = type(self).__name__
        matrix = labels.matrix
        assert matrix is not None
        n = matrix.shape[0]
        self._check_n_samples(n)
        rng = host_generator(self.generator, owner=owner)
        order = torch.randperm(n, generator=rng) if self.shuffle else torch.arange(n)
        ordered = matrix[order]
        shuffled = iterative_stratification(ordered, self.n_splits, rng)
        if self.refine:
            shuffled = refine_folds(ordered, shuffled, self.n_splits, rng)
        folds = torch.empty(n, dtype=torch.long)
        folds[order] = shuffled
        yield from _folds_to_splits(folds, self.n_splits)
