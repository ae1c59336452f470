"""One fused softmax cross-entropy on affinely adjusted logits, with an analytic backward.

``z = a ⊙ x + b`` (``a`` a float or per-class ``(C,)``, ``b`` per-class ``(C,)``), then the true
class's score lowered by ``shift[y]``, then ``-w_y log softmax(z)_y``. LDAM, logit adjustment,
balanced softmax, VS and class-balanced cross-entropy are all this one function with
different ``a``, ``b``, ``shift``, ``w`` and denominators.

Composing it from ``x * a + b``, ``scatter`` and ``F.cross_entropy`` costs two to four extra
passes over the ``(N, C)`` logits (and as many fresh allocations) in the backward pass. The
gradient is known in closed form, ``∂ℓ_i/∂x_ic = g_i a_c (softmax(z)_ic - [c = y_i])``, so the
backward here is one softmax of the saved log-probabilities and a few in-place passes.
Under ``create_graph=True`` (double backward, e.g. gradient penalties) the backward instead
differentiates the composed, autograd-traced formula, so higher derivatives are exact too.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from ._loss_common import ignore_mask

__all__ = ["adjusted_cross_entropy"]


def _composed(
    x: torch.Tensor,
    target: torch.Tensor,
    multiplier: torch.Tensor | None,
    scale: float,
    offset: torch.Tensor | None,
    shift: torch.Tensor | None,
    weight: torch.Tensor | None,
    ignore_index: int,
    reduction: str,
    count_denominator: bool,
) -> torch.Tensor:
    """The same loss from differentiable ops (for double backward only)."""
    valid, safe = ignore_mask(target, ignore_index, x.shape[1])
    z = x if multiplier is None else x * multiplier
    z = z * scale
    if offset is not None:
        z = z + offset
    if shift is not None:
        z = z.scatter_add(1, safe.unsqueeze(1), (-shift)[safe].unsqueeze(1))
    nll = F.cross_entropy(z, safe, reduction="none")
    coef = valid.to(x.dtype) if weight is None else torch.where(valid, weight[safe], 0)
    loss = nll * coef
    if reduction == "mean":
        denominator = valid.sum().to(x.dtype) if count_denominator else coef.sum()
        return loss.sum() / denominator
    return loss.sum() if reduction == "sum" else loss


class _AdjustedCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any,
        x: torch.Tensor,
        target: torch.Tensor,
        multiplier: torch.Tensor | None,
        scale: float,
        offset: torch.Tensor | None,
        shift: torch.Tensor | None,
        weight: torch.Tensor | None,
        ignore_index: int,
        reduction: str,
        count_denominator: bool,
    ) -> torch.Tensor:
        valid, safe = ignore_mask(target, ignore_index, x.shape[1])
        index = safe.unsqueeze(1)
        if multiplier is not None:
            z = torch.addcmul(offset, x, multiplier) if offset is not None else x * multiplier
            if scale != 1.0:
                z.mul_(scale)
        elif scale != 1.0:
            z = torch.add(offset, x, alpha=scale) if offset is not None else x * scale
        else:
            z = x + offset if offset is not None else x
        if shift is not None:
            lowered = (-shift)[safe].unsqueeze(1)
            z = z.scatter_add(1, index, lowered) if z is x else z.scatter_add_(1, index, lowered)
        log_p = F.log_softmax(z, dim=1)
        del z
        nll = -log_p.gather(1, index).squeeze(1)
        coef = valid.to(x.dtype) if weight is None else torch.where(valid, weight[safe], 0)
        loss = nll * coef
        if reduction == "mean":
            denominator = valid.sum().to(x.dtype) if count_denominator else coef.sum()
            out = loss.sum() / denominator  # NaN when every row is ignored, as torch's
            # ... but zero gradients then, as torch's: the coefficients are all 0 over a 0
            coef = coef / denominator.clamp_min(torch.finfo(coef.dtype).tiny)
        elif reduction == "sum":
            out = loss.sum()
        else:
            out = loss
        ctx.save_for_backward(log_p, index, coef, x, target, multiplier, offset, shift, weight)
        ctx.options = (scale, ignore_index, reduction, count_denominator)
        return out

    @staticmethod
    def backward(ctx: Any, grad_out: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        log_p, index, coef, x, target, multiplier, offset, shift, weight = ctx.saved_tensors
        scale, ignore_index, reduction, count_denominator = ctx.options
        nones = (None,) * 9
        if torch.is_grad_enabled():  # create_graph=True: differentiate the composed formula
            loss = _composed(
                x,
                target,
                multiplier,
                scale,
                offset,
                shift,
                weight,
                ignore_index,
                reduction,
                count_denominator,
            )
            (grad_x,) = torch.autograd.grad(loss, x, grad_out, create_graph=True)
            return (grad_x, *nones)
        g = coef * grad_out  # (N,): grad_out is a scalar or (N,) with reduction="none"
        if scale != 1.0:
            g = g * scale
        # softmax(log p) = p. Its kernel is one fused pass; torch.exp would take a slow path
        # on the very negative log-probabilities of scaled logits (LDAM's reach -300).
        grad = torch.softmax(log_p, dim=1)
        grad.scatter_add_(1, index, torch.full_like(g, -1.0).unsqueeze(1))
        grad.mul_(g.unsqueeze(1))
        if multiplier is not None:
            grad.mul_(multiplier)
        return (grad, *nones)


def adjusted_cross_entropy(
    x: torch.Tensor,
    target: torch.Tensor,
    *,
    multiplier: torch.Tensor | None = None,
    scale: float = 1.0,
    offset: torch.Tensor | None = None,
    shift: torch.Tensor | None = None,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    count_denominator: bool = False,
) -> torch.Tensor:
    """``-w_y log softmax(scale · (multiplier ⊙ x) + offset - shift_y e_y)_y``, reduced.

    With ``count_denominator=False``, ``"mean"`` divides by ``Σ w_y`` over the counted rows
    (``F.cross_entropy``'s weighted mean), otherwise by their number. The per-class tensors
    are cast to ``x``'s dtype and device here; ``x`` must already be float32 or float64
    (callers upcast half precision). No value checks: callers validate.
    """

    def like(t: torch.Tensor | None) -> torch.Tensor | None:
        return None if t is None else t.to(dtype=x.dtype, device=x.device)

    return _AdjustedCrossEntropy.apply(
        x,
        target,
        like(multiplier),
        float(scale),
        like(offset),
        like(shift),
        like(weight),
        int(ignore_index),
        reduction,
        bool(count_denominator),
    )
