"""The fast path: train M :class:`~torchbalance.models.TorchClassifier` members as one model.

The members' parameters are stacked (``torch.func.stack_module_state``) into tensors with a
leading member dimension, one forward pass runs every member on its own batch (batched matrix
products for an MLP, ``torch.func.vmap`` over ``torch.func.functional_call`` for any other
module), and one optimiser step updates every member. The optimisers are written out on the
stacked tensors: Adam(W) and SGD are elementwise, so each member's slice of the state follows
exactly the recursion of its own ``torch.optim.AdamW`` / ``torch.optim.SGD``. A member whose
epoch is over (members may have training sets of different sizes, hence different numbers of
steps per epoch) is masked out of the step: its parameters and optimiser state do not move, as
if its own loop had not run that step.

Everything a member's ``TorchClassifier.fit`` draws at random (initial weights, the order of
every epoch) is drawn here from the same seeds, in the same way, so the fast path trains the
same members as the loop, up to floating-point rounding (a batched matrix product does not
round exactly as M separate ones do).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ..base import clone
from ..models import TorchClassifier, mlp
from ..utils import check_generator, derive_seed, print_epoch

__all__ = ["MemberPlan", "fast_path_blocker", "train_stacked"]


@dataclass
class MemberPlan:
    """What one member trains on: rows of a shared pool, a column subset and a seed.

    Attributes:
        rows: ``(n_m,)`` int64 rows of the pool (duplicates allowed).
        features: ``(k,)`` int64 columns of the pool, or ``None`` for all of them.
        seed: The member estimator's ``generator`` (int).
    """

    rows: torch.Tensor
    features: torch.Tensor | None
    seed: int


def _module_fn(estimator: TorchClassifier) -> Callable[[tuple[int, ...], int], nn.Module]:
    if estimator.module_fn is not None:
        return estimator.module_fn
    hidden = estimator.hidden_sizes
    return lambda shape, c: mlp(shape, c, hidden)


def _loss_blocker(loss: Any) -> str | None:
    if loss is None:
        return None
    if (
        type(loss) is nn.CrossEntropyLoss
        and loss.reduction == "mean"
        and loss.ignore_index < 0
        and (loss.weight is None or loss.label_smoothing == 0)
    ):
        return None
    return (
        f"loss={loss!r} (the fast path supports cross-entropy: loss=None or a plain "
        "nn.CrossEntropyLoss with reduction='mean', not both weight and label_smoothing)"
    )


def fast_path_blocker(
    estimator: Any, input_shape: tuple[int, ...], n_classes: int, device: torch.device
) -> str | None:
    """Why members of ``estimator`` cannot be trained by :func:`train_stacked`, or ``None``.

    The fast path covers a plain :class:`~torchbalance.models.TorchClassifier` with the default
    epoch order (``sampler=None``), no inner ``resampler``, ``optimizer`` ``"adamw"`` or
    ``"sgd"``, a cross-entropy loss, and a module without buffers (no batch norm) or dropout
    that ``torch.func.vmap`` can run.
    """
    if type(estimator) is not TorchClassifier:
        return f"the estimator is a {type(estimator).__name__}, not a TorchClassifier"
    if estimator.sampler is not None:
        return "the TorchClassifier has a custom sampler"
    if estimator.resampler is not None:
        return "the TorchClassifier has its own resampler"
    if estimator.optimizer not in ("adamw", "sgd"):
        return "the TorchClassifier has a custom optimizer"
    blocker = _loss_blocker(estimator.loss)
    if blocker is not None:
        return blocker
    with torch.random.fork_rng(devices=[]):
        module = _module_fn(estimator)(input_shape, n_classes)
    if any(True for _ in module.buffers()):
        return "the module has buffers (e.g. batch norm), which a stacked model cannot update"
    if any(isinstance(m, nn.modules.dropout._DropoutNd) for m in module.modules()):
        return "the module has dropout, whose random masks would differ from the loop's"
    if not any(True for _ in module.parameters()):
        return "the module has no parameters"
    if not all(p.requires_grad for p in module.parameters()):
        return "the module has frozen parameters (requires_grad=False), which it must not train"
    module = module.to(device)
    with torch.random.fork_rng(devices=[]):  # drawn on the CPU: no device RNG advances
        probe = torch.randn((2, *input_shape)).to(device)
    try:
        with torch.no_grad():
            stacked = _StackedForward([module]).logits(
                {k: v.detach().unsqueeze(0) for k, v in module.named_parameters()}, probe[None]
            )[0]
            own = module(probe)
    except Exception as error:  # any failure means: use the loop
        return f"torch.func.vmap cannot run the module ({type(error).__name__}: {error})"
    if not torch.allclose(stacked, own, rtol=1e-4, atol=1e-5):
        return "the stacked forward differs from the module's own on a probe batch"
    return None


_ELEMENTWISE = (
    nn.ReLU,
    nn.LeakyReLU,
    nn.GELU,
    nn.SiLU,
    nn.ELU,
    nn.Tanh,
    nn.Sigmoid,
    nn.Identity,
)


class _StackedForward:
    """Runs M modules of one architecture, with stacked parameters, on ``(M, B, ...)`` input.

    An ``nn.Sequential`` of ``Flatten`` / ``Linear`` / elementwise activations (the default
    MLP) runs as batched matrix products (``torch.baddbmm``); any other module through
    ``torch.func.vmap`` over ``torch.func.functional_call``.
    """

    def __init__(self, modules: Sequence[nn.Module]) -> None:
        template = modules[0]
        self.layers: list[tuple[str, nn.Module]] | None = None
        # the layers' exact types (a subclass may have its own forward), each used once (a
        # layer repeated in the Sequential would appear once among its children)
        if (
            isinstance(template, nn.Sequential)
            and len({id(layer) for layer in template}) == len(template)
            and all(
                type(layer) in (nn.Linear, *_ELEMENTWISE)
                or (type(layer) is nn.Flatten and layer.start_dim == 1 and layer.end_dim == -1)
                for layer in template
            )
        ):
            self.layers = [
                (name, copy.deepcopy(layer).to("meta")) for name, layer in template.named_children()
            ]
            return
        self.base = copy.deepcopy(template).to("meta")

        def one(params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
            return functional_call(self.base, (params,), (x,))

        self.batched = vmap(one)

    def logits(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        if self.layers is None:
            return self.batched(params, x)
        for name, layer in self.layers:
            if isinstance(layer, nn.Flatten):
                x = x.flatten(2)
            elif isinstance(layer, nn.Linear):
                weight = params[f"{name}.weight"].transpose(1, 2)
                bias = params.get(f"{name}.bias")
                x = (
                    torch.bmm(x, weight)
                    if bias is None
                    else torch.baddbmm(bias[:, None], x, weight)
                )
            else:
                x = layer(x)
        return x


class _StackedOptimizer:
    """M independent AdamW (or SGD with momentum 0.9) optimisers over stacked parameters.

    ``step(active)`` updates the members whose entry of the bool mask ``active`` is ``True``
    and leaves the others (parameters and state) untouched. The formulas are those of
    ``torch.optim.AdamW`` / ``torch.optim.SGD`` (single-tensor implementation), per member.
    While every member has taken the same number of steps (the usual case), the update runs
    as ``torch._foreach_*`` calls with scalar coefficients, exactly as torch's own; otherwise
    per-member coefficients are broadcast and inactive members are masked out.
    """

    def __init__(
        self, params: list[torch.Tensor], kind: str, lr: float, weight_decay: float
    ) -> None:
        self.params = params
        self.kind = kind
        self.lr = lr
        self.weight_decay = weight_decay
        self.counts = [0] * params[0].shape[0]
        self.first = [torch.zeros_like(p) for p in params]
        self.second = [torch.zeros_like(p) for p in params] if kind == "adamw" else []

    @staticmethod
    def _per_member(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        return values.to(device=like.device).reshape(-1, *([1] * (like.dim() - 1)))

    @torch.no_grad()
    def step(self, active: list[bool]) -> None:
        uniform = all(active) and len(set(self.counts)) == 1
        self.counts = [c + int(a) for c, a in zip(self.counts, active, strict=True)]
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        if uniform:
            if self.kind == "adamw":
                self._adamw_uniform(grads, self.counts[0])
            else:
                self._sgd_uniform(grads, self.counts[0])
            return
        mask = torch.tensor(active)
        steps = torch.tensor(self.counts, dtype=torch.float64).clamp(min=1.0)
        if self.kind == "adamw":
            self._adamw_masked(grads, mask, steps)
        else:
            self._sgd_masked(grads, mask, steps)

    def _adamw_uniform(self, grads: list[torch.Tensor], step: int) -> None:
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        params, exp_avgs, exp_avg_sqs = self.params, self.first, self.second
        torch._foreach_mul_(params, 1 - self.lr * self.weight_decay)
        torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
        torch._foreach_mul_(exp_avg_sqs, beta2)
        torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
        step_size = self.lr / (1 - beta1**step)
        correction2_sqrt = (1 - beta2**step) ** 0.5
        denom = torch._foreach_sqrt(exp_avg_sqs)
        torch._foreach_div_(denom, correction2_sqrt)
        torch._foreach_add_(denom, eps)
        torch._foreach_addcdiv_(params, exp_avgs, denom, -step_size)

    def _sgd_uniform(self, grads: list[torch.Tensor], step: int) -> None:
        d_p = torch._foreach_add(grads, self.params, alpha=self.weight_decay)
        if step == 1:
            for buf, value in zip(self.first, d_p, strict=True):
                buf.copy_(value)
        else:
            torch._foreach_mul_(self.first, 0.9)
            torch._foreach_add_(self.first, d_p)
        torch._foreach_add_(self.params, self.first, alpha=-self.lr)

    def _adamw_masked(
        self, grads: list[torch.Tensor], active: torch.Tensor, steps: torch.Tensor
    ) -> None:
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        step_size = (self.lr / (1 - beta1**steps)).to(torch.float32)
        correction2_sqrt = ((1 - beta2**steps) ** 0.5).to(torch.float32)
        for param, grad, exp_avg, exp_avg_sq in zip(
            self.params, grads, self.first, self.second, strict=True
        ):
            mask = self._per_member(active, param)
            new_param = param * (1 - self.lr * self.weight_decay)
            new_avg = exp_avg.lerp(grad, 1 - beta1)
            new_avg_sq = (exp_avg_sq * beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (new_avg_sq.sqrt() / self._per_member(correction2_sqrt, param)).add_(eps)
            new_param.addcdiv_(new_avg * -self._per_member(step_size, param), denom)
            param.copy_(torch.where(mask, new_param, param))
            exp_avg.copy_(torch.where(mask, new_avg, exp_avg))
            exp_avg_sq.copy_(torch.where(mask, new_avg_sq, exp_avg_sq))

    def _sgd_masked(
        self, grads: list[torch.Tensor], active: torch.Tensor, steps: torch.Tensor
    ) -> None:
        first_step = steps <= 1
        for param, grad, buf in zip(self.params, grads, self.first, strict=True):
            mask = self._per_member(active, param)
            d_p = grad.add(param, alpha=self.weight_decay)
            new_buf = torch.where(self._per_member(first_step, param), d_p, buf * 0.9 + d_p)
            new_param = param.add(new_buf, alpha=-self.lr)
            param.copy_(torch.where(mask, new_param, param))
            buf.copy_(torch.where(mask, new_buf, buf))


def train_stacked(
    estimator: TorchClassifier,
    pool: torch.Tensor,
    codes: torch.Tensor,
    plans: Sequence[MemberPlan],
    n_classes: int,
    device: torch.device,
) -> list[TorchClassifier]:
    """Train one clone of ``estimator`` per plan, all at once; return them fitted.

    Each returned member is what ``clone(estimator).set_params(generator=plan.seed)
    .fit(pool[plan.rows][:, plan.features], codes[plan.rows])`` gives, up to rounding.

    Args:
        estimator: A TorchClassifier accepted by :func:`fast_path_blocker`.
        pool: ``(N, *sample_shape)`` features every plan indexes into.
        codes: ``(N,)`` int64 class codes ``0..n_classes-1``.
        plans: One :class:`MemberPlan` per member; every member's rows hold every class.
        n_classes: Number of classes.
        device: Where to train.
    """
    n_members = len(plans)
    data = pool.to(device=device, dtype=torch.float32)
    labels = codes.to(device)
    feature_sets = [p.features for p in plans]
    use_features = feature_sets[0] is not None
    features = (
        torch.stack([f for f in feature_sets if f is not None]).to(device) if use_features else None
    )
    sample_shape = tuple(data.shape[1:]) if features is None else (features.shape[1],)
    members: list[TorchClassifier] = []
    modules: list[nn.Module] = []
    generators: list[torch.Generator] = []
    means, scales = [], []
    build = _module_fn(estimator)
    for index, plan in enumerate(plans):
        member = clone(estimator).set_params(generator=plan.seed)
        seed = derive_seed(check_generator(plan.seed, owner="TorchClassifier"))
        rows = plan.rows.to(device)
        if estimator.standardize:
            X_member = data.index_select(0, rows)
            if features is not None:
                X_member = X_member.index_select(1, features[index])
            mean = X_member.mean(dim=0)
            std = X_member.std(dim=0, unbiased=False)
            scale = torch.where(std > 0, std, torch.ones_like(std))
            member.mean_, member.scale_ = mean, scale
            means.append(mean)
            scales.append(scale)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            modules.append(build(sample_shape, n_classes).to(device))
        generators.append(torch.Generator().manual_seed(seed))
        members.append(member)
    mean_stack = torch.stack(means) if means else None
    scale_stack = torch.stack(scales) if scales else None

    stacked, _ = stack_module_state(list(modules))
    names = list(stacked)
    params = {name: stacked[name].detach().clone().requires_grad_(True) for name in names}
    forward = _StackedForward(modules)
    optimizer = _StackedOptimizer(
        [params[name] for name in names],
        str(estimator.optimizer),
        estimator.lr,
        estimator.weight_decay,
    )
    loss_module = copy.deepcopy(estimator.loss) if estimator.loss is not None else None
    if not isinstance(loss_module, nn.CrossEntropyLoss):  # the fast path's one loss
        loss_module = nn.CrossEntropyLoss()
    loss_module = loss_module.to(device)
    class_weight: torch.Tensor | None = loss_module.weight
    smoothing = float(loss_module.label_smoothing)
    sizes = torch.tensor([p.rows.numel() for p in plans])
    batch = estimator.batch_size
    steps_per_member = (sizes + batch - 1) // batch
    n_steps = int(steps_per_member.max())
    width = n_steps * batch
    rows_pad = torch.zeros((n_members, int(sizes.max())), dtype=torch.int64)
    for index, plan in enumerate(plans):
        rows_pad[index, : plan.rows.numel()] = plan.rows
    rows_pad = rows_pad.to(device)
    min_size = int(sizes.min())
    step_list = steps_per_member.tolist()
    history: list[list[float]] = [[] for _ in plans]
    for epoch in range(estimator.epochs):
        order = torch.zeros((n_members, width), dtype=torch.int64)
        valid = torch.zeros((n_members, width), dtype=torch.bool)
        for index, (plan, generator) in enumerate(zip(plans, generators, strict=True)):
            n = plan.rows.numel()
            order[index, :n] = torch.randperm(n, generator=generator)
            valid[index, :n] = True
        order, valid = order.to(device), valid.to(device)
        epoch_rows = rows_pad.gather(1, order)  # (M, width): pool rows in training order
        epoch_labels = labels[epoch_rows]
        totals = torch.zeros(n_members, dtype=torch.float64, device=device)
        for step in range(n_steps):
            window = slice(step * batch, (step + 1) * batch)
            rows = epoch_rows[:, window]
            X_batch = data.index_select(0, rows.reshape(-1)).view(n_members, batch, *data.shape[1:])
            if features is not None:
                X_batch = torch.gather(X_batch, 2, features[:, None, :].expand(-1, batch, -1))
            if mean_stack is not None and scale_stack is not None:
                X_batch = (X_batch - mean_stack[:, None]) / scale_stack[:, None]
            y_batch = epoch_labels[:, window]
            for param in params.values():
                param.grad = None
            logits = forward.logits(params, X_batch)
            per_sample = F.cross_entropy(
                logits.reshape(-1, n_classes),
                y_batch.reshape(-1),
                weight=class_weight,
                reduction="none",
                label_smoothing=smoothing,
            ).view(n_members, batch)
            full = (step + 1) * batch <= min_size  # every member has a full batch
            if full and class_weight is None:
                member_loss = per_sample.mean(dim=1)
            else:
                mask = valid[:, window]
                weights = mask.to(per_sample.dtype)
                if class_weight is not None:
                    weights = weights * class_weight[y_batch]
                member_loss = (per_sample * mask).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-12)
            member_loss.sum().backward()
            optimizer.step([step < n for n in step_list])
            totals += member_loss.detach()
        epoch_loss = (totals.cpu() / steps_per_member.to(torch.float64)).tolist()
        for index, value in enumerate(epoch_loss):
            history[index].append(value)
        if estimator.progress:
            owner = f"Balanced ensemble ({n_members} members, vectorised)"
            mean_loss = float(np.mean(epoch_loss))
            print_epoch(owner, epoch, estimator.epochs, mean_loss, what="mean loss")

    classes = np.arange(n_classes)
    for index, (member, module) in enumerate(zip(members, modules, strict=True)):
        with torch.no_grad():
            for name, param in module.named_parameters():
                param.copy_(params[name][index])
        module.eval()
        member.module_ = module
        member.classes_ = classes
        member.input_shape_ = sample_shape
        member.n_features_in_ = math.prod(sample_shape)
        member.loss_ = copy.deepcopy(loss_module)
        member.history_ = history[index]
    return members
