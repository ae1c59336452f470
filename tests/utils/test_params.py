from __future__ import annotations

import numpy as np
import pytest
import torch

from torchbalance.exceptions import InvalidParameterError
from torchbalance.utils import (
    InstanceOf,
    Interval,
    Options,
    check_generator,
    check_param,
    optional_import,
    validate_params,
)


@pytest.mark.parametrize(
    ("constraint", "good", "bad"),
    [
        (Interval(int, 1, None), [1, 5, 10**9], [0, -1, 1.5, True, "3", None]),
        (Interval(float, 0, 1, closed="right"), [1, 0.5, 1e-9], [0, 1.01, float("nan"), "x"]),
        (Interval(float, 1, None), [1, 1e300], [float("inf"), float("nan")]),
        (Interval(float, 0, 1, closed="left"), [0, 0.999], [1, -0.1]),
        (Interval(float, 0, 1, closed="neither"), [0.5], [0, 1]),
        (Options(("mean", "sum")), ["mean", "sum", np.str_("sum")], ["max", None, 1]),
        (InstanceOf((int,)), [3], [True, 3.0]),
    ],
)
def test_constraints(constraint, good, bad):
    for value in good:
        assert constraint.is_satisfied_by(value), value
    for value in bad:
        assert not constraint.is_satisfied_by(value), value


def test_one_error_format():
    with pytest.raises(InvalidParameterError) as info:
        check_param("SMOTE", "k_neighbors", 0, [Interval(int, 1, None), None])
    assert str(info.value) == (
        "SMOTE: k_neighbors=0 is invalid; it must be an int in [1, inf) or None."
    )
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, TypeError)


def test_interval_descriptions():
    assert Interval(float, 0, 1, closed="right").describe() == "a float in (0, 1]"
    assert Interval(float, None, 0, closed="neither").describe() == "a float in (-inf, 0)"


def test_shorthand_constraints():
    check_param("f", "fn", len, [callable])
    check_param("f", "seed", 3, ["generator"])
    check_param("f", "seed", torch.Generator(), ["generator"])
    with pytest.raises(InvalidParameterError, match="an int seed, a torch.Generator or None"):
        check_param("f", "seed", "abc", ["generator"])
    with pytest.raises(InvalidParameterError, match="a callable"):
        check_param("f", "fn", 3, [callable])
    with pytest.raises(TypeError, match="unknown constraint"):
        check_param("f", "x", 3, ["nonsense"])


def test_numpy_booleans_are_bools():
    # a grid built from np.array([True, False]) gives np.bool_, which scikit-learn accepts
    check_param("f", "flag", np.True_, [bool])
    with pytest.raises(InvalidParameterError, match="flag=1 is invalid; it must be a bool"):
        check_param("f", "flag", 1, [bool])


def test_long_values_are_shortened():
    with pytest.raises(InvalidParameterError, match=r"x=\[0, 0, .*\.\.\. is invalid"):
        check_param("f", "x", [0] * 100, [int])


def test_validate_params_checks_only_declared():
    validate_params("f", {"a": 1, "undeclared": object()}, {"a": [int]})
    with pytest.raises(InvalidParameterError, match="f: a='1'"):
        validate_params("f", {"a": "1"}, {"a": [int]})


def test_generator_int_seed_is_reproducible():
    a = torch.rand(5, generator=check_generator(3))
    b = torch.rand(5, generator=check_generator(3))
    assert torch.equal(a, b)


def test_generator_none_follows_global_seed():
    torch.manual_seed(0)
    a = torch.rand(5, generator=check_generator(None))
    torch.manual_seed(0)
    b = torch.rand(5, generator=check_generator(None))
    assert torch.equal(a, b)
    assert not torch.equal(a, torch.rand(5, generator=check_generator(None)))


def test_generator_object_is_used_as_is():
    g = torch.Generator().manual_seed(1)
    assert check_generator(g) is g


@pytest.mark.parametrize("bad", [-1, 1.5, "7", True])
def test_generator_bad_values(bad):
    with pytest.raises(InvalidParameterError, match="generator="):
        check_generator(bad)


def test_generator_on_wrong_device_refused():
    with pytest.raises(InvalidParameterError, match="torch.Generator\\(device='meta'\\)"):
        check_generator(torch.Generator(), device="meta")


def test_optional_import_names_the_extra():
    with pytest.raises(ImportError, match=r"pip install 'torchbalance\[cli\]'"):
        optional_import("surely_not_a_module_xyz", extra="cli", purpose="Reading tables")


def test_numpy_integer_seed_acts_as_the_int():
    import numpy as np

    check_param("f", "generator", np.int64(3), ["generator"])
    a = torch.rand(5, generator=check_generator(np.int64(3)))
    assert torch.equal(a, torch.rand(5, generator=check_generator(3)))
    with pytest.raises(InvalidParameterError, match="non-negative"):
        check_generator(np.int64(-1))
    with pytest.raises(InvalidParameterError, match="generator=True"):
        check_param("f", "generator", True, ["generator"])


def test_numpy_integers_meet_int_options_and_intervals():
    import numpy as np

    check_param("f", "version", np.int64(2), [Options((1, 2, 3))])
    check_param("f", "k", np.int32(4), [Interval(int, 1, None)])
    with pytest.raises(InvalidParameterError):
        check_param("f", "version", np.int64(4), [Options((1, 2, 3))])
    with pytest.raises(InvalidParameterError):
        check_param("f", "version", np.bool_(True), [Options((1, 2, 3))])
    with pytest.raises(InvalidParameterError):
        check_param("f", "version", 2.0, [Options((1, 2, 3))])
