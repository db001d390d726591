"""The CUBA network (ngclab.models.cuba): its equations against a hand-written JAX version of
the same math, bit for bit; LIFCell's held refractory period by hand; the firing rate and the
irregularity of the spike trains against Brian2's (tests/reference/cuba_brian2.json, written
by tests/reference/cuba_brian2.py under Brian2); lost spikes raise with their step."""
import json
import os
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import LIFCell
from ngclab.components.synapses.sparseExponentialSynapse import EventCapacityError
from ngclab.models import cuba

warnings.filterwarnings("ignore", message=".*sees the previous step's value")
REF = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference",
                   "cuba_brian2.json")


def brian2() -> dict:
    with open(REF) as fh:
        return json.load(fh)


def hand_written_cuba(Ce_dense, Ci_dense, v0, steps: int, dt: float = cuba.DT):
    """The CUBA equations as plain JAX with dense 0/1 connection matrices (spikes @ C counts
    the arriving spikes exactly, so the sums agree with any order of adding them):

    |  j = ge + gi;  refractory: mask = [rfr >= 5]
    |  v' = v + dt ((El - v) + j mask) / taum;   v' = v where refractory
    |  s = [v' > Vt] mask;  v = Vr where s;  rfr = (rfr + dt) (1 - s)
    |  ge = ge (1 - dt / taue) + we (s @ Ce);   gi = gi (1 - dt / taui) + wi (s @ Ci)
    """
    Ce_dense, Ci_dense = jnp.asarray(Ce_dense), jnp.asarray(Ci_dense)
    # the constants enter as traced float32 scalars, as the components' knobs and dt do (XLA
    # would fold literal constants into other roundings than it gives the knobs)
    names = ("dt", "tau_m", "tau_e", "tau_i", "E_L", "V_T", "V_R", "w_e", "w_i", "refractory")
    values = (dt, cuba.TAU_M, cuba.TAU_E, cuba.TAU_I, cuba.E_L, cuba.V_T, cuba.V_R, cuba.W_E,
              cuba.W_I, cuba.REFRACTORY)
    consts = {k: jnp.float32(x) for k, x in zip(names, values)}

    def step(c, k):
        v, rfr, ge, gi = c
        mask = (rfr >= k["refractory"]) * 1.
        v_new = v + k["dt"] * (((k["E_L"] - v) + (ge + gi) * mask) * (1. / k["tau_m"]))
        v_new = jnp.where(mask > 0., v_new, v)
        s = (v_new > k["V_T"]) * 1. * mask
        rfr = (rfr + k["dt"]) * (1. - s)
        v = v_new * (1. - s) + s * k["V_R"]
        ge = ge * (1. - k["dt"] / k["tau_e"]) + k["w_e"] * (s @ Ce_dense)
        gi = gi * (1. - k["dt"] / k["tau_i"]) + k["w_i"] * (s @ Ci_dense)
        return (v, rfr, ge, gi), (s, v)

    @jax.jit
    def scan(v0, k):
        z = jnp.zeros_like(v0)
        return jax.lax.scan(lambda c, _: step(c, k), (v0, z + k["refractory"], z, z), None,
                            length=steps)[1]

    return scan(v0, consts)


@pytest.mark.parametrize("capacity", [40, None])   # event-driven / every row each step
def test_the_network_is_its_equations_bit_for_bit(capacity):
    net = cuba.build(200, p_conn=0.1, seed=4, event_capacity=capacity)
    v0 = net.P.v.get()
    np.testing.assert_array_equal(v0, cuba.initial_voltages(200, 4))
    assert float(v0.min()) >= cuba.V_R and float(v0.max()) <= cuba.V_T
    Ce, Ci = np.asarray(net.Ce.dense_weights()), np.asarray(net.Ci.dense_weights())
    assert not Ce[160:].any() and not Ci[:160].any()         # E rows excite, I rows inhibit
    assert abs(Ce[:160].mean() - 0.1) < 0.01 and abs(Ci[160:].mean() - 0.1) < 0.01
    out = cuba.run(net, 600, record=[net.P.s, net.P.v])
    s_hand, v_hand = hand_written_cuba(Ce, Ci, v0, 600)
    s, v = np.asarray(out[net.P.s.path]), np.asarray(out[net.P.v.path])
    assert s.sum() > 50                                       # the network fires
    np.testing.assert_array_equal(s, np.asarray(s_hand))
    np.testing.assert_array_equal(v, np.asarray(v_hand))


def test_held_refractory_period_by_hand():
    """A cell driven hard: it fires, then v stays at v_reset (no leak, no spike) while
    rfr < refract_time; without hold_refractory v leaks towards v_rest meanwhile."""
    dt, tau, rest, reset, ref = 0.1, 20., -49., -60., 1.
    with Context("m"):
        held = LIFCell("h", 1, tau_m=tau, thr=-50., v_rest=rest, v_reset=reset,
                       refract_time=ref, tau_theta=0., hold_refractory=True)
        leaky = LIFCell("l", 1, tau_m=tau, thr=-50., v_rest=rest, v_reset=reset,
                        refract_time=ref, tau_theta=0.)
        adv = MethodProcess("a") >> held.advance_state >> leaky.advance_state
    j = jnp.full((60, 1, 1), 400.)
    out = adv.scan(60, dt=dt, clamp={held.j: j, leaky.j: j}, record=[held.v, held.s, leaky.v])
    v, s, vl = (np.asarray(out[c.path])[:, 0, 0] for c in (held.v, held.s, leaky.v))
    first = int(np.argmax(s))
    assert v[first] == reset
    # rfr restarts at 0 and grows by dt; the cell integrates again once rfr >= 1 ms
    rfr, k = np.float32(0.), first + 1
    while rfr < np.float32(ref):
        assert v[k] == reset and s[k] == 0.
        rfr, k = np.float32(rfr + np.float32(dt)), k + 1
    assert v[k] != reset
    # the same step without holding: v leaks, v' = v + dt (v_rest - v) / tau (input masked)
    assert vl[first] == reset
    np.testing.assert_allclose(vl[first + 1], reset + dt * (rest - reset) / tau, rtol=1e-6)


def test_rate_and_irregularity_match_brian2():
    ref = brian2()["cases"]["4000"]
    net = cuba.build(4000, seed=1)
    out = cuba.run(net, 10_000, record={net.P.s: "sum", net.Ce.events: None,
                                        net.Ci.events: None})
    rate = float(np.asarray(out[net.P.s.path]).sum()) / 4000 / 1.0          # Hz over 1 s
    # Brian2's mean over 5 seeds of the same network (cuba_brian2.json, case 4000)
    assert abs(rate - ref["mean_rate_hz"]) < 0.1 * ref["mean_rate_hz"], (rate, ref)
    times, cells = (np.concatenate(a) for a in zip(*(cuba.spike_times(out[s.events.path])
                                                     for s in net.synapses)))
    assert times.size == int(np.asarray(out[net.P.s.path]).sum())   # every spike listed once
    late = times >= 200.                                             # after the transient
    cv = cuba.isi_cv(times[late], cells[late]).mean()
    # irregular firing as Brian2's (same file: a CV of 0.49 over 0.2-1 s; a clock-like cell
    # would have CV ~ 0, a Poisson process 1)
    assert abs(cv - ref["mean_cv_late"]) < 0.1, (cv, ref["mean_cv_late"])


def test_lost_spikes_raise_with_their_step():
    net = cuba.build(200, p_conn=0.1, seed=4, event_capacity=2)
    net.P.v.set(jnp.full((1, 200), -49.5))      # everyone close to threshold: a volley
    with pytest.raises(EventCapacityError, match=r"SparseExponentialSynapse '(Ce|Ci)': \d+ "
                                                 r"input units fired in one step at t = "):
        cuba.run(net, 50)
    # a sweep checks every member (records carry a member axis)
    net = cuba.build(200, p_conn=0.1, seed=4, event_capacity=2)
    with pytest.raises(EventCapacityError, match=r"sweep member \d"):
        cuba.run(net, 50, sweep={net.Ce.g_syn_bar: jnp.asarray([0., 30.])})
