"""Class weights that change with the epoch: deferred re-weighting (DRW) and its general form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch

from ..exceptions import DataValidationError, InvalidParameterError
from ..functional._loss_common import as_class_vector, resolve_class_counts
from ..functional._losses import _cb_weights
from ..utils import Interval, check_param

__all__ = ["DeferredReweighting", "WeightSchedule"]

WeightsLike = Any


class WeightSchedule:
    """Per-class loss weights as a function of the epoch, checkpointable.

    Either piecewise constant, from ``{first_epoch: weights}`` milestones (which must include
    epoch 0), or any picklable callable ``epoch -> weights``. The schedule's state is the
    current epoch (and the milestones), so :meth:`state_dict`/:meth:`load_state_dict` resume
    it; apply it to a loss with ``loss.set_weight(schedule.weights)`` once per epoch, or pass
    ``weight=schedule.weights`` to ``F.cross_entropy``.

    Args:
        schedule: ``{epoch: (C,) weights}`` milestones, or a callable ``epoch -> (C,) weights``.
        num_classes: ``C``, checked against every weight vector (optional).

    Attributes:
        epoch: The current epoch (starts at 0; :meth:`step` advances it).

    Raises:
        InvalidParameterError: ``schedule`` neither a mapping nor callable, milestones without
            epoch 0 or with negative epochs.
        DataValidationError: Weights that are not finite values >= 0 of length ``C``.

    Example:
        >>> schedule = WeightSchedule({0: [1.0, 1.0], 2: [0.5, 1.5]})
        >>> [schedule.weights_at(e).tolist() for e in (0, 1, 2, 9)]
        [[1.0, 1.0], [1.0, 1.0], [0.5, 1.5], [0.5, 1.5]]
    """

    _owner = "WeightSchedule"

    def __init__(
        self,
        schedule: Mapping[int, WeightsLike] | Callable[[int], WeightsLike],
        *,
        num_classes: int | None = None,
    ) -> None:
        check_param(self._owner, "num_classes", num_classes, [Interval(int, 1, None), None])
        self.num_classes = num_classes
        self.epoch = 0
        self._fn: Callable[[int], WeightsLike] | None = None
        self._milestones: dict[int, torch.Tensor] | None = None
        if isinstance(schedule, Mapping):
            self._milestones = self._check_milestones(schedule)
        elif callable(schedule):
            self._fn = schedule
        else:
            raise InvalidParameterError(
                f"{self._owner}: schedule={schedule!r} is invalid; it must be a dict "
                "{first_epoch: weights} or a callable epoch -> weights."
            )

    def _vector(self, weights: WeightsLike, where: str) -> torch.Tensor:
        vector = as_class_vector(self._owner, where, weights).to(torch.get_default_dtype())
        if self.num_classes is not None and vector.numel() != self.num_classes:
            raise DataValidationError(
                f"{self._owner}: {where} has {vector.numel()} entries but num_classes="
                f"{self.num_classes}."
            )
        return vector

    def _check_milestones(self, schedule: Mapping[int, WeightsLike]) -> dict[int, torch.Tensor]:
        for epoch in schedule:
            check_param(self._owner, "milestone epoch", epoch, [Interval(int, 0, None)])
        if 0 not in schedule:
            raise InvalidParameterError(
                f"{self._owner}: the milestones {sorted(schedule)} do not include epoch 0; add "
                "{0: weights} for the first epochs."
            )
        milestones = {int(e): self._vector(w, f"weights of epoch {e}") for e, w in schedule.items()}
        sizes = {v.numel() for v in milestones.values()}
        if len(sizes) > 1:
            raise DataValidationError(
                f"{self._owner}: the milestones' weights have different lengths {sorted(sizes)}."
            )
        return dict(sorted(milestones.items()))

    def weights_at(self, epoch: int) -> torch.Tensor:
        """The weights of ``epoch``, shape ``(C,)``, in ``torch.get_default_dtype()``."""
        check_param(self._owner, "epoch", epoch, [Interval(int, 0, None)])
        if self._milestones is not None:
            current = self._milestones[0]
            for start, weights in self._milestones.items():
                if start <= epoch:
                    current = weights
            return current.clone()
        assert self._fn is not None
        return self._vector(self._fn(epoch), f"schedule({epoch})")

    __call__ = weights_at

    @property
    def weights(self) -> torch.Tensor:
        """The weights of the current :attr:`epoch`."""
        return self.weights_at(self.epoch)

    def set_epoch(self, epoch: int) -> None:
        """Set the current epoch."""
        check_param(self._owner, "epoch", epoch, [Interval(int, 0, None)])
        self.epoch = int(epoch)

    def step(self) -> torch.Tensor:
        """Advance to the next epoch and return its weights."""
        self.epoch += 1
        return self.weights

    def state_dict(self) -> dict[str, Any]:
        """``{"epoch": int}`` plus ``"milestones"`` for a milestone schedule."""
        state: dict[str, Any] = {"epoch": self.epoch}
        if self._milestones is not None:
            state["milestones"] = {e: w.clone() for e, w in self._milestones.items()}
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned.

        Raises:
            InvalidParameterError: A state without a valid ``"epoch"``.
        """
        if "epoch" not in state_dict:
            raise InvalidParameterError(
                f"{self._owner}: the state has no 'epoch'; pass what state_dict() returned."
            )
        self.set_epoch(state_dict["epoch"])
        if "milestones" in state_dict and self._milestones is not None:
            self._milestones = self._check_milestones(state_dict["milestones"])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(epoch={self.epoch})"


class DeferredReweighting(WeightSchedule):
    """Deferred re-weighting (DRW): weights 1 until ``switch_epoch``, then class-balanced.

    Cao et al. train with plain (or LDAM) loss first, so the features are learned from the
    natural distribution, and switch to the class-balanced weights ``(1 - β)/(1 - β^{n_c})``
    (mean 1, from :func:`torchbalance.weights.class_weights`) for the last epochs.

    Args:
        class_counts: Training samples per class ``(C,)``, all > 0. Or pass ``labels``.
        labels: A dataset or its labels, counted (see :func:`torchbalance.labels.get_labels`).
        num_classes: ``C`` when counting ``labels``.
        switch_epoch: First epoch with class-balanced weights (Cao et al.: 160 of 200), an
            int >= 0.
        beta: Effective-number ``β`` in [0, 1) (Cao et al.: 0.9999).

    Raises:
        InvalidParameterError: A parameter out of range, or both or neither of
            ``class_counts`` and ``labels``.
        DataValidationError: Malformed counts or a class with no samples.

    References:
        Cao, Wei, Gaidon, Arechiga, Ma. "Learning Imbalanced Datasets with
        Label-Distribution-Aware Margin Loss", NeurIPS 2019, Algorithm 1.

    Example:
        >>> from torchbalance.losses import LDAMLoss
        >>> drw = DeferredReweighting([1000, 10], switch_epoch=1, beta=0.99)
        >>> criterion = LDAMLoss([1000, 10])
        >>> criterion.set_weight(drw.weights)
        >>> criterion.weight.tolist()
        [1.0, 1.0]
        >>> criterion.set_weight(drw.step())
        >>> [round(w, 3) for w in criterion.weight.tolist()]
        [0.175, 1.825]
    """

    _owner = "DeferredReweighting"

    def __init__(
        self,
        class_counts: Any = None,
        *,
        labels: Any = None,
        num_classes: int | None = None,
        switch_epoch: int,
        beta: float = 0.9999,
    ) -> None:
        check_param(self._owner, "switch_epoch", switch_epoch, [Interval(int, 0, None)])
        check_param(self._owner, "beta", beta, [Interval(float, 0.0, 1.0, "left")])
        counts = resolve_class_counts(self._owner, class_counts, labels, num_classes)
        self.switch_epoch = int(switch_epoch)
        self.beta = float(beta)
        balanced = _cb_weights(counts.cpu(), self.beta)
        milestones = {0: torch.ones_like(balanced), self.switch_epoch: balanced}
        super().__init__(milestones, num_classes=counts.numel())

    def __repr__(self) -> str:
        return (
            f"DeferredReweighting(switch_epoch={self.switch_epoch}, beta={self.beta}, "
            f"epoch={self.epoch})"
        )
