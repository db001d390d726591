"""ngclab.utils.diffeq: explicit Runge-Kutta steppers for ODEs dx/dt = f(t, x, params)
(``ode_utils``) and a few classic dynamical systems to integrate with them (``odes``), with
ngc-learn 3.2.3's module and function names."""
from ngclab.utils.diffeq import ode_utils, odes

__all__ = ["ode_utils", "odes"]
