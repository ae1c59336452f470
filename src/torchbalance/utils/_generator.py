"""Resolution of the package's one randomness parameter, ``generator``."""

from __future__ import annotations

import numbers

import torch

from .._types import GeneratorLike
from ..exceptions import InvalidParameterError

__all__ = ["check_generator", "derive_seed", "host_generator"]


def check_generator(
    generator: GeneratorLike, device: torch.device | str | None = None, *, owner: str = "generator"
) -> torch.Generator:
    """Turn ``generator`` into a ``torch.Generator`` on ``device``.

    Called at fit or iteration time, never in ``__init__``, so an int seed makes every call
    identical and ``None`` draws a fresh seed from torch's global RNG (so ``torch.manual_seed``
    makes a whole script reproducible).

    Args:
        generator: An int seed, a ``torch.Generator`` (used as is, its state advances), or ``None``.
        device: Where the random numbers will be drawn (default: CPU).
        owner: Name of the caller, for error messages.

    Returns:
        A ``torch.Generator`` whose device type matches ``device``.

    Raises:
        InvalidParameterError: For a negative or non-integer seed, another type, or a
            ``torch.Generator`` on a different device than the data.

    Example:
        >>> g1, g2 = check_generator(7), check_generator(7)
        >>> bool(torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2)))
        True
    """
    target = torch.device(device) if device is not None else torch.device("cpu")
    if isinstance(generator, torch.Generator):
        if generator.device.type != target.type:
            raise InvalidParameterError(
                f"{owner}: the torch.Generator is on {generator.device} but the data is on "
                f"{target}; pass an int seed or torch.Generator(device='{target}')."
            )
        return generator
    if generator is None:
        seed = derive_seed()
    elif isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        if not 0 <= generator < 2**64:  # torch's seed range
            raise InvalidParameterError(
                f"{owner}: generator={generator} is invalid; a seed must be a non-negative int "
                "below 2**64."
            )
        seed = int(generator)  # NumPy integers too, as scikit-learn's random_state
    else:
        raise InvalidParameterError(
            f"{owner}: generator={generator!r} is invalid; it must be an int seed, "
            "a torch.Generator or None."
        )
    result = torch.Generator(device=target)
    result.manual_seed(seed)
    return result


def host_generator(generator: GeneratorLike, *, owner: str = "generator") -> torch.Generator:
    """:func:`check_generator` for callers that draw on the CPU whatever the data's device
    (splits, seeds for models, k-means' draws): a ``torch.Generator`` on another device, e.g. a
    CUDA one, seeds a fresh CPU generator with one draw (its state advances, so the same state
    gives the same result); anything else is resolved on the CPU as by ``check_generator``.

    Example:
        >>> host_generator(7).device
        device(type='cpu')
    """
    if isinstance(generator, torch.Generator) and generator.device.type != "cpu":
        return check_generator(derive_seed(generator), owner=owner)
    return check_generator(generator, owner=owner)


def derive_seed(generator: torch.Generator | None = None) -> int:
    """Draw a fresh int seed in ``[0, 2**62)`` from ``generator``, or from torch's global RNG.

    The one way the package turns "no seed given" into a seed (so ``torch.manual_seed``
    reproduces it) and derives a child generator's seed from a parent deterministically.

    Example:
        >>> a = derive_seed(torch.Generator().manual_seed(1))
        >>> a == derive_seed(torch.Generator().manual_seed(1))
        True
    """
    if generator is None:
        return int(torch.randint(0, 2**62, ()).item())
    return int(torch.randint(0, 2**62, (), generator=generator, device=generator.device).item())
