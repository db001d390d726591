"""PolynomialLibrary: every monomial of 1, 2 or 3 variables up to a total degree (ngc-learn
3.2.3's ``PolynomialLibrary``), the candidate terms of a SINDy-style sparse regression.

For variables (x), (x, y) or (x, y, z) sampled at N points and order P, the columns are

| 1D: x^i                          for i = 0..P
| 2D: x^i y^j                      for i = 0..P, j = 0..P - i          (j varies fastest)
| 3D: x^i y^j z^k                  for i = 0..P, j = 0..P - i, k = 0..P - i - j

``fit(X)`` returns the (N, n_terms) matrix and the terms' names (the names ngc-learn prints,
e.g. "$𝑥^1 . 𝑦^2$ |"); without ``include_bias`` the constant column and its name "1" are
left out.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import jax.numpy as jnp

_SYMBOLS = ("𝑥", "𝑦", "𝓏")


def _exponents(dim: int, order: int) -> list[tuple[int, ...]]:
    """Exponent tuples of total degree <= order, in ngc-learn's nested-loop order."""
    return [e for e in itertools.product(range(order + 1), repeat=dim) if sum(e) <= order]


def _name(e: tuple[int, ...]) -> str:
    if not any(e):
        return "1"
    if len(e) == 1:
        return f"{_SYMBOLS[0]}^{e[0]} |"
    return "$" + " . ".join(f"{s}^{p}" for s, p in zip(_SYMBOLS, e)) + "$ |"


@dataclass
class PolynomialLibrary:
    """Polynomial features of 1-3 variables.

    Args:
        poly_order: the maximum total degree P (an int >= 0; required)
        include_bias: keep the constant term (Default: True)
    """

    poly_order: int = None
    include_bias: bool = True

    def __post_init__(self):
        if self.poly_order is None:
            raise ValueError("PolynomialLibrary: poly_order must be specified")
        if (isinstance(self.poly_order, bool) or not isinstance(self.poly_order, int)
                or self.poly_order < 0):
            raise ValueError(f"PolynomialLibrary: poly_order must be an integer >= 0, got "
                             f"{self.poly_order!r}")

    def fit(self, X) -> tuple[jnp.ndarray, list[str]]:
        """The library of the variables in ``X`` (a list of 1-3 arrays of N values each):
        (feature matrix (N, n_terms), term names)."""
        if not 1 <= len(X) <= 3:
            raise ValueError(f"PolynomialLibrary: X must hold 1, 2 or 3 variables, got {len(X)}")
        cols = [jnp.asarray(v).reshape(-1, 1) for v in X]
        terms = _exponents(len(cols), self.poly_order)
        if not self.include_bias:
            terms = terms[1:]  # the first term is the constant one
        feats = [jnp.prod(jnp.concatenate([c ** p for c, p in zip(cols, e)], axis=1), axis=1,
                          keepdims=True) for e in terms]
        lib = jnp.concatenate(feats, axis=1) if feats else jnp.zeros((cols[0].shape[0], 0))
        return lib, [_name(e) for e in terms]


__all__ = ["PolynomialLibrary"]
