"""Building, seeding and scoring a detector inside the feature transformer and the cleaner."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..exceptions import InvalidParameterError

__all__ = ["fit_detector", "make_detector", "sklearn_sign"]


def make_detector(detector: Any, seed: int, owner: str, device: torch.device) -> Any:
    """A fresh, seeded copy of ``detector`` (``None``: an :class:`AutoencoderDetector` on
    ``device``)."""
    from ..model_selection._validation import clone_estimator, seed_estimator

    if detector is None:
        from ._autoencoder import AutoencoderDetector

        return AutoencoderDetector(generator=seed, device=device)
    for method in ("fit", "score_samples"):
        if not callable(getattr(detector, method, None)):
            raise InvalidParameterError(
                f"{owner}: detector={detector!r} is invalid; it must have fit(X) and "
                f"score_samples(X) (e.g. AutoencoderDetector() or DeepSVDD()), it lacks {method}."
            )
    fresh = clone_estimator(detector)
    seed_estimator(fresh, seed)
    return fresh


def sklearn_sign(detector: Any) -> float:
    """``-1`` for scikit-learn's outlier detectors (their ``score_samples`` is higher for
    *normal* samples), else ``+1``."""
    if not type(detector).__module__.startswith("sklearn"):
        return 1.0
    try:
        from sklearn.base import is_outlier_detector
    except ImportError:  # pragma: no cover - scikit-learn is where the detector came from
        return 1.0
    return -1.0 if is_outlier_detector(detector) else 1.0


def _native(detector: Any) -> bool:
    return type(detector).__module__.startswith("torchbalance")


def fit_detector(detector: Any, X: torch.Tensor) -> Any:
    """Fit ``detector`` on ``X`` (tensors for torchbalance detectors, NumPy for others)."""
    detector.fit(X if _native(detector) else X.detach().cpu().numpy())
    return detector


def detector_scores(detector: Any, X: torch.Tensor) -> torch.Tensor:
    """float64 anomaly scores (higher = more anomalous) on ``X``'s device."""
    if _native(detector):
        raw = detector.score_samples(X)
    else:
        raw = detector.score_samples(X.detach().cpu().numpy())
    values = raw.detach() if isinstance(raw, torch.Tensor) else torch.as_tensor(np.asarray(raw))
    return values.to(device=X.device, dtype=torch.float64).reshape(-1) * sklearn_sign(detector)
