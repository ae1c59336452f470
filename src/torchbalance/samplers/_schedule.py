"""Class probabilities that change with the epoch: progressive and deferred re-sampling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from .._types import GeneratorLike
from ..exceptions import InvalidParameterError
from ..utils import Interval, check_param
from ._class_balanced import ClassBalancedSampler, _finite_float
from ._draw import power_probabilities

__all__ = ["DeferredPower", "ProgressivePower", "ScheduledSampler"]


@dataclass(frozen=True)
class ProgressivePower:
    """Power moving linearly from ``start`` (epoch 0) to ``end`` (epoch ``num_epochs``), then
    staying at ``end``: progressive, curriculum-style balancing (Kang et al., 2020).

    Example:
        >>> schedule = ProgressivePower(num_epochs=4)
        >>> [schedule(e) for e in (0, 2, 4, 9)]
        [1.0, 0.5, 0.0, 0.0]
    """

    num_epochs: int
    start: float = 1.0
    end: float = 0.0

    def __post_init__(self) -> None:
        check_param("ProgressivePower", "num_epochs", self.num_epochs, [Interval(int, 1, None)])
        _finite_float("ProgressivePower", "start", self.start)
        _finite_float("ProgressivePower", "end", self.end)

    def __call__(self, epoch: int) -> float:
        t = min(epoch, self.num_epochs) / self.num_epochs
        return float(self.start + (self.end - self.start) * t)


@dataclass(frozen=True)
class DeferredPower:
    """Power ``before`` until ``switch_epoch``, then ``after``: deferred re-sampling (DRS, as in
    LDAM-DRW, Cao et al., 2019), instance-balanced first and class-balanced later by default.

    Example:
        >>> [DeferredPower(switch_epoch=2)(e) for e in range(4)]
        [1.0, 1.0, 0.0, 0.0]
    """

    switch_epoch: int
    before: float = 1.0
    after: float = 0.0

    def __post_init__(self) -> None:
        check_param("DeferredPower", "switch_epoch", self.switch_epoch, [Interval(int, 0, None)])
        _finite_float("DeferredPower", "before", self.before)
        _finite_float("DeferredPower", "after", self.after)

    def __call__(self, epoch: int) -> float:
        return float(self.before if epoch < self.switch_epoch else self.after)


class ScheduledSampler(ClassBalancedSampler):
    """:class:`ClassBalancedSampler` whose power is a function of the epoch.

    Epoch ``e`` draws with ``p_c ∝ n_c ** schedule(e)``. Because the schedule is a pure function
    of the epoch, ``set_epoch`` and ``state_dict``/``load_state_dict`` reproduce it on resume.

    Args:
        labels: A dataset understood by :func:`torchbalance.labels.get_labels`, or its labels,
            shape ``(n_samples,)``.
        schedule: ``epoch -> power``: :class:`ProgressivePower`, :class:`DeferredPower`, or any
            picklable callable returning a finite float.
        num_samples: Indices per epoch; default ``len(labels)``.
        generator: Int seed (epoch ``e`` uses ``seed + e``), ``torch.Generator`` or ``None``.

    Raises:
        DataValidationError: Labels of the wrong shape or type, or empty.
        InvalidParameterError: ``schedule`` not callable, ``num_samples < 1``, or a schedule
            returning a non-finite power (when the epoch is drawn).

    References:
        Kang et al., "Decoupling Representation and Classifier for Long-Tailed Recognition",
        ICLR 2020 (progressively-balanced sampling).
        Cao et al., "Learning Imbalanced Datasets with Label-Distribution-Aware Margin Loss",
        NeurIPS 2019 (deferred re-sampling).

    Example:
        >>> labels = torch.tensor([0] * 90 + [1] * 10)
        >>> sampler = ScheduledSampler(labels, schedule=DeferredPower(switch_epoch=1),
        ...                            generator=0)
        >>> [round(p, 3) for p in sampler.class_probabilities_at(0).tolist()]
        [0.9, 0.1]
        >>> [round(p, 3) for p in sampler.class_probabilities_at(1).tolist()]
        [0.5, 0.5]
    """

    _owner = "ScheduledSampler"

    def __init__(
        self,
        labels: Any,
        *,
        schedule: Callable[[int], float],
        num_samples: int | None = None,
        generator: GeneratorLike = None,
    ) -> None:
        check_param(self._owner, "schedule", schedule, [callable])
        self._setup(labels, None, 0.0, num_samples, True, generator)
        self.schedule = schedule

    def class_probabilities_at(self, epoch: int) -> torch.Tensor:
        """``p_c`` at ``epoch``, float64 ``(C,)``."""
        power = self.schedule(epoch)
        try:
            return power_probabilities(
                self.class_counts_, _finite_float(self._owner, "power", power)
            )
        except InvalidParameterError as error:
            raise InvalidParameterError(
                f"{self._owner}: schedule({epoch}) returned {power!r}; it must return a finite "
                "float."
            ) from error

    def _class_probabilities(self) -> torch.Tensor:
        return self.class_probabilities_at(self.epoch)

    # The shared setup stores a fixed power and its probabilities; here both follow the
    # schedule, for the epoch the next pass draws (assignments by the setup are superseded).
    @property
    def power(self) -> float:
        """The schedule's power for the epoch the next pass draws."""
        return float(self.schedule(self.epoch))

    @power.setter
    def power(self, value: float) -> None:
        del value

    @property
    def class_probabilities_(self) -> torch.Tensor:
        """``p_c`` for the epoch the next pass draws, float64 ``(C,)``."""
        return self.class_probabilities_at(self.epoch)

    @class_probabilities_.setter
    def class_probabilities_(self, value: torch.Tensor) -> None:
        del value
