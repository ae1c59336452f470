"""The nn.Module faces: same numbers as their functional twins, buffers, devices, dtypes,
autocast, torch.compile, state_dict, and the errors for bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.data import Subset, TensorDataset

from torchbalance import functional as TF
from torchbalance import losses as L
from torchbalance.exceptions import DataValidationError, InvalidParameterError

COUNTS = [500, 120, 40, 9, 3]
C = len(COUNTS)
MULTILABEL = ("BinaryFocalLoss", "AsymmetricLoss")


def _build(name: str) -> torch.nn.Module:
    return {
        "FocalLoss": lambda: L.FocalLoss(gamma=2.0, alpha=[0.1, 0.2, 0.3, 0.4, 0.5]),
        "BinaryFocalLoss": lambda: L.BinaryFocalLoss(),
        "AsymmetricLoss": lambda: L.AsymmetricLoss(),
        "ClassBalancedLoss": lambda: L.ClassBalancedLoss(COUNTS, base="focal", beta=0.99),
        "LDAMLoss": lambda: L.LDAMLoss(COUNTS, weight=[1.0, 1.0, 2.0, 2.0, 3.0]),
        "LogitAdjustedLoss": lambda: L.LogitAdjustedLoss(COUNTS, tau=1.5),
        "BalancedSoftmaxLoss": lambda: L.BalancedSoftmaxLoss(COUNTS),
        "VSLoss": lambda: L.VSLoss(COUNTS, gamma=0.3),
        "CostSensitiveLoss": lambda: L.CostSensitiveLoss(L.cost_matrix_from_counts(COUNTS)),
    }[name]()


def _twin(name: str, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    counts = torch.tensor(COUNTS, dtype=torch.float64)
    return {
        "FocalLoss": lambda: TF.focal_loss(
            logits, target, gamma=2.0, alpha=[0.1, 0.2, 0.3, 0.4, 0.5]
        ),
        "BinaryFocalLoss": lambda: TF.binary_focal_loss(logits, target),
        "AsymmetricLoss": lambda: TF.asymmetric_loss(logits, target),
        "ClassBalancedLoss": lambda: TF.class_balanced_loss(
            logits, target, counts, base="focal", beta=0.99
        ),
        "LDAMLoss": lambda: TF.ldam_loss(logits, target, counts, weight=[1.0, 1.0, 2.0, 2.0, 3.0]),
        "LogitAdjustedLoss": lambda: TF.logit_adjusted_loss(logits, target, counts, tau=1.5),
        "BalancedSoftmaxLoss": lambda: TF.balanced_softmax_loss(logits, target, counts),
        "VSLoss": lambda: TF.vs_loss(logits, target, counts, gamma=0.3),
        "CostSensitiveLoss": lambda: TF.cost_sensitive_loss(
            logits, target, L.cost_matrix_from_counts(counts)
        ),
    }[name]()


NAMES = [
    "FocalLoss",
    "BinaryFocalLoss",
    "AsymmetricLoss",
    "ClassBalancedLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "BalancedSoftmaxLoss",
    "VSLoss",
    "CostSensitiveLoss",
]


def _data(name: str, dtype: torch.dtype = torch.float32, n: int = 16, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    logits = (torch.randn(n, C, generator=g) * 3).to(dtype)
    if name in MULTILABEL:
        return logits, (torch.rand(n, C, generator=g) < 0.3).long()
    return logits, torch.randint(0, C, (n,), generator=g)


@pytest.fixture
def float64_default():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("name", NAMES)
def test_module_equals_functional_twin(name, float64_default):
    module = _build(name)
    logits, target = _data(name, torch.float64)
    torch.testing.assert_close(
        module(logits, target), _twin(name, logits, target), rtol=1e-12, atol=0
    )


@pytest.mark.parametrize("name", NAMES)
def test_buffers_follow_to_and_state_dict(name):
    module = _build(name)
    buffers = dict(module.named_buffers())
    assert all(b.dtype == torch.float32 for b in buffers.values())
    state = module.state_dict()
    assert set(state) == set(buffers)
    moved = module.to(torch.float64)
    assert all(b.dtype == torch.float64 for b in moved.buffers())
    fresh = _build(name)
    fresh.load_state_dict(moved.state_dict())
    for key, value in fresh.state_dict().items():
        torch.testing.assert_close(value, state[key].double(), check_dtype=False)
    logits, target = _data(name, torch.float64)
    torch.testing.assert_close(
        moved(logits, target), _twin(name, logits, target), rtol=1e-6, atol=0
    )
    pickle.loads(pickle.dumps(module))


@pytest.mark.parametrize("name", [n for n in NAMES if n not in MULTILABEL])
def test_class_statistics_are_buffers(name):
    names = {n for n, _ in _build(name).named_buffers()}
    expected = {
        "FocalLoss": {"alpha"},
        "ClassBalancedLoss": {"class_counts", "class_weights"},
        "LDAMLoss": {"class_counts", "margins", "weight"},
        "LogitAdjustedLoss": {"class_counts", "log_priors"},
        "BalancedSoftmaxLoss": {"class_counts", "log_priors"},
        "VSLoss": {"class_counts", "scales", "log_priors"},
        "CostSensitiveLoss": {"cost_matrix"},
    }[name]
    assert names == expected


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision_inputs_are_computed_in_float32(name, dtype):
    module = _build(name)
    logits, target = _data(name, torch.float32)
    logits = logits * 8  # large scores: exp would overflow in float16
    low = logits.to(dtype)
    expected = module(low.float(), target)
    ours = module(low, target)
    assert ours.dtype == torch.float32
    assert torch.isfinite(ours)
    torch.testing.assert_close(ours, expected, rtol=1e-6, atol=1e-6)
    low.requires_grad_(True)
    module(low, target).backward()
    assert low.grad is not None and low.grad.dtype == dtype and torch.isfinite(low.grad).all()


@pytest.mark.parametrize("name", NAMES)
def test_cpu_autocast_bfloat16(name):
    module = _build(name)
    torch.manual_seed(0)
    layer = torch.nn.Linear(8, C)
    features = torch.randn(32, 8) * 20
    _, target = _data(name, n=32)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = layer(features)
        assert logits.dtype == torch.bfloat16
        loss = module(logits, target)
    assert loss.dtype == torch.float32 and torch.isfinite(loss)
    loss.backward()
    assert torch.isfinite(layer.weight.grad).all()
    torch.testing.assert_close(loss, module(logits.detach().float(), target), rtol=1e-6, atol=1e-6)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", NAMES)
def test_cuda_matches_cpu(name):
    module = _build(name)
    logits, target = _data(name)
    expected = module(logits, target)
    cuda = module.to("cuda")
    assert all(b.device.type == "cuda" for b in cuda.buffers())
    with torch.autocast("cuda", dtype=torch.float16):
        ours = cuda(logits.cuda(), target.cuda())
    torch.testing.assert_close(ours.cpu(), expected, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("name", NAMES)
def test_compiles_into_one_graph(name):
    # fullgraph=True fails on any graph break, e.g. Python branching on a tensor's values.
    # The aot_eager backend traces forward and backward without generating C++ (fast).
    torch._dynamo.reset()
    module = _build(name)
    compiled = torch.compile(module, fullgraph=True, backend="aot_eager")
    logits, target = _data(name)
    logits.requires_grad_(True)
    ours = compiled(logits, target)
    (grad,) = torch.autograd.grad(ours, logits)
    eager = logits.detach().clone().requires_grad_(True)
    expected = module(eager, target)
    (expected_grad,) = torch.autograd.grad(expected, eager)
    torch.testing.assert_close(ours, expected)
    torch.testing.assert_close(grad, expected_grad)


def test_inductor_compiled_matches_eager():
    # The real inductor backend (C++ code generation) on two losses; about 15 s cold on 2 CPUs.
    torch._dynamo.reset()
    for name in ("LogitAdjustedLoss", "FocalLoss"):
        module = _build(name)
        compiled = torch.compile(module)
        logits, target = _data(name, n=64)
        torch.testing.assert_close(compiled(logits, target), module(logits, target))


@pytest.mark.parametrize(
    "cls", [L.LDAMLoss, L.LogitAdjustedLoss, L.BalancedSoftmaxLoss, L.VSLoss, L.ClassBalancedLoss]
)
def test_counts_from_a_dataset(cls):
    labels = torch.repeat_interleave(torch.arange(C), torch.tensor(COUNTS))
    dataset = TensorDataset(torch.zeros(len(labels), 2), labels)
    from_data = cls(labels=Subset(dataset, list(range(len(labels)))))
    from_counts = cls(COUNTS)
    logits, target = _data(cls.__name__)
    torch.testing.assert_close(from_data(logits, target), from_counts(logits, target))
    with pytest.raises(DataValidationError, match=r"class\(es\) \[5\]"):
        cls(labels=labels, num_classes=6)


def test_balanced_softmax_is_logit_adjusted_with_tau_1():
    logits, target = _data("LogitAdjustedLoss", torch.float64)
    bs = L.BalancedSoftmaxLoss(COUNTS)
    la = L.LogitAdjustedLoss(COUNTS, tau=1.0)
    torch.testing.assert_close(bs(logits, target), la(logits, target), rtol=0, atol=0)
    assert isinstance(bs, L.LogitAdjustedLoss)


def test_logit_adjusted_from_priors():
    priors = torch.tensor(COUNTS, dtype=torch.float64) / sum(COUNTS)
    logits, target = _data("LogitAdjustedLoss")
    torch.testing.assert_close(
        L.LogitAdjustedLoss(class_priors=priors)(logits, target),
        L.LogitAdjustedLoss(COUNTS)(logits, target),
    )
    with pytest.raises(DataValidationError, match="sums to"):
        L.LogitAdjustedLoss(class_priors=[0.5, 0.6])


def test_focal_loss_gamma0_module_is_cross_entropy_loss():
    logits, target = _data("FocalLoss", torch.float64)
    target[0] = 7
    weight = torch.tensor([1.0, 2.0, 3.0, 0.5, 1.0], dtype=torch.float64)
    ours = L.FocalLoss(gamma=0.0, weight=weight, ignore_index=7, label_smoothing=0.1)
    ref = torch.nn.CrossEntropyLoss(weight=weight, ignore_index=7, label_smoothing=0.1)
    torch.testing.assert_close(ours(logits, target), ref(logits, target), rtol=1e-6, atol=0)


def test_ignore_index_rows_do_not_count():
    logits, target = _data("LDAMLoss", torch.float64)
    masked = target.clone()
    masked[:4] = -100
    for name in ("LDAMLoss", "LogitAdjustedLoss", "VSLoss", "FocalLoss", "CostSensitiveLoss"):
        module = _build(name)
        module.reduction = "none"
        per = module(logits, masked)
        assert per[:4].eq(0).all(), name
        torch.testing.assert_close(per[4:], module(logits[4:], target[4:]))


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [L.LDAMLoss, L.LogitAdjustedLoss, L.VSLoss, L.ClassBalancedLoss])
def test_zero_count_class_is_refused(cls):
    with pytest.raises(DataValidationError, match=r"no samples in class\(es\) \[1, 3\].*clamp_min"):
        cls([10, 0, 4, 0])


@pytest.mark.parametrize("name", NAMES)
def test_wrong_number_of_classes_names_both(name):
    module = _build(name)
    if name in MULTILABEL:
        logits, target = torch.zeros(4, 3), torch.zeros(4, 2)
        with pytest.raises(DataValidationError, match=r"shape of logits \(4, 3\).*\(4, 2\)"):
            module(logits, target)
        return
    logits, target = torch.zeros(4, 7), torch.zeros(4, dtype=torch.long)
    with pytest.raises(DataValidationError, match=r"logits have 7 classes .* has 5"):
        module(logits, target)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_reduction(name):
    cls = type(_build(name))
    args = {
        "CostSensitiveLoss": (torch.zeros(2, 2),),
        "FocalLoss": (),
        "BinaryFocalLoss": (),
        "AsymmetricLoss": (),
    }.get(name, (COUNTS,))
    with pytest.raises(InvalidParameterError, match=r"reduction='avg' is invalid; it must be one"):
        cls(*args, reduction="avg")


def test_functional_errors():
    logits, target = torch.zeros(3, 2), torch.tensor([0, 1, 0])
    with pytest.raises(InvalidParameterError, match="reduction='batchmean'"):
        TF.focal_loss(logits, target, reduction="batchmean")
    with pytest.raises(DataValidationError, match=r"logits have 2 classes .* class_counts has 3"):
        TF.ldam_loss(logits, target, [3, 2, 1])
    with pytest.raises(DataValidationError, match=r"class\(es\) \[0\]"):
        TF.logit_adjusted_loss(logits, target, [0, 5])
    with pytest.raises(DataValidationError, match="integer tensor of class indices"):
        TF.vs_loss(logits, target.float(), [3, 2])
    with pytest.raises(DataValidationError, match="must be 2-D"):
        TF.focal_loss(logits[0], target[:1])
    with pytest.raises(InvalidParameterError, match="exactly one of class_counts or class_priors"):
        TF.logit_adjusted_loss(logits, target)
    with pytest.raises(InvalidParameterError, match="gamma=-1"):
        L.FocalLoss(gamma=-1)
    with pytest.raises(InvalidParameterError, match="base='hinge'"):
        L.ClassBalancedLoss(COUNTS, base="hinge")
    with pytest.raises(InvalidParameterError, match="exactly one of class_counts"):
        L.LDAMLoss()
    with pytest.raises(InvalidParameterError, match="exactly one of class_counts"):
        L.VSLoss(COUNTS, labels=[0, 1])
    with pytest.raises(DataValidationError, match="alpha has 3 entries"):
        TF.focal_loss(logits, target, alpha=[0.1, 0.2, 0.3])
    with pytest.raises(DataValidationError, match="weight has 3 entries"):
        L.LDAMLoss([3, 2], weight=[1.0, 1.0, 1.0])
    with pytest.raises(DataValidationError, match="NaN or inf"):
        L.LDAMLoss([3.0, float("nan")])
    with pytest.raises(DataValidationError, match="square"):
        L.CostSensitiveLoss(torch.zeros(2, 3))
    with pytest.raises(DataValidationError, match="finite and >= 0"):
        L.CostSensitiveLoss([[0.0, -1.0], [1.0, 0.0]])


def test_set_weight_and_checkpoint_after_it():
    module = L.LDAMLoss(COUNTS)
    assert module.weight is None
    module.set_weight([1.0, 1.0, 1.0, 2.0, 2.0])
    assert module.weight.tolist() == [1.0, 1.0, 1.0, 2.0, 2.0]
    fresh = L.LDAMLoss(COUNTS)
    fresh.load_state_dict(module.state_dict())
    assert torch.equal(fresh.weight, module.weight)
    logits, target = _data("LDAMLoss")
    torch.testing.assert_close(fresh(logits, target), module(logits, target))
    with pytest.raises(DataValidationError, match="weight has 2 entries"):
        module.set_weight([1.0, 2.0])
    module.set_weight(None)
    assert module.weight is None
    torch.testing.assert_close(
        module(logits, target), TF.ldam_loss(logits, target, COUNTS), rtol=1e-6, atol=0
    )


@pytest.mark.parametrize("name", ["ClassBalancedLoss", "CostSensitiveLoss", "AsymmetricLoss"])
def test_set_weight_refused_where_there_is_no_weight(name):
    with pytest.raises(InvalidParameterError, match="no per-class weight"):
        _build(name).set_weight([1.0] * C)


def test_extra_repr_names_the_parameters():
    assert "max_margin=0.5" in repr(L.LDAMLoss(COUNTS))
    assert "tau=1.5" in repr(L.LogitAdjustedLoss(COUNTS, tau=1.5))


def test_weighted_modules_follow_cross_entropy_weighting():
    logits, target = _data("LogitAdjustedLoss", torch.float64)
    weight = torch.tensor([0.5, 1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    la = TF.logit_adjusted_loss(logits, target, COUNTS, tau=0.0, weight=weight)
    torch.testing.assert_close(la, F.cross_entropy(logits, target, weight=weight))


@pytest.mark.parametrize("gamma", [0.1, 0.5, 0.99, 1.0, 1.5, 2.0])
@pytest.mark.parametrize("gap", [30.0, 120.0, 1e4])
def test_focal_family_gradients_stay_finite_on_saturated_logits(gamma, gap):
    # pow(0, gamma < 1) has a NaN gradient; the loss is flat there, so the gradient is 0
    x = torch.tensor([[gap, 0.0], [0.3, 0.1]], requires_grad=True)
    L.FocalLoss(gamma=gamma)(x, torch.tensor([-100, 0])).backward()  # row 0 ignored
    assert torch.isfinite(x.grad).all() and torch.equal(x.grad[0], torch.zeros(2))
    xb = torch.tensor([gap, -1.0], requires_grad=True)
    L.BinaryFocalLoss(gamma=gamma)(xb, torch.tensor([1.0, 0.0])).backward()
    assert torch.isfinite(xb.grad).all()
    xa = torch.tensor([[gap, -gap]], requires_grad=True)
    L.AsymmetricLoss(gamma_pos=gamma, gamma_neg=gamma, clip=0.0)(
        xa, torch.tensor([[1.0, 0.0]])
    ).backward()
    assert torch.isfinite(xa.grad).all()
    # away from saturation the value is the formula's: (1 - p)^gamma * CE
    z = torch.tensor([[1.0, 0.2]], dtype=torch.float64)
    p = torch.softmax(z, 1)[0, 0]
    expected = (1 - p) ** gamma * -torch.log(p)
    torch.testing.assert_close(L.FocalLoss(gamma=gamma)(z, torch.tensor([0])), expected)


@pytest.mark.parametrize(
    "loss",
    [
        lambda: L.CostSensitiveLoss(torch.tensor([[0.0, 1.0], [5.0, 0.0]])),
        lambda: L.FocalLoss(gamma=2.0),
        lambda: L.LogitAdjustedLoss(class_counts=[10, 2]),
    ],
    ids=["cost-sensitive", "focal", "logit-adjusted"],
)
@pytest.mark.parametrize("bad", [-1, 2])
def test_class_indices_outside_the_logits_are_refused_by_name(loss, bad):
    # -1 used as padding (not ignore_index) once took the cost matrix's last row silently
    with pytest.raises(DataValidationError, match=rf"class indices \[{bad}\] outside 0..1"):
        loss()(torch.zeros(2, 2), torch.tensor([0, bad]))
    ignored = loss()(torch.zeros(2, 2), torch.tensor([0, -100]))  # ignore_index still works
    assert torch.isfinite(ignored)


SOFTMAX_NAMES = [name for name in NAMES if name not in MULTILABEL]


@pytest.mark.parametrize("name", SOFTMAX_NAMES)
def test_a_batch_with_every_row_ignored_has_zero_gradients(name):
    # as torch's cross entropy: the mean is NaN (0 / 0) but the gradients are 0, not NaN
    logits = torch.randn(4, C, requires_grad=True)
    target = torch.full((4,), -100)
    _build(name)(logits, target).backward()
    assert torch.equal(logits.grad, torch.zeros_like(logits))


@pytest.mark.parametrize("name", SOFTMAX_NAMES)
@pytest.mark.parametrize(("dtype", "ignore_index"), [(torch.uint8, -100), (torch.int8, 300)])
def test_ignore_index_the_target_dtype_cannot_hold_ignores_nothing(name, dtype, ignore_index):
    # compared in uint8, -100 would wrap to 156 and drop class 156 (int8: 300 -> 44)
    counts = [1] * 200
    kwargs = {"reduction": "none", "ignore_index": ignore_index}
    module = {
        "FocalLoss": lambda: L.FocalLoss(gamma=0.0, **kwargs),
        "ClassBalancedLoss": lambda: L.ClassBalancedLoss(counts, base="ce", **kwargs),
        "LDAMLoss": lambda: L.LDAMLoss(counts, **kwargs),
        "LogitAdjustedLoss": lambda: L.LogitAdjustedLoss(counts, **kwargs),
        "BalancedSoftmaxLoss": lambda: L.BalancedSoftmaxLoss(counts, **kwargs),
        "VSLoss": lambda: L.VSLoss(counts, **kwargs),
        "CostSensitiveLoss": lambda: L.CostSensitiveLoss(
            L.cost_matrix_from_counts(counts), **kwargs
        ),
    }[name]()
    wrapped = 156 if dtype == torch.uint8 else 44
    target = torch.tensor([wrapped, 1], dtype=dtype)
    per = module(torch.randn(2, len(counts)), target)
    assert bool((per > 0).all()), per


@pytest.mark.parametrize("scalar", [0.25, np.float32(0.25), np.float64(0.25), torch.tensor(0.25)])
def test_focal_alpha_as_any_real_scalar(scalar):
    logits, target = _data("FocalLoss", torch.float64)
    expected = L.FocalLoss(gamma=2.0, alpha=0.25)(logits, target)
    torch.testing.assert_close(L.FocalLoss(gamma=2.0, alpha=scalar)(logits, target), expected)


@pytest.mark.parametrize("scalar", [np.bool_(True), torch.tensor(True), np.float32(-1.0)])
def test_focal_alpha_bad_scalars_refused(scalar):
    with pytest.raises((InvalidParameterError, DataValidationError), match="alpha"):
        L.FocalLoss(alpha=scalar)


def test_logit_adjusted_priors_must_agree_with_num_classes():
    with pytest.raises(DataValidationError, match="num_classes=3 but class_priors has 2"):
        L.LogitAdjustedLoss(class_priors=[0.5, 0.5], num_classes=3)
    loss = L.LogitAdjustedLoss(class_priors=[0.5, 0.5], num_classes=2)
    assert loss.log_priors.numel() == 2
