"""Wiring: aliasing with >> and <<, Summation and Product, and the errors that name the problem."""

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess, Product, Summation, WiringError
from ngclab.components import RateCell


def _cells(ctx, n=2, names=("a", "b", "c")):
    with ctx:
        return [RateCell(nm, n_units=n, tau_m=0.) for nm in names]


def test_both_arrow_directions_alias_the_source():
    ctx = Context("m")
    a, b, c = _cells(ctx)
    a.zF >> b.j
    c.j << a.zF
    a.zF.set(jnp.array([[1., 2.]]))
    np.testing.assert_array_equal(b.j.get(), [[1., 2.]])
    np.testing.assert_array_equal(c.j.get(), [[1., 2.]])
    assert b.j.targeted and c.j.targeted and not a.j.targeted


def test_summation_and_product_combine_sources():
    ctx = Context("m")
    a, b, c = _cells(ctx)
    with ctx:
        d = RateCell("d", n_units=2, tau_m=0.)
    Summation(a.zF, b.zF) >> c.j
    d.j << Product(a.zF, b.zF)
    a.zF.set(jnp.array([[1., 2.]]))
    b.zF.set(jnp.array([[3., 5.]]))
    np.testing.assert_array_equal(c.j.get(), [[4., 7.]])    # 1+3, 2+5
    np.testing.assert_array_equal(d.j.get(), [[3., 10.]])   # 1*3, 2*5
    with ctx:
        proc = MethodProcess("p") >> c.advance_state >> d.advance_state
    proc.run(dt=1.)
    np.testing.assert_array_equal(c.zF.get(), [[4., 7.]])   # stateless cells: zF = j
    np.testing.assert_array_equal(d.zF.get(), [[3., 10.]])


def test_shape_mismatch_names_both_compartments_and_changes_nothing():
    ctx = Context("m")
    with ctx:
        a = RateCell("a", n_units=3, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=0.)
    version = ctx.structure_version
    with pytest.raises(WiringError, match=r"m/a:zF \(shape \(1, 3\)\).*m/b:j \(shape \(1, 2\)\)"):
        a.zF >> b.j
    assert not b.j.targeted and ctx.structure_version == version


def test_wiring_into_an_output_is_refused():
    ctx = Context("m")
    a, b, _ = _cells(ctx)
    with pytest.raises(WiringError, match="m/b:zF.*output"):
        a.zF >> b.zF


def test_setting_a_wired_compartment_is_refused():
    ctx = Context("m")
    a, b, _ = _cells(ctx)
    a.zF >> b.j
    with pytest.raises(WiringError, match="m/b:j is wired from m/a:zF"):
        b.j.set(jnp.zeros((1, 2)))


def test_wiring_across_contexts_is_refused():
    a, = _cells(Context("one"), names=("a",))
    b, = _cells(Context("two"), names=("b",))
    with pytest.raises(WiringError, match="different Contexts"):
        a.zF >> b.j


def test_rewiring_replaces_with_a_warning_and_disconnect_unwires():
    ctx = Context("m")
    a, b, c = _cells(ctx)
    a.zF >> c.j
    with pytest.warns(UserWarning, match="replaces that wire"):
        b.zF >> c.j
    b.zF.set(jnp.array([[7., 8.]]))
    np.testing.assert_array_equal(c.j.get(), [[7., 8.]])
    ctx.disconnect("m/c:j")
    assert not c.j.targeted
    with pytest.raises(ValueError, match="not wired"):
        ctx.disconnect(c.j)


def test_set_with_a_wrong_shape_names_the_compartment():
    ctx = Context("m")
    a, _, _ = _cells(ctx)
    with pytest.raises(ValueError, match=r"m/a:j: cannot set a value of shape \(1, 3\) into a "
                                         r"compartment of shape \(1, 2\)"):
        a.j.set(jnp.zeros((1, 3)))


def test_unknown_compartment_paths_list_what_exists():
    ctx = Context("m")
    _cells(ctx)
    with pytest.raises(KeyError, match="has no compartment 'zz'.*j, j_td"):
        ctx.compartment("a:zz")
    with pytest.raises(KeyError, match="no component 'q'"):
        ctx.compartment("m/q:j")
