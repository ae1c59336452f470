"""Deep SVDD (Ruff et al. 2018): one-class deep support vector data description."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import nn

from ..utils import Interval
from ._base import BaseDetector, check_sizes, make_mlp

__all__ = ["DeepSVDD"]


class DeepSVDD(BaseDetector):
    """One-class Deep SVDD: map normal data into a small hypersphere around a fixed centre.

    A network ``φ`` **without bias terms** and with **unbounded** (leaky ReLU) activations maps
    each standardised row to ``rep_dim`` features; the centre ``c`` is the mean of ``φ(x)``
    over the training rows after the initial forward pass, and every component of ``c`` with
    ``|c_j| < eps`` is pushed to ``±eps`` (its sign; ``+eps`` for an exact zero), as in the
    authors' code. Training minimises the mean of ``‖φ(x) − c‖²`` (AdamW, its weight decay
    playing the paper's ``λ/2 · Σ‖W‖²`` term). These are the paper's guards against the
    trivial "hypersphere collapse" (a bias, a bounded activation or ``c = 0`` would let
    ``φ`` map everything onto ``c``). The score is ``‖φ(x) − c‖²``: **higher means more
    anomalous** (the opposite sign of scikit-learn's ``IsolationForest.score_samples``).

    With ``pretrain_epochs > 0`` the network is first trained as the encoder of a bias-free
    autoencoder (the decoder mirrors it), as the paper does, and ``c`` is computed from the
    pretrained encoder.

    Inputs are standardised by the training rows' mean and standard deviation (``mean_``,
    ``scale_``). ``fit``, ``predict``, ``threshold_``, ``contamination`` and the labels
    behave as in :class:`AutoencoderDetector`: without ``y`` ``predict`` returns ``1``/``0``,
    with two-class ``y`` the detector trains on ``normal_class`` rows only and ``predict``
    returns labels.

    Not built: the soft-boundary variant (radius ``R`` and ``ν``), and batch normalisation.

    Args:
        hidden_sizes: Widths of the hidden layers of ``φ`` (``()``: a linear map).
        rep_dim: Output dimension of ``φ``.
        eps: Smallest absolute value of a component of ``c``.
        pretrain_epochs: Epochs of autoencoder pretraining (0: none).
        contamination: Fraction of training rows above the threshold, in ``(0, 0.5]``.
        normal_class: With ``y``: the label of the normal class; ``None`` is the most frequent
            one. Must be ``None`` without ``y``.
        epochs: Passes over the training rows (Deep SVDD objective).
        batch_size: Rows per optimiser step.
        lr: AdamW learning rate (also for pretraining).
        weight_decay: AdamW weight decay.
        device: ``"cpu"``, ``"cuda"``, a ``torch.device`` or ``"auto"``.
        generator: Int seed, ``torch.Generator`` or ``None`` (an int makes ``fit``
            reproducible).
        progress: Print the epoch and the mean training loss to stderr.

    Attributes:
        module_: The trained network ``φ`` (eval mode, no bias anywhere).
        center_: ``(rep_dim,)`` float32 centre ``c``.
        mean_, scale_: ``(d,)`` float32 standardisation statistics of the training rows.
        threshold_, spread_, train_scores_: As in :class:`AutoencoderDetector`.
        classes_, normal_class_, outlier_class_: As in :class:`AutoencoderDetector`.
        n_features_in_, history_: As in :class:`AutoencoderDetector`.

    Raises:
        InvalidParameterError: Invalid parameters (at ``fit``).
        DataValidationError: Malformed data; ``y`` without exactly two classes.

    References:
        L. Ruff, R. Vandermeulen, N. Görnitz, L. Deecke, S. A. Siddiqui, A. Binder, E. Müller,
        M. Kloft, "Deep One-Class Classification", ICML 2018.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.randn(300, 6, generator=g)
        >>> svdd = DeepSVDD(epochs=10, generator=0).fit(X)
        >>> bool(svdd.score_samples(8 * torch.ones(1, 6)) > svdd.score_samples(X).max())
        True
        >>> any(m.bias is not None for m in svdd.module_ if isinstance(m, torch.nn.Linear))
        False
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **BaseDetector._parameter_constraints,
        "rep_dim": [Interval(int, 1, None)],
        "eps": [Interval(float, 0, None, closed="neither")],
        "pretrain_epochs": [Interval(int, 0, None)],
    }

    def __init__(
        self,
        *,
        hidden_sizes: Sequence[int] = (64,),
        rep_dim: int = 16,
        eps: float = 0.1,
        pretrain_epochs: int = 0,
        contamination: float = 0.1,
        normal_class: Any = None,
        epochs: int = 50,
        batch_size: int = 128,
        lr: float = 1e-3,
        weight_decay: float = 1e-6,
        device: str | torch.device = "cpu",
        generator: int | torch.Generator | None = None,
        progress: bool = False,
    ) -> None:
        self.hidden_sizes = hidden_sizes
        self.rep_dim = rep_dim
        self.eps = eps
        self.pretrain_epochs = pretrain_epochs
        self.contamination = contamination
        self.normal_class = normal_class
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.device = device
        self.generator = generator
        self.progress = progress

    def _check_sizes(self) -> None:
        check_sizes(self._owner, "hidden_sizes", self.hidden_sizes, allow_empty=True)

    def _widths(self, n_features: int) -> list[int]:
        return [n_features, *(self.hidden_sizes or ()), self.rep_dim]

    def _build(self, n_features: int) -> nn.Module:
        return make_mlp(
            self._widths(n_features), bias=False, activation=_LeakyReLU, last_activation=False
        )

    def _after_build(self, X: torch.Tensor, seed: int) -> None:
        if self.pretrain_epochs:
            self._pretrain(X, seed)
        with torch.no_grad():
            self.module_.eval()
            center = torch.cat([self.module_(chunk) for chunk in X.split(8192)]).mean(dim=0)
        near_zero = center.abs() < self.eps
        sign = torch.where(center < 0, -1.0, 1.0).to(center)
        self.center_ = torch.where(near_zero, sign * self.eps, center)

    def _pretrain(self, X: torch.Tensor, seed: int) -> None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed + 1)
            decoder = make_mlp(
                self._widths(X.shape[1])[::-1],
                bias=False,
                activation=_LeakyReLU,
                last_activation=False,
            ).to(X.device)
        autoencoder = nn.Sequential(self.module_, decoder)
        optimizer = torch.optim.AdamW(
            autoencoder.parameters(), lr=self.lr, weight_decay=self.weight_decay
        )
        order_generator = torch.Generator().manual_seed(seed + 1)
        autoencoder.train()
        for _ in range(self.pretrain_epochs):
            order = torch.randperm(X.shape[0], generator=order_generator).to(X.device)
            for batch in order.split(int(self.batch_size)):
                optimizer.zero_grad(set_to_none=True)
                loss = (autoencoder(X[batch]) - X[batch]).pow(2).sum(dim=1).mean()
                loss.backward()
                optimizer.step()

    def _batch_scores(self, batch: torch.Tensor) -> torch.Tensor:
        return (self.module_(batch) - self.center_).pow(2).sum(dim=1)

    def _batch_loss(self, batch: torch.Tensor) -> torch.Tensor:
        return self._batch_scores(batch).mean()


class _LeakyReLU(nn.LeakyReLU):
    """Leaky ReLU with slope 0.1, as in the authors' networks (unbounded, as required)."""

    def __init__(self) -> None:
        super().__init__(0.1)
