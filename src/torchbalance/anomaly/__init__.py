"""Anomaly / one-class detection for extreme imbalance (≤ 1% positives).

When the rare class is better modelled as "not normal" than learnt from a handful of
examples: deep one-class detectors trained on the majority (or all) data
(:class:`AutoencoderDetector`, :class:`DeepSVDD`), the anomaly score as an extra feature
(:class:`AnomalyScoreFeature`), and anomaly-based cleaning of the majority class as a
resampler (:class:`AnomalyCleaner`).

Convention: **anomaly scores are higher for more anomalous samples** — the opposite sign of
scikit-learn's ``IsolationForest.score_samples`` — and ``decision_function`` is positive for
anomalies whenever the anomaly label sorts second (as a classifier's is positive for
``classes_[1]``).
"""

from ._autoencoder import AutoencoderDetector
from ._cleaner import AnomalyCleaner
from ._deep_svdd import DeepSVDD
from ._feature import AnomalyScoreFeature

__all__ = ["AnomalyCleaner", "AnomalyScoreFeature", "AutoencoderDetector", "DeepSVDD"]
