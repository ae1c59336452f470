"""Mixing for imbalance: Remix (labels favour the minority) and class-balanced mixup."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from ..exceptions import InvalidParameterError
from ..labels import get_labels
from ..samplers._draw import class_then_index, group_by_label
from ..utils import Interval, check_param, derive_seed
from ._common import StreamGenerator, as_counts, check_labels_1d

__all__ = ["BalancedMixup", "Remix", "remix_label_factor"]


def _beta(alpha: float, n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """``(n,)`` float64 draws of Beta(alpha, alpha) from ``generator`` (CPU draw, then moved)."""
    seed = derive_seed(generator)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        a = torch.tensor(float(alpha), dtype=torch.float64)
        lam = torch.distributions.Beta(a, a).sample((n,))
    return lam.to(device)


def remix_label_factor(
    lam: torch.Tensor, n_i: torch.Tensor, n_j: torch.Tensor, *, kappa: float, tau: float
) -> torch.Tensor:
    """Remix's label mixing factor ``lambda_y`` (Chou et al. 2020, Eq. 5).

    For the mixed sample ``lam * x_i + (1 - lam) * x_j`` with label
    ``lambda_y * y_i + (1 - lambda_y) * y_j``::

        lambda_y = 0    if n_i / n_j >= kappa and lam < tau
                   1    if n_i / n_j <= 1 / kappa and 1 - lam < tau
                   lam  otherwise   (the first case that holds)

    Args:
        lam: ``(B,)`` feature mixing factors.
        n_i: ``(B,)`` counts of the classes of ``x_i``.
        n_j: ``(B,)`` counts of the classes of ``x_j``.
        kappa: Imbalance threshold ``>= 1``.
        tau: Mixing threshold in ``[0, 1]``.

    Returns:
        ``(B,)`` tensor of ``lambda_y``, dtype of ``lam``.

    Example:
        >>> import torch
        >>> remix_label_factor(torch.tensor([0.3, 0.3, 0.8]), torch.tensor([100.0, 10, 10]),
        ...                    torch.tensor([10.0, 10, 100]), kappa=3.0, tau=0.5).tolist()
        [0.0, 0.30000001192092896, 1.0]
    """
    ratio = n_i.to(torch.float64) / n_j.to(torch.float64)
    zero = (ratio >= kappa) & (lam < tau)
    one = (ratio <= 1.0 / kappa) & ((1 - lam) < tau)
    # the cases in the paper's order: with kappa = 1 and n_i = n_j both can hold; the first wins
    out = torch.where(one, torch.ones_like(lam), lam)
    return torch.where(zero, torch.zeros_like(lam), out)


def _mix_x(x: torch.Tensor, partner: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
    weight = lam.to(x.dtype).reshape(-1, *([1] * (x.ndim - 1)))
    return weight * x + (1 - weight) * partner


def _soft(
    y: torch.Tensor, y_partner: torch.Tensor, lam_y: torch.Tensor, num_classes: int, dtype: Any
) -> torch.Tensor:
    lam_y = lam_y.to(dtype).unsqueeze(1)
    return lam_y * F.one_hot(y, num_classes).to(dtype) + (1 - lam_y) * F.one_hot(
        y_partner, num_classes
    ).to(dtype)


def _check_float_x(x: Any, owner: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.ndim < 1:
        raise InvalidParameterError(
            f"{owner}: x must be a floating-point tensor (B, *sample_shape) to mix, got "
            f"{type(x).__name__}{'' if not isinstance(x, torch.Tensor) else f' of {x.dtype}'}."
        )
    return x


class Remix:
    """Rebalanced mixup: features mixed with ``lam ~ Beta(alpha, alpha)``, labels to the minority.

    Each row ``i`` of the batch is paired with row ``j = perm[i]`` of a random permutation
    and gets its own ``lam``; features mix as in mixup, the label mixing factor follows
    :func:`remix_label_factor` (all the label goes to the minority class of the pair when the
    pair is imbalanced by at least ``kappa`` and the minority sample's share of the features is
    at least ``1 - tau``). Returns ``(x_mixed, soft_targets)`` for any loss that takes class
    probabilities, e.g. ``F.cross_entropy(logits, soft_targets)``.

    Args:
        class_counts: ``(C,)`` training-set counts per class.
        alpha: Beta parameter ``> 0``.
        kappa: Imbalance ratio threshold ``>= 1`` (paper: 3).
        tau: Mixing threshold in ``[0, 1]`` (paper: 0.5).
        generator: An int seed, a ``torch.Generator`` or ``None``; resolved on first call,
            successive calls continue the stream.

    Attributes:
        last_lam_: ``(B,)`` feature factors of the last call; ``last_lam_y_``: label factors;
        ``last_partner_``: ``(B,)`` partner rows.

    Raises:
        InvalidParameterError: Bad parameters, non-float ``x`` or labels outside ``[0, C)``.

    References:
        H.-P. Chou, S.-C. Chang, J.-Y. Pan, W. Wei, D.-C. Juan, "Remix: Rebalanced Mixup",
        ECCV 2020 Workshops (arXiv:2007.03943).

    Example:
        >>> import torch
        >>> remix = Remix([90, 10], generator=0)
        >>> x_mix, target = remix(torch.randn(4, 3), torch.tensor([0, 0, 1, 1]))
        >>> tuple(x_mix.shape), tuple(target.shape)
        ((4, 3), (4, 2))
        >>> bool(torch.allclose(target.sum(1), torch.ones(4)))
        True
    """

    def __init__(
        self,
        class_counts: Any,
        *,
        alpha: float = 1.0,
        kappa: float = 3.0,
        tau: float = 0.5,
        generator: int | torch.Generator | None = None,
    ) -> None:
        owner = type(self).__name__
        check_param(owner, "alpha", alpha, [Interval(float, 0, None, closed="neither")])
        check_param(owner, "kappa", kappa, [Interval(float, 1, None)])
        check_param(owner, "tau", tau, [Interval(float, 0, 1)])
        check_param(owner, "generator", generator, ["generator"])
        self.class_counts = as_counts(class_counts, owner, "class_counts")
        self.alpha = alpha
        self.kappa = kappa
        self.tau = tau
        self.generator = generator
        self._stream = StreamGenerator(generator, owner)

    def __call__(self, x: torch.Tensor, y: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Mix a batch.

        Args:
            x: ``(B, *sample_shape)`` floating-point tensor.
            y: ``(B,)`` integer labels in ``[0, C)``.

        Returns:
            ``(x_mixed, soft_targets)``: ``x_mixed`` like ``x``; ``soft_targets`` ``(B, C)`` in
            ``x``'s dtype, rows summing to 1.
        """
        owner = type(self).__name__
        x = _check_float_x(x, owner)
        num_classes = self.class_counts.numel()
        y = check_labels_1d(y, x.shape[0], num_classes, owner).to(x.device)
        generator = self._stream.get(x.device)
        B = x.shape[0]
        perm = torch.randperm(B, generator=generator, device=x.device)
        lam = _beta(self.alpha, B, generator, x.device)
        counts = self.class_counts.to(x.device)
        y_j = y[perm]
        lam_y = remix_label_factor(lam, counts[y], counts[y_j], kappa=self.kappa, tau=self.tau)
        self.last_lam_, self.last_lam_y_, self.last_partner_ = lam, lam_y, perm
        return _mix_x(x, x[perm], lam), _soft(y, y_j, lam_y, num_classes, x.dtype)

    def __repr__(self) -> str:
        return (
            f"Remix(class_counts={self.class_counts.long().tolist()}, alpha={self.alpha}, "
            f"kappa={self.kappa}, tau={self.tau})"
        )


class BalancedMixup:
    """Mixup where every row's partner is drawn from a class-balanced distribution.

    Partners are drawn with replacement from a pool ``(X, y)`` (typically the training set)
    with per-sample weight ``1 / n_{y_k}``, so each class is equally likely to be the
    partner's class (a class first, uniformly over the pool's classes, then a row of it: no
    limit on the pool's size, unlike ``torch.multinomial``'s 2**24 rows);
    ``lam ~ Beta(alpha, alpha)`` per row, and
    ``x_mixed = lam * x + (1 - lam) * x_partner`` with soft target
    ``lam * onehot(y) + (1 - lam) * onehot(y_partner)``. The minority classes thus appear in
    about ``1/C`` of the partner slots whatever their frequency.

    Args:
        X: ``(N, *sample_shape)`` tensor of pool features, or a map-style dataset of
            ``(x, y)`` (labels found by :func:`~torchbalance.labels.get_labels`; partners
            loaded with ``dataset[k]``), then ``y`` is ``None``.
        y: ``(N,)`` integer labels of the pool, or ``None`` for a dataset.
        num_classes: ``C`` (default ``max(label) + 1``).
        alpha: Beta parameter ``> 0``.
        generator: An int seed, a ``torch.Generator`` or ``None``; resolved on first call.

    Attributes:
        last_partner_: ``(B,)`` pool indices of the last call's partners.

    Raises:
        InvalidParameterError: Bad parameters, non-float ``x`` or labels outside ``[0, C)``.

    References:
        H. Zhang et al., "mixup: Beyond Empirical Risk Minimization", ICLR 2018; balanced
        partner sampling as in B. Kang et al., "Decoupling Representation and Classifier for
        Long-Tailed Recognition", ICLR 2020 (class-balanced sampling).

    Example:
        >>> import torch
        >>> X, y = torch.randn(10, 3), torch.tensor([0] * 8 + [1] * 2)
        >>> mix = BalancedMixup(X, y, generator=0)
        >>> x_mix, target = mix(X[:4], y[:4])
        >>> tuple(x_mix.shape), tuple(target.shape)
        ((4, 3), (4, 2))
    """

    def __init__(
        self,
        X: Any,
        y: Any = None,
        *,
        num_classes: int | None = None,
        alpha: float = 1.0,
        generator: int | torch.Generator | None = None,
    ) -> None:
        owner = type(self).__name__
        check_param(owner, "alpha", alpha, [Interval(float, 0, None, closed="neither")])
        check_param(owner, "num_classes", num_classes, [Interval(int, 1, None), None])
        check_param(owner, "generator", generator, ["generator"])
        if isinstance(X, torch.Tensor):
            if y is None:
                raise InvalidParameterError(f"{owner}: y is None; give the pool's labels.")
            labels = get_labels(y)
            if labels.shape[0] != X.shape[0]:
                raise InvalidParameterError(
                    f"{owner}: X has {X.shape[0]} rows but y has {labels.shape[0]} labels."
                )
        else:
            if y is not None:
                raise InvalidParameterError(
                    f"{owner}: y must be None when X is a dataset (its labels are used)."
                )
            labels = get_labels(X)
        if labels.numel() == 0:
            raise InvalidParameterError(f"{owner}: the pool is empty.")
        if int(labels.min()) < 0:
            raise InvalidParameterError(
                f"{owner}: the pool has label {int(labels.min())}; labels must be in [0, C)."
            )
        C = int(labels.max()) + 1 if num_classes is None else num_classes
        if int(labels.max()) >= C:
            raise InvalidParameterError(
                f"{owner}: num_classes={num_classes} is invalid; it must exceed the largest "
                f"label, {int(labels.max())}."
            )
        self.X = X
        self.labels = labels.cpu()
        self.num_classes = C
        self.alpha = alpha
        self.generator = generator
        self._groups = group_by_label(self.labels)
        self._stream = StreamGenerator(generator, owner)

    def draw_partners(self, n: int) -> torch.Tensor:
        """``(n,)`` int64 pool indices drawn class-balanced (with replacement)."""
        if n == 0:  # an empty batch (a filter emptied it): nothing to draw
            return torch.zeros(0, dtype=torch.int64)
        generator = self._stream.host()
        every_class = torch.ones(self._groups.classes.numel(), dtype=torch.float64)
        return class_then_index(self._groups, every_class, n, generator)

    def __call__(self, x: torch.Tensor, y: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Mix a batch with class-balanced partners.

        Args:
            x: ``(B, *sample_shape)`` floating-point tensor.
            y: ``(B,)`` integer labels in ``[0, C)``.

        Returns:
            ``(x_mixed, soft_targets)`` as in :class:`Remix`.
        """
        owner = type(self).__name__
        x = _check_float_x(x, owner)
        y = check_labels_1d(y, x.shape[0], self.num_classes, owner).to(x.device)
        B = x.shape[0]
        index = self.draw_partners(B)
        lam = _beta(self.alpha, B, self._stream.host(), x.device)
        if isinstance(self.X, torch.Tensor):
            partner = self.X.index_select(0, index.to(self.X.device))
        else:
            partner = torch.stack([torch.as_tensor(self.X[k][0]) for k in index.tolist()])
        partner = partner.to(device=x.device, dtype=x.dtype)
        y_partner = self.labels[index].to(x.device)
        self.last_partner_ = index
        return _mix_x(x, partner, lam), _soft(y, y_partner, lam, self.num_classes, x.dtype)

    def __repr__(self) -> str:
        return f"BalancedMixup(num_classes={self.num_classes}, alpha={self.alpha})"
