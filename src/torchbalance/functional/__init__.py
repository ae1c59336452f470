"""Pure tensor functions: the one implementation of each algorithm's math.

Losses for class imbalance (the ``nn.Module`` faces are in :mod:`torchbalance.losses`):

- :func:`focal_loss`, :func:`binary_focal_loss`: focal loss, softmax and sigmoid (Lin et al.).
- :func:`class_balanced_loss`, :func:`class_balanced_weights`: effective-number weights
  (Cui et al.).
- :func:`ldam_loss`, :func:`ldam_margins`: label-distribution-aware margins (Cao et al.).
- :func:`logit_adjusted_loss`, :func:`logit_adjust`: logit adjustment, in the loss and post hoc
  (Menon et al.); :func:`balanced_softmax_loss` (Ren et al.).
- :func:`vs_loss`, :func:`vs_scales`: vector scaling (Kini et al.).
- :func:`asymmetric_loss`: asymmetric loss for multi-label data (Ridnik et al.).
- :func:`cost_sensitive_loss`: expected misclassification cost under the softmax.

Every loss takes ``(logits, target, ...)``, computes float16/bfloat16 inputs in float32, and
supports ``reduction="mean" | "sum" | "none"``.

Building blocks of the resamplers (the estimator faces are in :mod:`torchbalance.over_sampling`
and :mod:`torchbalance.under_sampling`):

- :func:`kmeans`, :func:`minibatch_kmeans`, :func:`nearest_center`: the one torch k-means.
- :func:`smote`: SMOTE's interpolation for one class.
- :func:`linear_svm`: the linear SVM behind :class:`~torchbalance.over_sampling.SVMSMOTE`.
- :func:`tomek_link_mask`: which samples sit in a Tomek link.

Private modules (``_cleaning``, ``_condense``, ``_nearmiss``, ``_vdm``, ...) hold the rest of
the resamplers' math; their signatures may change between releases.
"""

from ._cleaning import tomek_link_mask
from ._kmeans import KMeansResult, kmeans, minibatch_kmeans, nearest_center
from ._logit_adjust import (
    balanced_softmax_loss,
    ldam_loss,
    ldam_margins,
    logit_adjust,
    logit_adjusted_loss,
    vs_loss,
    vs_scales,
)
from ._losses import (
    CLASS_BALANCED_BASES,
    asymmetric_loss,
    binary_focal_loss,
    class_balanced_loss,
    class_balanced_weights,
    cost_sensitive_loss,
    focal_loss,
)
from ._smote import smote
from ._svm import LinearSVMResult, linear_svm

__all__ = [
    "CLASS_BALANCED_BASES",
    "KMeansResult",
    "LinearSVMResult",
    "asymmetric_loss",
    "balanced_softmax_loss",
    "binary_focal_loss",
    "class_balanced_loss",
    "class_balanced_weights",
    "cost_sensitive_loss",
    "focal_loss",
    "kmeans",
    "ldam_loss",
    "ldam_margins",
    "linear_svm",
    "logit_adjust",
    "logit_adjusted_loss",
    "minibatch_kmeans",
    "nearest_center",
    "smote",
    "tomek_link_mask",
    "vs_loss",
    "vs_scales",
]
