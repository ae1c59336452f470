"""AnomalyScoreFeature: append a detector's anomaly score to the features."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch

from ..base import ParamsMixin
from ..exceptions import DataValidationError, InvalidParameterError, NotFittedError
from ..utils import (
    InstanceOf,
    Options,
    check_feature_names,
    check_features,
    check_labels,
    derive_seed,
    host_generator,
    remember_feature_names,
)
from ._common import detector_scores, fit_detector, make_detector

__all__ = ["AnomalyScoreFeature"]


class AnomalyScoreFeature(ParamsMixin):
    """Append the anomaly score of a one-class detector as one more feature column.

    ``fit(X, y)`` trains a copy of ``detector`` on the rows of the most frequent class of
    ``y`` (``train_on="majority"``) or on every row (``train_on="all"``, or when ``y`` is
    ``None``); ``transform(X)`` returns ``X`` with ``detector_.score_samples(X)`` appended as
    the last column (**higher = more anomalous**). The rows the detector was trained on get
    in-sample scores at ``fit_transform``: a model fitted on them sees slightly lower scores
    for normal rows than new data will have (fit the transformer on separate data to avoid
    that).

    Args:
        detector: A torchbalance detector, or any object with ``fit(X)`` and
            ``score_samples(X)`` (higher = more anomalous); scikit-learn's outlier detectors
            (``IsolationForest``, ...) score the other way round and are recognised and
            negated. ``None``: :class:`AutoencoderDetector` with its defaults.
        train_on: ``"majority"`` or ``"all"`` (see above).
        name: Column name of the score for a DataFrame input.
        generator: Int seed, ``torch.Generator`` or ``None``; seeds an unseeded detector.

    Attributes:
        detector_: The fitted detector.
        n_features_in_: Number of input features.

    Raises:
        InvalidParameterError: Invalid parameters; a detector without ``fit`` /
            ``score_samples``.
        DataValidationError: Malformed data; a DataFrame that already has a column ``name``.

    Example:
        >>> import torch
        >>> g = torch.Generator().manual_seed(0)
        >>> X = torch.randn(200, 3, generator=g)
        >>> from torchbalance.anomaly import DeepSVDD
        >>> feature = AnomalyScoreFeature(detector=DeepSVDD(epochs=5), generator=0)
        >>> Z = feature.fit_transform(X)
        >>> Z.shape, bool(torch.equal(Z[:, :3], X))
        (torch.Size([200, 4]), True)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "detector": [InstanceOf((object,), name="a detector with fit and score_samples"), None],
        "train_on": [Options(("majority", "all"))],
        "name": [str],
        "generator": ["generator"],
    }

    def __init__(
        self,
        *,
        detector: Any = None,
        train_on: str = "majority",
        name: str = "anomaly_score",
        generator: int | torch.Generator | None = None,
    ) -> None:
        self.detector = detector
        self.train_on = train_on
        self.name = name
        self.generator = generator

    def fit(self, X: Any, y: Any = None) -> AnomalyScoreFeature:
        """Train the detector on ``X`` (its majority-class rows when ``y`` is given and
        ``train_on="majority"``); returns ``self``."""
        self._validate_params()
        owner = type(self).__name__
        X_t, _ = check_features(X, owner=owner)
        rows = X_t
        if y is not None and self.train_on == "majority":
            codes, _ = check_labels(y, owner=owner)
            if codes.shape[0] != X_t.shape[0]:
                raise DataValidationError(
                    f"{owner}: X has {X_t.shape[0]} samples but y has {codes.shape[0]}; they "
                    "must have the same length."
                )
            values, counts = torch.unique(codes.cpu(), return_counts=True)
            majority = values[counts.argmax()]
            rows = X_t[(codes.cpu() == majority).to(X_t.device)]
        seed = derive_seed(host_generator(self.generator, owner=owner))
        self.detector_ = fit_detector(make_detector(self.detector, seed, owner, X_t.device), rows)
        self.n_features_in_ = X_t.shape[1]
        remember_feature_names(self, X)
        return self

    def transform(self, X: Any) -> Any:
        """``X`` with the anomaly score appended as the last column.

        Returns:
            ``(n_samples, n_features + 1)``: a tensor (X's float dtype, else float32, on X's
            device), a NumPy array, or a DataFrame with the new column ``name``.
        """
        owner = type(self).__name__
        if not hasattr(self, "detector_"):
            raise NotFittedError(f"This {owner} is not fitted yet; call fit(X) first.")
        X_t, info = check_features(X, owner=owner)
        check_feature_names(self, X, owner=owner)
        if X_t.shape[1] != self.n_features_in_:
            raise DataValidationError(
                f"{owner}: X has {X_t.shape[1]} features, but {owner} is expecting "
                f"{self.n_features_in_} features as input."
            )
        scores = detector_scores(self.detector_, X_t)
        if self._output() == "pandas" and info.kind != "pandas":
            import pandas as pd

            data = np.column_stack([X_t.cpu().numpy(), scores.cpu().numpy()])
            return pd.DataFrame(data, columns=self.get_feature_names_out())
        if info.kind == "tensor":
            dtype = X_t.dtype if X_t.is_floating_point() else torch.float32
            return torch.cat([X_t.to(dtype), scores.to(dtype)[:, None]], dim=1)
        if info.kind == "pandas":
            if self.name in X.columns:
                raise DataValidationError(
                    f"{owner}: X already has a column {self.name!r}; pass another name=."
                )
            frame = X.copy()
            frame[self.name] = scores.cpu().numpy()
            return frame
        array = X_t.cpu().numpy()
        kind: Any = array.dtype if array.dtype.kind == "f" else np.float64
        return np.column_stack([array.astype(kind), scores.cpu().numpy().astype(kind)])

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """``fit(X, y).transform(X)`` (in-sample scores for the training rows)."""
        return self.fit(X, y).transform(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The output column names: the input's (``feature_names_in_``, ``input_features`` or
        ``x0, x1, ...``) and ``name``, as scikit-learn's transformers give them."""
        if not hasattr(self, "detector_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first.")
        names = getattr(self, "feature_names_in_", None)
        if input_features is not None:
            names = np.asarray(input_features, dtype=object)
            if len(names) != self.n_features_in_:
                raise DataValidationError(
                    f"{type(self).__name__}: input_features has {len(names)} names for "
                    f"{self.n_features_in_} features."
                )
        if names is None:
            names = np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        return np.asarray([*names, self.name], dtype=object)

    def set_output(self, *, transform: str | None = None) -> AnomalyScoreFeature:
        """scikit-learn's output switch: ``"pandas"`` makes ``transform`` return a DataFrame
        for any input, ``"default"`` the input's own type; ``None`` changes nothing."""
        if transform is None:
            return self
        if transform not in ("default", "pandas"):
            raise InvalidParameterError(
                f"{type(self).__name__}: set_output(transform={transform!r}) is invalid; it "
                "must be 'default', 'pandas' or None."
            )
        self._sklearn_output_config = {"transform": transform}  # sklearn's clone keeps it
        return self

    def _output(self) -> str:
        return getattr(self, "_sklearn_output_config", {}).get("transform", "default")
