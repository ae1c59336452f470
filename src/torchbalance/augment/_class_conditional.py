"""Apply a transform with a per-class probability that grows as the class gets rarer."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import torch
from torch.utils.data import Dataset

from ..exceptions import InvalidParameterError
from ..utils import Interval, check_param
from ._common import StreamGenerator, as_counts, check_labels_1d

__all__ = ["ClassConditionalAugment", "ClassConditionalDataset"]

_MIX = 0x9E3779B97F4A7C15
_MASK = (1 << 63) - 1


def _sample_seed(seed: int, epoch: int, index: int) -> int:
    """A seed for one sample, a fixed function of ``(seed, epoch, index)``; the seed is mixed
    before the epoch comes in, so ``(s, e)`` and ``(s', e')`` with ``s ^ e == s' ^ e'`` differ."""
    value = 0
    for part in (seed, epoch, index):
        value = ((value ^ (part & _MASK)) * _MIX + 0x632BE59BD9B4E019) & _MASK
        value ^= value >> 29
    return value


class ClassConditionalAugment:
    """Apply ``transform`` to a sample of class ``c`` with probability ``p_c``.

    The probabilities are either given (``class_probs``) or computed from the class counts
    ``n_c`` (``class_counts`` or ``labels``) as

    ``p_c = (n_min / n_c) ** power``, with ``n_min`` the smallest non-zero count,

    so the rarest class is always augmented (``p = 1``), ``power=0`` augments everything and
    a larger ``power`` spares the frequent classes more. A class with no samples gets ``p = 1``.

    Called on a batch, ``augment(x, y)`` returns ``(x_out, y)`` where each selected row
    ``x[i]`` (chosen with probability ``p[y[i]]``) is replaced by ``transform(x[i])`` (one call
    per row, so random transforms draw their own parameters per row); other rows are copied
    unchanged. For a per-sample ``Dataset`` face see :meth:`wrap` and
    :class:`ClassConditionalDataset`.

    Args:
        transform: Any callable on one sample (a tensor of the sample shape), e.g. a
            torchvision v2 transform; it must return a tensor of the same shape for the batch
            face.
        class_probs: ``(C,)`` probabilities in ``[0, 1]``, one per class.
        power: Exponent ``>= 0`` of the rule above (needs ``class_counts`` or ``labels``).
        class_counts: ``(C,)`` counts per class.
        labels: Labels (or a dataset understood by :func:`~torchbalance.labels.get_labels`)
            to count the classes from.
        generator: An int seed, a ``torch.Generator`` or ``None``. Resolved on the first
            call; successive calls continue the same stream, so a seeded run replays.

    Attributes:
        probs: ``(C,)`` float64 tensor of the per-class probabilities.

    Raises:
        InvalidParameterError: Neither or both of ``class_probs`` and ``power``; ``power``
            without counts, or counts beside ``class_probs``; probabilities outside
            ``[0, 1]``; labels outside ``[0, C)``.

    Example:
        >>> import torch
        >>> augment = ClassConditionalAugment(lambda x: -x, power=1.0, class_counts=[4, 1],
        ...                                   generator=0)
        >>> augment.probs.tolist()
        [0.25, 1.0]
        >>> x_out, y_out = augment(torch.ones(3, 2), torch.tensor([1, 1, 1]))
        >>> x_out.tolist()
        [[-1.0, -1.0], [-1.0, -1.0], [-1.0, -1.0]]
    """

    def __init__(
        self,
        transform: Callable[[Any], Any],
        *,
        class_probs: Any = None,
        power: float | None = None,
        class_counts: Any = None,
        labels: Any = None,
        generator: int | torch.Generator | None = None,
    ) -> None:
        owner = type(self).__name__
        check_param(owner, "transform", transform, [callable])
        check_param(owner, "power", power, [Interval(float, 0, None), None])
        check_param(owner, "generator", generator, ["generator"])
        if (class_probs is None) == (power is None):
            raise InvalidParameterError(
                f"{owner}: class_probs={class_probs!r} and power={power!r} are invalid; give "
                "exactly one of them."
            )
        if class_counts is not None and labels is not None:
            raise InvalidParameterError(
                f"{owner}: class_counts and labels are both given; give one of them."
            )
        if class_probs is not None:
            if class_counts is not None or labels is not None:
                given = "class_counts" if class_counts is not None else "labels"
                raise InvalidParameterError(
                    f"{owner}: {given} is used only with power=; class_probs are given, so "
                    f"it would be ignored. Pass one of them."
                )
            probs = torch.as_tensor(class_probs, dtype=torch.float64)
            if (
                probs.ndim != 1
                or probs.numel() < 1
                or not bool(((probs >= 0) & (probs <= 1)).all())
            ):
                raise InvalidParameterError(
                    f"{owner}: class_probs={class_probs!r} is invalid; it must be a 1-D "
                    "sequence of probabilities in [0, 1], one per class."
                )
        else:
            if class_counts is None and labels is None:
                raise InvalidParameterError(
                    f"{owner}: power={power!r} needs the class counts; pass class_counts= "
                    "or labels=."
                )
            counts = (
                as_counts(class_counts, owner, "class_counts")
                if class_counts is not None
                else as_counts(labels, owner, "labels")
            )
            assert power is not None
            n_min = counts[counts > 0].min()
            ratio = (n_min / counts.clamp_min(1e-300)) ** float(power)
            probs = torch.where(counts > 0, ratio, torch.ones_like(ratio))
        self.transform = transform
        self.power = power
        self.generator = generator
        self.probs = probs
        self._stream = StreamGenerator(generator, owner)

    @property
    def num_classes(self) -> int:
        """The number of classes ``C``."""
        return int(self.probs.numel())

    def _prob_of(self, label: int) -> float:
        if not 0 <= label < self.num_classes:
            raise InvalidParameterError(
                f"{type(self).__name__}: label {label} is outside [0, {self.num_classes})."
            )
        return float(self.probs[label])

    def __call__(self, x: torch.Tensor, y: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """Augment the selected rows of a batch.

        Args:
            x: ``(B, *sample_shape)`` tensor.
            y: ``(B,)`` integer labels in ``[0, C)``.

        Returns:
            ``(x_out, y)``: ``x_out`` a new tensor like ``x``; ``y`` unchanged (the object
            given, whatever its type and dtype).
        """
        codes = check_labels_1d(y, x.shape[0], self.num_classes, type(self).__name__)
        generator = self._stream.get(x.device)
        p = self.probs.to(device=x.device)[codes.to(x.device)]
        chosen = torch.rand(p.shape, generator=generator, device=x.device, dtype=torch.float64) < p
        out = x.clone()
        for i in torch.nonzero(chosen).reshape(-1).tolist():
            new = self.transform(x[i].clone())  # its own copy: an in-place transform may write it
            if not isinstance(new, torch.Tensor) or new.dtype != x.dtype:
                # assigning it into the batch would cast it (0..1 floats into uint8 gives 0/1)
                shown = new.dtype if isinstance(new, torch.Tensor) else type(new).__name__
                raise InvalidParameterError(
                    f"{type(self).__name__}: transform returned {shown} for a {x.dtype} sample; "
                    "the batch keeps one dtype, so the transform must keep the sample's. Convert "
                    "the batch first (e.g. x.float() / 255) or use the per-sample face (wrap)."
                )
            out[i] = new
        return out, y

    def mask(self, y: Any) -> torch.Tensor:
        """Draw which rows of a batch with labels ``y`` would be augmented (``(B,)`` bool)."""
        y = torch.as_tensor(y)
        y = check_labels_1d(y, y.shape[0] if y.ndim else -1, self.num_classes, type(self).__name__)
        generator = self._stream.get(y.device)
        p = self.probs.to(y.device)[y]
        return torch.rand(p.shape, generator=generator, device=y.device, dtype=torch.float64) < p

    def wrap(self, dataset: Any) -> ClassConditionalDataset:
        """The per-sample ``Dataset`` face: see :class:`ClassConditionalDataset`."""
        return ClassConditionalDataset(dataset, self)

    def __repr__(self) -> str:
        probs = [round(p, 4) for p in self.probs.tolist()]
        return f"{type(self).__name__}({self.transform!r}, probs={probs})"


class ClassConditionalDataset(Dataset):
    """A dataset of ``(x, y)`` pairs where ``x`` is transformed with probability ``p_y``.

    With an int ``augment.generator`` the decision and the transform's own randomness (torch's
    global RNG, forked and seeded per sample, as torchvision v2 uses) depend only on
    ``(seed, epoch, index)``, so results do not depend on DataLoader workers or their order;
    call :meth:`set_epoch` at the start of every epoch for fresh draws. With ``None`` or a
    ``torch.Generator`` the draws come from torch's global RNG (then seed the workers yourself).

    Args:
        dataset: Any map-style dataset returning ``(x, y)`` with an integer label ``y``.
        augment: The :class:`ClassConditionalAugment` giving the transform and probabilities.

    Example:
        >>> import torch
        >>> from torch.utils.data import TensorDataset
        >>> data = TensorDataset(torch.zeros(4, 2), torch.tensor([0, 0, 0, 1]))
        >>> aug = ClassConditionalAugment(lambda x: x + 1, class_probs=[0.0, 1.0], generator=0)
        >>> wrapped = aug.wrap(data)
        >>> [wrapped[i][0].tolist() for i in range(4)]
        [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0]]
    """

    def __init__(self, dataset: Any, augment: ClassConditionalAugment) -> None:
        if not isinstance(augment, ClassConditionalAugment):
            raise InvalidParameterError(
                f"ClassConditionalDataset: augment={augment!r} is invalid; it must be a "
                "ClassConditionalAugment."
            )
        self.dataset = dataset
        self.augment = augment
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Use the draws of ``epoch`` (an int >= 0) from now on."""
        check_param("ClassConditionalDataset", "epoch", epoch, [Interval(int, 0, None)])
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        x, y = self.dataset[index]
        p = self.augment._prob_of(int(y))
        seed = self.augment.generator
        if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
            g = torch.Generator().manual_seed(_sample_seed(int(seed), self.epoch, int(index)))
            if float(torch.rand((), generator=g, dtype=torch.float64)) >= p:
                return x, y
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(torch.randint(0, 2**62, (), generator=g)))
                return self.augment.transform(x), y
        if float(torch.rand((), dtype=torch.float64)) >= p:
            return x, y
        return self.augment.transform(x), y
