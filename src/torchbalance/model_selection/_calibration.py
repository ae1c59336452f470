"""Calibration after training: temperature scaling, and undoing the prior shift of resampling."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..base import ParamsMixin
from ..exceptions import (
    DataValidationError,
    InvalidParameterError,
    NotFittedError,
    TorchBalanceWarning,
)
from ..metrics._common import row_sum_deviation
from ..utils import Interval, check_param, warn_user

__all__ = ["PriorCorrectedClassifier", "TemperatureScaling", "correct_priors"]

_PRIOR_TOLERANCE = 1e-6


def _as_priors(priors: Any, name: str, num_classes: int, like: torch.Tensor) -> torch.Tensor:
    tensor = torch.as_tensor(priors, dtype=torch.float64, device=like.device).reshape(-1)
    if tensor.numel() != num_classes:
        raise DataValidationError(
            f"correct_priors: {name} has {tensor.numel()} values but probs has {num_classes} "
            "classes; give one prior per class (for binary (n,) probs, the positive-class prior "
            "alone or both)."
        )
    if not bool(torch.isfinite(tensor).all()) or bool((tensor <= 0).any()):
        raise DataValidationError(
            f"correct_priors: {name}={tensor.tolist()} is invalid; every prior must be a finite "
            "probability > 0."
        )
    if abs(float(tensor.sum()) - 1.0) > _PRIOR_TOLERANCE:
        raise DataValidationError(
            f"correct_priors: {name} sums to {float(tensor.sum()):.9g}, not 1; pass "
            "probabilities (class counts divided by their total)."
        )
    return tensor


def correct_priors(probs: Any, train_priors: Any, target_priors: Any) -> torch.Tensor:
    """Re-weight predicted probabilities from the class priors a model was trained under to the
    priors of the data it is applied to.

    ``p'(c|x) ∝ p(c|x) · π'_c / π_c`` (Saerens et al. 2002). A model trained on resampled data
    (balanced by over- or under-sampling) predicts as if the classes were balanced; with
    ``train_priors`` the resampled shares and ``target_priors`` the true ones, this undoes that
    distortion (for random under-sampling of the negatives at rate ``β`` it is Dal Pozzolo et
    al.'s ``β p / (β p - p + 1)``).

    Args:
        probs: Probabilities ``(n_samples, n_classes)`` whose rows sum to 1, or ``(n_samples,)``
            positive-class probabilities of a binary model.
        train_priors: Class shares the model was trained under, ``(n_classes,)`` summing to 1;
            for binary ``(n,)`` input also the positive-class share alone.
        target_priors: Class shares to correct to, same form.

    Returns:
        Corrected probabilities, same shape, dtype and device as ``probs``.

    Raises:
        DataValidationError: Probabilities outside [0, 1] or rows not summing to 1 (within
            1e-4, or 4 ulps of float16/bfloat16), or priors of the wrong length, not positive,
            or not summing to 1.

    References:
        M. Saerens, P. Latinne, C. Decaestecker, "Adjusting the outputs of a classifier to new a
        priori probabilities: a simple procedure", Neural Computation 14(1), 2002.
        A. Dal Pozzolo, O. Caelen, R. A. Johnson, G. Bontempi, "Calibrating probability with
        undersampling for unbalanced classification", IEEE SSCI 2015.

    Example:
        >>> p = torch.tensor([0.5, 0.9])  # trained on a 50/50 resample of 5% positives
        >>> correct_priors(p, 0.5, 0.05)
        tensor([0.0500, 0.3214])
    """
    tensor = torch.as_tensor(probs)
    if not tensor.is_floating_point() or tensor.dim() not in (1, 2):
        raise DataValidationError(
            f"correct_priors: probs must be a float (n_samples, n_classes) or (n_samples,) "
            f"array, got dtype {tensor.dtype} and shape {tuple(tensor.shape)}."
        )
    if not bool(((tensor >= 0) & (tensor <= 1)).all()):
        raise DataValidationError(
            "correct_priors: probs has values outside [0, 1] (or NaN); pass probabilities, "
            "e.g. softmax(logits)."
        )
    binary = tensor.dim() == 1
    full = torch.stack([1 - tensor, tensor], dim=1) if binary else tensor
    if not binary and row_sum_deviation(full, floor=1e-4) is not None:
        raise DataValidationError(
            "correct_priors: the rows of probs do not sum to 1; pass probabilities over all "
            "classes (softmax of the logits)."
        )
    num_classes = full.shape[1]

    def both(priors: Any, name: str) -> torch.Tensor:
        given = torch.as_tensor(priors, dtype=torch.float64).reshape(-1)
        if binary and given.numel() == 1:
            given = torch.cat([1 - given, given])
        return _as_priors(given, name, num_classes, full)

    ratio = both(target_priors, "target_priors") / both(train_priors, "train_priors")
    weighted = full.double() * ratio
    corrected = weighted / weighted.sum(dim=1, keepdim=True)
    result = corrected[:, 1] if binary else corrected
    return result.to(tensor.dtype)


class TemperatureScaling(torch.nn.Module):
    """Calibrate logits by one temperature ``T``: ``softmax(logits / T)`` (Guo et al. 2017).

    ``fit`` minimises the negative log-likelihood of held-out ``(logits, labels)`` over
    ``log T`` with L-BFGS; the argmax (and so accuracy) is unchanged, only the confidence moves.

    Args:
        max_iter: L-BFGS iterations.

    Attributes:
        temperature: The fitted ``T`` (a buffer; 1 before ``fit``).

    References:
        C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger, "On calibration of modern neural networks",
        ICML 2017.

    Example:
        >>> logits = torch.tensor([[4.0, 0.0], [0.0, 4.0], [4.0, 0.0], [0.0, 4.0]])
        >>> labels = torch.tensor([0, 1, 1, 0])  # half wrong: confidence must drop
        >>> scaler = TemperatureScaling().fit(logits, labels)
        >>> bool(scaler.temperature > 10)
        True
    """

    temperature: torch.Tensor
    fitted: torch.Tensor

    def __init__(self, *, max_iter: int = 100) -> None:
        super().__init__()
        check_param("TemperatureScaling", "max_iter", max_iter, [Interval(int, 1, None)])
        self.max_iter = max_iter
        self.register_buffer("temperature", torch.ones(()))
        self.register_buffer("fitted", torch.zeros((), dtype=torch.bool))  # saved with the state

    def fit(self, logits: torch.Tensor, labels: torch.Tensor) -> TemperatureScaling:
        """Fit ``T`` on held-out ``logits`` ``(n, C)`` and integer ``labels`` ``(n,)``
        (tensors, or anything ``torch.as_tensor`` takes, such as NumPy arrays)."""
        logits, labels = torch.as_tensor(logits), torch.as_tensor(labels)
        if not logits.is_floating_point() or labels.is_floating_point():
            raise DataValidationError(
                "TemperatureScaling: logits must be floating and labels integers, got "
                f"{logits.dtype} and {labels.dtype}."
            )
        if logits.dim() != 2 or labels.dim() != 1 or logits.shape[0] != labels.shape[0]:
            raise DataValidationError(
                f"TemperatureScaling: logits must be (n, C) and labels (n,), got "
                f"{tuple(logits.shape)} and {tuple(labels.shape)}."
            )
        if labels.numel() == 0:
            raise DataValidationError(
                "TemperatureScaling: logits and labels are empty; fit needs held-out samples."
            )
        if not bool(torch.isfinite(logits).all()):
            raise DataValidationError("TemperatureScaling: logits has NaN or inf values.")
        if labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= logits.shape[1]):
            raise InvalidParameterError(
                f"TemperatureScaling: labels must be in [0, {logits.shape[1] - 1}] for "
                f"{logits.shape[1]} logit columns."
            )
        data = logits.detach().double()
        target = labels.long().to(data.device)
        log_t = torch.zeros((), dtype=torch.float64, device=data.device, requires_grad=True)
        optimizer = torch.optim.LBFGS(
            [log_t], max_iter=self.max_iter, line_search_fn="strong_wolfe"
        )

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            value = torch.nn.functional.cross_entropy(data / log_t.exp(), target)
            value.backward()
            return value

        optimizer.step(closure)
        self.temperature = log_t.detach().exp().to(self.temperature)
        self.fitted.fill_(True)
        return self

    def forward(self, logits: torch.Tensor) -> torch.Tensor:
        """Calibrated logits ``logits / T``."""
        if not bool(self.fitted):
            raise NotFittedError(
                "This TemperatureScaling is not fitted yet; call fit(logits, labels) first."
            )
        return logits / self.temperature.to(logits)

    def predict_proba(self, logits: torch.Tensor) -> torch.Tensor:
        """Calibrated probabilities ``softmax(logits / T)``."""
        return torch.softmax(self(logits), dim=-1)


def _as_array(labels: Any) -> np.ndarray:
    return labels.cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)


def _labels_after_resampling(model: Any, X: Any, y: Any) -> Any:
    """The labels ``model`` trains on: ``y`` after a replay (on copies) of its own resampling
    steps (a pipeline's resamplers, a :class:`~torchbalance.models.TorchClassifier`'s
    ``resampler``), else ``y``. Class counts of seeded or count-driven resamplers (random,
    SMOTE, cleaning rules) replay exactly."""
    from ..pipeline import Pipeline
    from ._validation import _is_step_list, clone_estimator

    steps: Any = getattr(model, "steps", None)
    if _is_step_list(steps) and any(hasattr(step, "fit_resample") for _, step in steps[:-1]):
        replay = Pipeline(
            [
                (name, step if isinstance(step, str) or step is None else clone_estimator(step))
                for name, step in steps[:-1]
            ]
        )
        return replay._resample_through(X, y)[1]  # transformers allowed: labels only
    resampler = getattr(model, "resampler", None)
    if hasattr(resampler, "fit_resample"):
        return clone_estimator(resampler).fit_resample(X, y)[1]
    return y


def _reweighting(model: Any) -> str | None:
    """What re-weights the classes of ``model`` (or a pipeline's last step) without resampling:
    a sampler, ``class_weight`` or a loss with class weights; ``None`` if nothing does."""
    steps: Any = getattr(model, "steps", None)
    if isinstance(steps, list) and steps:
        model = steps[-1][1]
    if getattr(model, "sampler", None) is not None:
        return "sampler"
    if getattr(model, "class_weight", None) is not None:
        return "class_weight"
    if getattr(getattr(model, "loss", None), "weight", None) is not None:
        return "loss's class weights"
    return None


class PriorCorrectedClassifier(ParamsMixin):
    """A classifier whose probabilities are moved to other class priors after training.

    ``fit`` trains ``model`` and records the class shares it was trained on (after its own
    resampling, if it resamples); ``predict_proba`` applies :func:`correct_priors` from those
    shares to ``target_priors``. With ``target_priors="uniform"`` this is post-hoc logit
    adjustment (Menon et al. 2021): the argmax becomes the balanced-error Bayes rule, which
    raises balanced accuracy on long-tailed data. With the true shares it undoes the
    distortion of a model trained on resampled data.

    Args:
        model: Any estimator with ``fit`` and ``predict_proba``.
        target_priors: ``"uniform"``, or the class shares to move to, in the order of the
            sorted labels.
        train_priors: The shares the model was trained under; ``None`` counts them in ``y``
            after a replay of the model's own resampling (a pipeline's resamplers, a
            ``TorchClassifier``'s ``resampler``).

    References:
        A. K. Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.

    Example:
        >>> from sklearn.linear_model import LogisticRegression
        >>> X = torch.randn(200, 2); y = (torch.rand(200) < 0.1).long()
        >>> model = PriorCorrectedClassifier(LogisticRegression()).fit(X.numpy(), y.numpy())
        >>> model.predict_proba(X.numpy()).shape
        (200, 2)
    """

    def __init__(
        self, model: Any, *, target_priors: Any = "uniform", train_priors: Any = None
    ) -> None:
        self.model = model
        self.target_priors = target_priors
        self.train_priors = train_priors

    def fit(self, X: Any, y: Any) -> PriorCorrectedClassifier:
        """Fit the wrapped model and record the training priors."""
        from ._validation import clone_estimator

        labels = y.cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
        self.classes_ = np.unique(labels)
        self.model_ = clone_estimator(self.model).fit(X, y)
        if self.train_priors is None:
            reweighting = _reweighting(self.model)
            if reweighting is not None:
                warn_user(
                    f"PriorCorrectedClassifier: the model re-weights the classes through its "
                    f"{reweighting}, which the class counts of the data do not show, so the "
                    "correction starts from the wrong priors. Pass train_priors: the shares it "
                    "learned under (uniform for a class-balanced sampler).",
                    TorchBalanceWarning,
                )
            trained = _as_array(_labels_after_resampling(self.model, X, y))
            counts = np.array([np.sum(trained == c) for c in self.classes_], dtype=np.float64)
            self.train_priors_ = counts / counts.sum()
        else:
            self.train_priors_ = np.asarray(self.train_priors, dtype=np.float64)
        if isinstance(self.target_priors, str):
            if self.target_priors != "uniform":
                raise InvalidParameterError(
                    f"PriorCorrectedClassifier: target_priors={self.target_priors!r} is "
                    "invalid; it must be 'uniform' or the class shares."
                )
            self.target_priors_ = np.full(len(self.classes_), 1.0 / len(self.classes_))
        else:
            self.target_priors_ = np.asarray(self.target_priors, dtype=np.float64)
        return self

    def predict_proba(self, X: Any) -> Any:
        """The model's probabilities moved to ``target_priors`` (same type as the model's)."""
        if not hasattr(self, "model_"):
            raise NotFittedError(
                "This PriorCorrectedClassifier is not fitted yet; call fit(X, y) first."
            )
        raw = self.model_.predict_proba(X)
        corrected = correct_priors(torch.as_tensor(raw), self.train_priors_, self.target_priors_)
        return corrected if isinstance(raw, torch.Tensor) else corrected.numpy()

    def predict(self, X: Any) -> Any:
        """The most probable class under the corrected probabilities."""
        probabilities = torch.as_tensor(self.predict_proba(X))
        labels = self.classes_[probabilities.argmax(1).cpu().numpy()]
        if isinstance(X, torch.Tensor) and np.issubdtype(labels.dtype, np.integer):
            return torch.as_tensor(labels, device=X.device)
        return labels
