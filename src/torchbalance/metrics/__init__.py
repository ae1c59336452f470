"""Class-specific metrics: functional, streaming (DDP-synced), reports, curves and plots.

Functions keep scikit-learn's and imbalanced-learn's names and semantics and run on tensors
on any device: labels are integer tensors (or NumPy arrays / lists at the boundary), scores
are float tensors. Zero divisions warn with :class:`UndefinedMetricWarning` exactly where
scikit-learn warns; ``zero_division`` picks the value and silences it.
"""

from ._bootstrap import BootstrapResult, PairedComparison, bootstrap_ci, paired_comparison
from ._calibration import brier_score_loss, expected_calibration_error
from ._classification import (
    accuracy_score,
    balanced_accuracy_score,
    cohen_kappa_score,
    f1_score,
    fbeta_score,
    geometric_mean_score,
    make_index_balanced_accuracy,
    matthews_corrcoef,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    sensitivity_score,
    sensitivity_specificity_support,
    specificity_score,
)
from ._common import UndefinedMetricWarning
from ._confusion import confusion_matrix
from ._plots import (
    plot_confusion_matrix,
    plot_per_class_recall,
    plot_precision_recall_curves,
    plot_reliability_diagram,
    plot_roc_curves,
)
from ._ranking import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
from ._report import classification_report_imbalanced
from ._streaming import ConfusionMatrix, ImbalanceMetrics

__all__ = [
    "BootstrapResult",
    "ConfusionMatrix",
    "ImbalanceMetrics",
    "PairedComparison",
    "UndefinedMetricWarning",
    "accuracy_score",
    "average_precision_score",
    "balanced_accuracy_score",
    "bootstrap_ci",
    "brier_score_loss",
    "classification_report_imbalanced",
    "cohen_kappa_score",
    "confusion_matrix",
    "expected_calibration_error",
    "f1_score",
    "fbeta_score",
    "geometric_mean_score",
    "make_index_balanced_accuracy",
    "matthews_corrcoef",
    "paired_comparison",
    "plot_confusion_matrix",
    "plot_per_class_recall",
    "plot_precision_recall_curves",
    "plot_reliability_diagram",
    "plot_roc_curves",
    "precision_recall_curve",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "sensitivity_score",
    "sensitivity_specificity_support",
    "specificity_score",
]
