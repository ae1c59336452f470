"""Losses for class imbalance, as ``nn.Module``s; their math is in :mod:`torchbalance.functional`.

=========================== ===================================================================
loss                        idea
=========================== ===================================================================
:class:`FocalLoss`          ``-(1 - p_y)^γ log p_y``: focus on hard examples (softmax)
:class:`BinaryFocalLoss`    the sigmoid focal loss, binary and multi-label
:class:`ClassBalancedLoss`  weights ``∝ 1 / effective number of samples`` (Cui et al. 2019)
:class:`LDAMLoss`           larger margins for rare classes (Cao et al. 2019), with
                            :class:`DeferredReweighting`
:class:`LogitAdjustedLoss`  ``CE(z + τ log π)`` (Menon et al. 2021)
:class:`BalancedSoftmaxLoss` ``CE(z + log n)`` (Ren et al. 2020)
:class:`VSLoss`             per-class logit scaling and offsets (Kini et al. 2021)
:class:`AsymmetricLoss`     asymmetric focusing for multi-label data (Ridnik et al. 2021)
:class:`CostSensitiveLoss`  expected misclassification cost under the softmax
=========================== ===================================================================

Every loss validates its parameters in ``__init__``, keeps its class statistics in buffers
(``.to(device)`` moves them, ``state_dict()`` saves them), computes float16/bfloat16 logits in
float32, and compiles with ``torch.compile(fullgraph=True)``; those built from class
statistics (class-balanced, LDAM, logit-adjusted, balanced softmax, VS) accept
``class_counts`` or a dataset's ``labels``.
"""

from ._cost import COST_SCHEMES, cost_matrix_from_counts, cost_matrix_from_table
from ._logit_adjust import BalancedSoftmaxLoss, LDAMLoss, LogitAdjustedLoss, VSLoss
from ._losses import (
    AsymmetricLoss,
    BinaryFocalLoss,
    ClassBalancedLoss,
    CostSensitiveLoss,
    FocalLoss,
)
from ._schedule import DeferredReweighting, WeightSchedule

__all__ = [
    "COST_SCHEMES",
    "AsymmetricLoss",
    "BalancedSoftmaxLoss",
    "BinaryFocalLoss",
    "ClassBalancedLoss",
    "CostSensitiveLoss",
    "DeferredReweighting",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "VSLoss",
    "WeightSchedule",
    "cost_matrix_from_counts",
    "cost_matrix_from_table",
]
