"""Samplers for ``torch.utils.data.DataLoader`` that fight class imbalance.

Every sampler subclasses ``torch.utils.data.Sampler``, takes ``generator`` (an int seed: epoch
``e`` draws with ``seed + e``; a ``torch.Generator``; or ``None``), has ``set_epoch(epoch)``, and
``state_dict()``/``load_state_dict()`` so a resumed run continues the same order. Draws are
vectorised over the whole epoch and have no size limit.
"""

from ._batch import BalancedBatchSampler, DistributedBalancedBatchSampler
from ._class_balanced import ClassBalancedSampler, DistributedClassBalancedSampler
from ._multilabel import MultilabelBalancedSampler
from ._schedule import DeferredPower, ProgressivePower, ScheduledSampler
from ._stream import StreamRebalancer
from ._weighted import WeightedSampler
from ._wrapper import DistributedSamplerWrapper

__all__ = [
    "BalancedBatchSampler",
    "ClassBalancedSampler",
    "DeferredPower",
    "DistributedBalancedBatchSampler",
    "DistributedClassBalancedSampler",
    "DistributedSamplerWrapper",
    "MultilabelBalancedSampler",
    "ProgressivePower",
    "ScheduledSampler",
    "StreamRebalancer",
    "WeightedSampler",
]
