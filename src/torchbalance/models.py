"""A small scikit-learn-style trainer for torch modules.

:class:`TorchClassifier` trains any ``nn.Module`` with any loss, sampler or resampler of this
package (or a user's own), and exposes ``fit`` / ``predict`` / ``predict_proba`` /
``decision_function``, so a torch model can sit wherever an estimator is expected:
``torchbalance.model_selection``, ``torchbalance.ensemble``, scikit-learn's model selection.
Any other estimator with ``fit`` / ``predict_proba`` is accepted in those places too.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from .base import ClassifierMixin, ParamsMixin, clone
from .exceptions import DataValidationError, InvalidParameterError, NotFittedError
from .pipeline import check_resampler_param
from .utils import (
    InstanceOf,
    Interval,
    IsCallable,
    Options,
    check_feature_names,
    check_features,
    check_X_y,
    derive_seed,
    host_generator,
    print_epoch,
    remember_feature_names,
    resolve_device,
)

__all__ = ["TorchClassifier", "mlp"]

_PREDICT_BATCH = 8192


def mlp(
    input_shape: Sequence[int], num_classes: int, hidden_sizes: Sequence[int] = (64,)
) -> nn.Module:
    """A multi-layer perceptron: flatten, then ``Linear → ReLU`` per hidden size, then logits.

    Example:
        >>> mlp((4,), 3, hidden_sizes=(8,))(torch.zeros(2, 4)).shape
        torch.Size([2, 3])
    """
    layers: list[nn.Module] = [nn.Flatten()]
    width = math.prod(input_shape)
    for size in hidden_sizes:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)


TRAINING_CONSTRAINTS: dict[str, list[Any]] = {
    "epochs": [Interval(int, 1, None)],
    "batch_size": [Interval(int, 1, None)],
    "lr": [Interval(float, 0, None, closed="neither")],
    "weight_decay": [Interval(float, 0, None)],
    "device": [InstanceOf((str, torch.device), name="a device name or torch.device")],
    "generator": ["generator"],
    "progress": [bool],
}
"""The training-budget parameters every torch-trained estimator shares (the trainer here, the
anomaly detectors)."""


class TorchClassifier(ClassifierMixin, ParamsMixin):
    """Train a torch module as a classifier, with an imbalance-aware loss, sampler or resampler.

    Training: the data (after ``resampler``, if any) stays on ``device`` as tensors; each epoch
    takes its order from ``sampler`` (default: a random permutation), cuts it into batches of
    ``batch_size`` and takes one optimiser step per batch. Before each epoch, ``set_epoch(epoch)``
    is called on the loss and on the sampler when they have it, which is how epoch-aware
    schedules (deferred re-weighting, deferred re-sampling, progressive balancing) take effect.

    Args:
        module_fn: ``module_fn(input_shape, num_classes) -> nn.Module`` returning logits of shape
            ``(batch, num_classes)``; ``input_shape`` is the shape of one sample. ``None`` builds
            :func:`mlp` with ``hidden_sizes``.
        hidden_sizes: Hidden layer widths of the default MLP.
        loss: ``None`` (cross-entropy), an ``nn.Module`` (copied at each ``fit``), or a callable
            ``loss(class_counts) -> nn.Module`` given the int64 counts per class of the training
            data, e.g. ``functools.partial(LDAMLoss)``.
        sampler: ``None`` (shuffle), or ``sampler(labels, generator=seed) -> Sampler`` given the
            int64 class codes ``0..C-1`` of the training data, e.g.
            ``functools.partial(ClassBalancedSampler, power=0.5)``.
        resampler: Anything with ``fit_resample(X, y)`` (a torchbalance or imbalanced-learn
            resampler), cloned and applied to the training data at ``fit`` only.
        optimizer: ``"adamw"``, ``"sgd"`` (momentum 0.9) or ``optimizer(params, lr) -> Optimizer``.
        epochs: Passes over the (re)sampled data.
        batch_size: Samples per optimiser step.
        lr: Learning rate.
        weight_decay: Weight decay of ``"adamw"`` / ``"sgd"``.
        device: ``"cpu"``, ``"cuda"``, a ``torch.device``, or ``"auto"`` (CUDA when available).
        generator: An int seed, a ``torch.Generator`` or ``None``; it seeds the module's
            initialisation, the epoch order and the resampler, so an int makes ``fit``
            reproducible.
        progress: Print the epoch and the mean training loss to stderr as training goes.
        standardize: Centre and scale every input feature by the training data's mean and
            standard deviation (kept in ``mean_`` / ``scale_`` and applied at prediction).

    Attributes:
        classes_: The class labels, sorted (NumPy array).
        module_: The trained module (in eval mode).
        loss_: The loss module used.
        n_features_in_: Number of features (``prod(input_shape_)``).
        input_shape_: Shape of one sample.
        history_: Mean training loss of each epoch.

    Example:
        >>> from torchbalance.datasets import make_classification
        >>> X, y = make_classification(400, n_features=6, weights=[0.8, 0.2], generator=0)
        >>> model = TorchClassifier(epochs=5, generator=0).fit(X, y)
        >>> model.predict_proba(X).shape, model.predict(X).shape
        (torch.Size([400, 2]), torch.Size([400]))
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "module_fn": [IsCallable(), None],
        "hidden_sizes": [InstanceOf((tuple, list), name="a tuple of ints")],
        "loss": [InstanceOf((nn.Module,)), IsCallable(), None],
        "sampler": [IsCallable(), None],
        "resampler": [InstanceOf((object,), name="an object with fit_resample"), None],
        "optimizer": [Options(("adamw", "sgd")), IsCallable()],
        **TRAINING_CONSTRAINTS,
        "standardize": [bool],
    }

    def __init__(
        self,
        module_fn: Callable[[tuple[int, ...], int], nn.Module] | None = None,
        *,
        hidden_sizes: Sequence[int] = (64,),
        loss: nn.Module | Callable[[torch.Tensor], nn.Module] | None = None,
        sampler: Callable[..., Any] | None = None,
        resampler: Any = None,
        optimizer: str | Callable[..., torch.optim.Optimizer] = "adamw",
        epochs: int = 50,
        batch_size: int = 64,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        device: str | torch.device = "cpu",
        generator: int | torch.Generator | None = None,
        progress: bool = False,
        standardize: bool = False,
    ) -> None:
        self.module_fn = module_fn
        self.hidden_sizes = hidden_sizes
        self.loss = loss
        self.sampler = sampler
        self.resampler = resampler
        self.optimizer = optimizer
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.device = device
        self.generator = generator
        self.progress = progress
        self.standardize = standardize

    # -- fitting ----------------------------------------------------------------------------------
    def _resolve_device(self) -> torch.device:
        return resolve_device(self.device, "TorchClassifier")

    def _check_param_values(self) -> None:
        self._validate_params()
        if not all(Interval(int, 1, None).is_satisfied_by(h) for h in self.hidden_sizes):
            raise InvalidParameterError(
                f"TorchClassifier: hidden_sizes={self.hidden_sizes!r} is invalid; it must be a "
                "tuple of ints >= 1 (e.g. (64,) or (128, 64))."
            )
        if self.resampler is not None:
            check_resampler_param("TorchClassifier", self.resampler, none="None")

    def _build_loss(self, counts: torch.Tensor) -> nn.Module:
        if self.loss is None:
            return nn.CrossEntropyLoss()
        if isinstance(self.loss, nn.Module):
            return copy.deepcopy(self.loss)
        built = self.loss(counts)
        if not isinstance(built, nn.Module):
            raise InvalidParameterError(
                f"TorchClassifier: loss(class_counts) returned {type(built).__name__}; a loss "
                "factory must return an nn.Module."
            )
        return built

    def _build_optimizer(self, module: nn.Module) -> torch.optim.Optimizer:
        params = module.parameters()
        if self.optimizer == "adamw":
            return torch.optim.AdamW(params, lr=self.lr, weight_decay=self.weight_decay)
        if self.optimizer == "sgd":
            return torch.optim.SGD(params, lr=self.lr, momentum=0.9, weight_decay=self.weight_decay)
        assert callable(self.optimizer)
        return self.optimizer(params, lr=self.lr)

    def _resample(
        self, X: torch.Tensor, codes: torch.Tensor, seed: int, labels: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(X, codes)`` after the resampler, which sees the caller's labels (``labels[c]``
        for code ``c``), so that a ``sampling_strategy`` naming classes means them."""
        if self.resampler is None:
            return X, codes
        resampler = (
            clone(self.resampler)
            if hasattr(self.resampler, "get_params")
            else copy.deepcopy(self.resampler)
        )
        from .model_selection._validation import seed_estimator

        seed_estimator(resampler, seed)
        if isinstance(labels, torch.Tensor):
            y_given: Any = labels.to(codes.device)[codes]
        else:
            y_given = np.asarray(labels)[codes.cpu().numpy()]
        X_new, y_new = resampler.fit_resample(X, y_given)
        returned = y_new.cpu().numpy() if isinstance(y_new, torch.Tensor) else np.asarray(y_new)
        new_codes = np.searchsorted(self.classes_, returned)
        known = new_codes < len(self.classes_)
        if not (known.all() and (self.classes_[new_codes[known]] == returned[known]).all()):
            raise DataValidationError(
                f"TorchClassifier: resampler={self.resampler!r} returned labels that are not "
                "classes of y."
            )
        return (
            torch.as_tensor(X_new, dtype=X.dtype, device=X.device),
            torch.as_tensor(new_codes, dtype=torch.int64, device=codes.device),
        )

    def fit(self, X: Any, y: Any) -> TorchClassifier:
        """Train a fresh module on ``X`` (``(n_samples, *input_shape)``) and labels ``y``.

        Raises:
            InvalidParameterError: For an invalid parameter.
            DataValidationError: For malformed data, or fewer than two classes.
        """
        self._check_param_values()
        device = self._resolve_device()
        X_t, y_t, converter = check_X_y(X, y, owner="TorchClassifier", allow_nd=True)
        classes, codes = torch.unique(y_t, return_inverse=True)
        if classes.numel() < 2:
            raise DataValidationError(
                f"TorchClassifier: y has 1 class ({converter.to_y(classes)!r}); a classifier "
                "needs samples of at least 2 classes."
            )
        self.classes_ = converter.label_array(classes)  # the caller's values and dtype
        self.input_shape_ = tuple(X_t.shape[1:])
        self.n_features_in_ = math.prod(self.input_shape_)
        remember_feature_names(self, X)
        seed = derive_seed(host_generator(self.generator, owner="TorchClassifier"))
        X_fit = X_t.to(device=device, dtype=torch.float32)
        X_fit, codes = self._resample(X_fit, codes.to(device), seed, converter.to_y(classes))
        if self.standardize:
            self.mean_ = X_fit.mean(dim=0)
            std = X_fit.std(dim=0, unbiased=False)
            self.scale_ = torch.where(std > 0, std, torch.ones_like(std))
            X_fit = (X_fit - self.mean_) / self.scale_
        counts = torch.bincount(codes, minlength=classes.numel()).cpu()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            sizes = tuple(int(h) for h in self.hidden_sizes)
            module_fn = self.module_fn or (lambda shape, c: mlp(shape, c, sizes))
            self.module_ = module_fn(self.input_shape_, classes.numel()).to(device)
        self.loss_ = self._build_loss(counts).to(device)
        sampler = None if self.sampler is None else self.sampler(codes.cpu(), generator=seed)
        self.history_ = self._train(X_fit, codes, sampler, seed)
        self.module_.eval()
        return self

    def _epoch_order(self, sampler: Any, n: int, generator: torch.Generator) -> torch.Tensor:
        if sampler is None:
            return torch.randperm(n, generator=generator)
        return torch.as_tensor(list(iter(sampler)), dtype=torch.int64)

    def _train(self, X: torch.Tensor, y: torch.Tensor, sampler: Any, seed: int) -> list[float]:
        optimizer = self._build_optimizer(self.module_)
        order_generator = torch.Generator().manual_seed(seed)
        history = []
        for epoch in range(self.epochs):
            scheduled: Any
            for scheduled in (self.loss_, sampler):
                if hasattr(scheduled, "set_epoch"):
                    scheduled.set_epoch(epoch)
            self.module_.train()
            order = self._epoch_order(sampler, X.shape[0], order_generator).to(X.device)
            total, steps = 0.0, 0
            for batch in order.split(int(self.batch_size)):
                optimizer.zero_grad(set_to_none=True)
                value = self.loss_(self.module_(X[batch]), y[batch])
                value.backward()
                optimizer.step()
                total += float(value.detach())
                steps += 1
            history.append(total / max(steps, 1))
            if self.progress:
                print_epoch("TorchClassifier", epoch, self.epochs, history[-1])
        return history

    # -- prediction -------------------------------------------------------------------------------
    def _logits(self, X: Any) -> tuple[torch.Tensor, bool]:
        if not hasattr(self, "module_"):
            raise NotFittedError(
                "This TorchClassifier is not fitted yet; call fit(X, y) before predicting."
            )
        X_t, info = check_features(X, owner="TorchClassifier", allow_nd=True)
        check_feature_names(self, X, owner="TorchClassifier")
        if tuple(X_t.shape[1:]) != self.input_shape_:
            raise DataValidationError(
                f"TorchClassifier: X has {math.prod(X_t.shape[1:])} features, but "
                f"TorchClassifier is expecting {self.n_features_in_} features as input (samples "
                f"of shape {self.input_shape_}, got {tuple(X_t.shape[1:])})."
            )
        device = next(self.module_.parameters(), torch.empty(0)).device
        with torch.no_grad():
            parts = [
                self.module_(self._prepare(chunk.to(device=device, dtype=torch.float32)))
                for chunk in X_t.split(_PREDICT_BATCH)
            ]
        return torch.cat(parts).to(X_t.device), info.kind == "tensor"

    def _prepare(self, X: torch.Tensor) -> torch.Tensor:
        if not self.standardize:
            return X
        return (X - self.mean_.to(X.device)) / self.scale_.to(X.device)

    def decision_function(self, X: Any) -> Any:
        """Logits ``(n_samples, n_classes)``; for two classes, ``logit_1 - logit_0`` of shape
        ``(n_samples,)`` as in scikit-learn. A tensor for tensor input, else a NumPy array;
        float32 whatever the input's dtype, as the module computes in float32.
        """
        logits, as_tensor = self._logits(X)
        if logits.shape[1] == 2:
            logits = logits[:, 1] - logits[:, 0]
        return logits if as_tensor else logits.cpu().numpy()

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities ``(n_samples, n_classes)`` (softmax of the logits), columns in
        the order of ``classes_``. A tensor for tensor input, else a NumPy array; float32
        whatever the input's dtype (the module computes in float32; a float64 softmax of float32
        logits would differ by batch size in its last digits).
        """
        logits, as_tensor = self._logits(X)
        probabilities = torch.softmax(logits.float(), dim=1)
        return probabilities if as_tensor else probabilities.cpu().numpy()

    def predict(self, X: Any) -> Any:
        """The most probable class of each sample, as labels from ``classes_``."""
        logits, as_tensor = self._logits(X)
        codes = logits.argmax(dim=1).cpu().numpy()
        labels = self.classes_[codes]
        if as_tensor and labels.dtype.kind in "biuf":
            return torch.as_tensor(labels, device=logits.device)
        return labels
