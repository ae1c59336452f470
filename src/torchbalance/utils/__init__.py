"""Validation of data, parameters, ``sampling_strategy`` and generators; optional imports."""

from ._available import available_if
from ._feature_names import check_feature_names, remember_feature_names
from ._generator import check_generator, derive_seed, host_generator
from ._optional import optional_import
from ._params import (
    Constraint,
    InstanceOf,
    Interval,
    IsCallable,
    Options,
    check_param,
    validate_params,
)
from ._quantile import quantile
from ._sampling_strategy import (
    SAMPLING_KINDS,
    STRATEGY_STRINGS,
    check_sampling_strategy,
    count_classes,
)
from ._text import counted, print_epoch, render_table
from ._validation import (
    OutputConverter,
    check_features,
    check_labels,
    check_sample_weight,
    check_X_y,
    resolve_device,
)
from ._warnings import warn_user

__all__ = [
    "SAMPLING_KINDS",
    "STRATEGY_STRINGS",
    "Constraint",
    "InstanceOf",
    "Interval",
    "IsCallable",
    "Options",
    "OutputConverter",
    "available_if",
    "check_X_y",
    "check_feature_names",
    "check_features",
    "check_generator",
    "check_labels",
    "check_param",
    "check_sample_weight",
    "check_sampling_strategy",
    "count_classes",
    "counted",
    "derive_seed",
    "host_generator",
    "optional_import",
    "print_epoch",
    "quantile",
    "remember_feature_names",
    "render_table",
    "resolve_device",
    "validate_params",
    "warn_user",
]
