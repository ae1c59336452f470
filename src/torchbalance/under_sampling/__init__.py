"""Under-sampling on tensors: random, NearMiss, ClusterCentroids and the cleaning rules.

imbalanced-learn's class names, parameters and ``sampling_strategy`` grammar (a list of
classes for the cleaning rules). Every selection method exposes ``sample_indices_``; the
deterministic ones (Tomek links, ENN, RENN, AllKNN, NCR, NearMiss) select exactly the samples
imbalanced-learn selects, with neighbours from the exact engine
:func:`torchbalance.neighbors.kneighbors`, on any device.
"""

from ._cluster_centroids import ClusterCentroids
from ._cnn import CondensedNearestNeighbour, OneSidedSelection
from ._enn import AllKNN, EditedNearestNeighbours, RepeatedEditedNearestNeighbours
from ._iht import InstanceHardnessThreshold
from ._ncr import NeighbourhoodCleaningRule
from ._nearmiss import NearMiss
from ._random import RandomUnderSampler
from ._tomek import TomekLinks

__all__ = [
    "AllKNN",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "InstanceHardnessThreshold",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "TomekLinks",
]
