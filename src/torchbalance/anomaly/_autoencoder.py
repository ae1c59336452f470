"""AutoencoderDetector: the reconstruction error of a small MLP autoencoder."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import nn

from ..utils import InstanceOf
from ._base import BaseDetector, check_sizes, make_mlp

__all__ = ["AutoencoderDetector"]


class _Autoencoder(nn.Module):
    def __init__(self, n_features: int, hidden_sizes: Sequence[int]) -> None:
        super().__init__()
        widths = [n_features, *hidden_sizes]
        self.encoder = make_mlp(widths, bias=True, activation=nn.ReLU, last_activation=True)
        self.decoder = make_mlp(widths[::-1], bias=True, activation=nn.ReLU, last_activation=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class AutoencoderDetector(BaseDetector):
    """Anomaly score = reconstruction error of an MLP autoencoder trained on normal data.

    The autoencoder ``d → hidden_sizes[0] → … → hidden_sizes[-1] → … → d`` (ReLU between
    layers, a linear output) is trained by AdamW to reconstruct the **standardised** training
    rows (each feature centred and scaled by the mean and standard deviation of the training
    rows, kept in ``mean_`` / ``scale_`` and applied to every later input). The anomaly score of
    a sample is its mean squared reconstruction error over the standardised features:
    **higher means more anomalous** (the opposite sign of scikit-learn's
    ``IsolationForest.score_samples``).

    ``fit(X)`` trains on every row and ``predict`` returns ``1`` (anomaly) / ``0`` (inlier);
    ``fit(X, y)`` with two classes trains on the ``normal_class`` rows only (default: the most
    frequent class) and ``predict`` returns the labels ``outlier_class_`` / ``normal_class_``,
    so the detector drops into :func:`~torchbalance.model_selection.cross_validate` and
    :class:`~torchbalance.model_selection.ThresholdTuner` like a classifier.

    The threshold ``threshold_`` is the ``1 - contamination`` quantile (linear interpolation)
    of the training rows' scores, so a fraction ``contamination`` of the training rows is
    flagged. Training scores are in-sample, so on new normal data slightly more than that
    fraction is flagged; tune the threshold on held-out data with ``ThresholdTuner`` when
    labels exist.

    Args:
        hidden_sizes: Encoder widths; the last one is the bottleneck (the decoder mirrors
            them). ``None`` sizes them from the number of features ``d``: bottleneck
            ``b = max(1, min(16, d // 2))`` and one hidden layer of ``min(64, 4 b)`` — the
            bottleneck must be narrower than ``d``, or the network can learn the identity and
            reconstruct anomalies as well as normal rows.
        contamination: Fraction of training rows above the threshold, in ``(0, 0.5]``.
        normal_class: With ``y``: the label of the normal class; ``None`` is the most frequent
            one. Must be ``None`` without ``y``.
        epochs: Passes over the training rows.
        batch_size: Rows per optimiser step.
        lr: AdamW learning rate.
        weight_decay: AdamW weight decay.
        device: ``"cpu"``, ``"cuda"``, a ``torch.device`` or ``"auto"``.
        generator: Int seed, ``torch.Generator`` or ``None``: seeds the initialisation and the
            batch order, so an int makes ``fit`` reproducible.
        progress: Print the epoch and the mean training loss to stderr.

    Attributes:
        module_: The trained autoencoder (eval mode).
        mean_, scale_: ``(d,)`` float32 standardisation statistics of the training rows.
        threshold_: The decision threshold on the scores (float).
        spread_: 10%–90% inter-quantile range of the training scores (scales
            ``predict_proba``).
        train_scores_: ``(n_train,)`` float64 scores of the training rows.
        classes_: ``[0, 1]`` without ``y``, else the two sorted labels.
        normal_class_, outlier_class_: The normal and the anomaly label.
        n_features_in_: Number of features.
        history_: Mean training loss of each epoch.

    Raises:
        InvalidParameterError: Invalid parameters (at ``fit``).
        DataValidationError: Malformed data; ``y`` without exactly two classes.

    References:
        M. Sakurada, T. Yairi, "Anomaly detection using autoencoders with nonlinear
        dimensionality reduction", MLSDA workshop, 2014.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.randn(300, 4, generator=g) @ torch.randn(4, 8, generator=g)
        >>> det = AutoencoderDetector(hidden_sizes=(16, 4), epochs=30, generator=0).fit(X)
        >>> far = 6 * torch.ones(1, 8)
        >>> bool(det.score_samples(far) > det.score_samples(X).max())
        True
        >>> float(det.predict(X).double().mean())  # contamination=0.1 of the training rows
        0.1
    """

    def __init__(
        self,
        *,
        hidden_sizes: Sequence[int] | None = None,
        contamination: float = 0.1,
        normal_class: Any = None,
        epochs: int = 50,
        batch_size: int = 128,
        lr: float = 3e-3,
        weight_decay: float = 1e-5,
        device: str | torch.device = "cpu",
        generator: int | torch.Generator | None = None,
        progress: bool = False,
    ) -> None:
        self.hidden_sizes = hidden_sizes
        self.contamination = contamination
        self.normal_class = normal_class
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.device = device
        self.generator = generator
        self.progress = progress

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **BaseDetector._parameter_constraints,
        "hidden_sizes": [InstanceOf((tuple, list), name="a tuple of ints"), None],
    }

    def _check_sizes(self) -> None:
        if self.hidden_sizes is not None:
            check_sizes(self._owner, "hidden_sizes", self.hidden_sizes, allow_empty=False)

    def _build(self, n_features: int) -> nn.Module:
        if self.hidden_sizes is None:
            bottleneck = max(1, min(16, n_features // 2))
            sizes: tuple[int, ...] = (min(64, 4 * bottleneck), bottleneck)
        else:
            sizes = tuple(self.hidden_sizes)
        return _Autoencoder(n_features, sizes)

    def _batch_scores(self, batch: torch.Tensor) -> torch.Tensor:
        return (self.module_(batch) - batch).pow(2).mean(dim=1)

    def _batch_loss(self, batch: torch.Tensor) -> torch.Tensor:
        return self._batch_scores(batch).mean()
