"""Balanced ensembles: bagging on balanced bootstraps and EasyEnsemble.

Any classifier with ``fit`` / ``predict_proba`` can be a member. Members that are
:class:`~torchbalance.models.TorchClassifier` networks of one architecture are trained all at
once as one vectorised model (stacked weights, ``torch.func.vmap``) instead of one by one.
"""

from ._bagging import BalancedBaggingClassifier, EasyEnsembleClassifier

__all__ = ["BalancedBaggingClassifier", "EasyEnsembleClassifier"]
