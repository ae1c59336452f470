"""AnomalyCleaner: drop the most anomalous samples of the majority (or chosen) classes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from ..under_sampling._base import CLEAN_STRATEGY_CONSTRAINTS, BaseCleaningSampler
from ..utils import InstanceOf, Interval, derive_seed, host_generator
from ._common import detector_scores, fit_detector, make_detector

__all__ = ["AnomalyCleaner"]


class AnomalyCleaner(BaseCleaningSampler):
    """Remove the most anomalous samples of each cleaned class, as judged by a one-class
    detector trained on that class alone.

    For every class named by ``sampling_strategy`` (default: the majority class), a fresh
    copy of ``detector`` is trained on the rows of that class (``fit(X_class)``, no labels),
    the rows are scored with ``score_samples`` (higher = more anomalous), and the
    ``floor(contamination · n_class)`` highest-scoring rows are removed (ties: the earlier row
    goes first). Other classes are never touched, so the minority keeps every sample. Kept
    rows stay in their original order; ``sample_weight`` follows the kept rows.

    Args:
        detector: A torchbalance detector, or any object with ``fit(X)`` and
            ``score_samples(X)`` (higher = more anomalous; scikit-learn's outlier detectors,
            which score the other way, are recognised and negated). ``None``: an
            :class:`AutoencoderDetector` with its defaults, on the data's device.
        sampling_strategy: The classes to clean: ``"majority"``, ``"not minority"``,
            ``"not majority"``, ``"all"``, ``"auto"`` (= ``"not minority"``) or a list of
            labels (imbalanced-learn's grammar for cleaning methods).
        contamination: Fraction of each cleaned class removed, in ``[0, 1)``.
        generator: Int seed, ``torch.Generator`` or ``None``: seeds each class's detector
            (when the detector has no seed of its own).

    Attributes:
        sampling_strategy_: ``{class: ...}`` whose keys are the cleaned classes.
        sample_indices_: ``(n_out,)`` int64 rows kept, in their original order.
        anomaly_scores_: ``(n_samples,)`` float64 score of each row of a cleaned class under
            its class's detector; NaN for rows of other classes, and of a targeted class with
            ``floor(contamination * n_c) == 0`` rows to remove (no detector is fitted for it).
        n_removed_: ``{class: rows removed}``.

    Raises:
        InvalidParameterError: Invalid parameters; a detector without ``fit`` /
            ``score_samples``.
        DataValidationError: Bad input data.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.cat([torch.randn(95, 2, generator=g), 10 + torch.randn(5, 2, generator=g)])
        >>> X[0] = 12.0  # a majority row that sits among the minority
        >>> y = torch.tensor([0] * 95 + [1] * 5)
        >>> cleaner = AnomalyCleaner(contamination=0.02, generator=0)
        >>> X_res, y_res = cleaner.fit_resample(X, y)
        >>> cleaner.n_removed_, 0 in cleaner.sample_indices_.tolist(), int((y_res == 1).sum())
        ({0: 1}, False, 5)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "detector": [InstanceOf((object,), name="a detector with fit and score_samples"), None],
        "sampling_strategy": CLEAN_STRATEGY_CONSTRAINTS,
        "contamination": [Interval(float, 0, 1, closed="left")],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        detector: Any = None,
        sampling_strategy: Any = "majority",
        contamination: float = 0.05,
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.detector = detector
        self.sampling_strategy = sampling_strategy
        self.contamination = contamination
        self.generator = generator

    def _fit_resample(
        self, X: torch.Tensor, y: torch.Tensor, strategy: Mapping[Any, int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        owner = type(self).__name__
        generator = host_generator(self.generator, owner=owner)
        F = self._features(X)
        remove = torch.zeros(y.numel(), dtype=torch.bool, device=y.device)
        scores_all = torch.full((y.numel(),), math.nan, dtype=torch.float64, device=y.device)
        removed: dict[Any, int] = {}
        for code in strategy:
            seed = derive_seed(generator)
            members = torch.nonzero(y == code).reshape(-1)
            n_drop = math.floor(self.contamination * members.numel())
            removed[self._label(code)] = n_drop
            if n_drop == 0:
                continue
            detector = make_detector(self.detector, seed, owner, X.device)
            rows = F.index_select(0, members)
            scores = detector_scores(fit_detector(detector, rows), rows)
            scores_all[members] = scores
            order = torch.sort(scores, descending=True, stable=True).indices
            remove[members[order[:n_drop]]] = True
        self.anomaly_scores_ = scores_all
        self.n_removed_ = removed
        return self._keep_rows(X, y, remove, strategy)
