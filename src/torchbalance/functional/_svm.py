"""A linear support vector machine in torch (L2-regularised squared hinge), for SVM-SMOTE."""

from __future__ import annotations

from typing import NamedTuple

import torch

__all__ = ["LinearSVMResult", "linear_svm"]


class LinearSVMResult(NamedTuple):
    """Result of :func:`linear_svm`.

    Attributes:
        coef: ``(d,)`` float64 weights in the units of the input features.
        intercept: float64 scalar tensor.
        margins: ``(n,)`` float64 ``t_i f(x_i)``; ``< 1`` marks a support vector.
        support: ``(n_sv,)`` int64 rows with ``t_i f(x_i) < 1`` (on the wrong side of the
            margin: the samples with non-zero loss, which determine the solution).
    """

    coef: torch.Tensor
    intercept: torch.Tensor
    margins: torch.Tensor
    support: torch.Tensor


def linear_svm(
    X: torch.Tensor,
    positive: torch.Tensor,
    *,
    C: float = 1.0,
    max_iter: int = 200,
    tol: float = 1e-8,
) -> LinearSVMResult:
    """Fit ``f(x) = w·z(x) + b`` on standardised features ``z``, one class against the rest.

    Minimises ``0.5 ||w||² + C * sum_i max(0, 1 - t_i f(x_i))²`` (scikit-learn's
    ``LinearSVC`` primal with the squared hinge, intercept not regularised) with L-BFGS in
    float64 on ``X``'s device, full batch. Features are z-scored with the mean and population
    standard deviation of ``X`` (constant features left at 0) so that the margin does not
    depend on their units. The objective is strictly convex, so the solution is unique.

    Args:
        X: ``(n, d)`` floating tensor.
        positive: ``(n,)`` bool, ``True`` for the class (``t = +1``), ``False`` for the rest.
        C: Inverse regularisation strength.
        max_iter: L-BFGS iterations.
        tol: Gradient tolerance of L-BFGS.

    Returns:
        :class:`LinearSVMResult`.

    References:
        C. Cortes, V. Vapnik, "Support-vector networks", Machine Learning 20, 1995;
        R.-E. Fan et al., "LIBLINEAR: A Library for Large Linear Classification", JMLR 9, 2008.

    Example:
        >>> X = torch.tensor([[0.0], [1.0], [3.0], [4.0]])
        >>> result = linear_svm(X, torch.tensor([False, False, True, True]))
        >>> bool(result.coef[0] > 0), result.support.tolist()
        (True, [1, 2])
    """
    data = X.to(torch.float64)
    mean = data.mean(0)
    std = data.std(0, unbiased=False)
    std = torch.where(std > 0, std, torch.ones_like(std))
    Z = (data - mean) / std
    t = positive.to(torch.float64) * 2 - 1
    params = torch.zeros(Z.shape[1] + 1, dtype=torch.float64, device=X.device, requires_grad=True)
    optimizer = torch.optim.LBFGS(
        [params],
        lr=1.0,
        max_iter=max_iter,
        tolerance_grad=tol,
        tolerance_change=1e-12,
        line_search_fn="strong_wolfe",
    )

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        w, b = params[:-1], params[-1]
        slack = torch.clamp(1 - t * (Z @ w + b), min=0)
        loss = 0.5 * (w * w).sum() + C * (slack * slack).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    with torch.no_grad():
        w, b = params[:-1].detach(), params[-1].detach()
        margins = t * (Z @ w + b)
        coef = w / std
        intercept = b - (coef * mean).sum()
    support = torch.nonzero(margins < 1).reshape(-1)
    return LinearSVMResult(coef, intercept, margins, support)
