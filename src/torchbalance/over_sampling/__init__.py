"""Over-sampling on tensors: random, SMOTE family, ADASYN (imbalanced-learn's names and grammar).

Every class here is a :class:`~torchbalance.base.BaseResampler`: ``fit_resample(X, y)`` accepts
tensors (any device, N-D samples too), NumPy arrays or pandas objects and gives the same type
back; the original samples come first, the synthetic ones after, class by class.
"""

from ._adasyn import ADASYN
from ._borderline import BorderlineSMOTE
from ._kmeans_smote import KMeansSMOTE
from ._random import RandomOverSampler
from ._smote import SMOTE
from ._smotenc import SMOTEN, SMOTENC
from ._svm import SVMSMOTE

__all__ = [
    "ADASYN",
    "SMOTE",
    "SMOTEN",
    "SMOTENC",
    "SVMSMOTE",
    "BorderlineSMOTE",
    "KMeansSMOTE",
    "RandomOverSampler",
]
