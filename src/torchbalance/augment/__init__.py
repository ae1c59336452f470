"""Minority-targeted augmentation: class-conditional transforms, noisy over-sampling, mixing.

=========================================  ===================================================
:class:`ClassConditionalAugment`           any callable applied with a per-class probability
                                           that grows as the class gets rarer (batch face)
:class:`ClassConditionalDataset`           the same, as a ``Dataset`` wrapper (per-sample,
                                           reproducible per (seed, epoch, index))
:class:`GaussianNoiseOverSampler`          jittered copies of minority rows (a resampler)
:class:`Remix`                             mixup whose labels favour the minority (Chou 2020)
:class:`BalancedMixup`                     mixup with a class-balanced partner for each row
=========================================  ===================================================
"""

from ._class_conditional import ClassConditionalAugment, ClassConditionalDataset
from ._mix import BalancedMixup, Remix, remix_label_factor
from ._noise import GaussianNoiseOverSampler

__all__ = [
    "BalancedMixup",
    "ClassConditionalAugment",
    "ClassConditionalDataset",
    "GaussianNoiseOverSampler",
    "Remix",
    "remix_label_factor",
]
