"""RetinalGanglionCell, LatencyCell, PhasorCell, TTFSCell and ExpKernel against ngc-learn 3.2.3
(tests/reference/encoders_synapses_reference.json, written by encoders_synapses_reference.py):
every compartment after every step, float32, atol 1e-5. Where ngc-learn is broken the test says
so and pins its numbers against the equation it actually computes."""
import jax
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import ExpKernel, LatencyCell, PhasorCell, RetinalGanglionCell, TTFSCell
from tests.helpers import arr, assert_close, reference

REF = reference("encoders_synapses")


@pytest.mark.parametrize("name", sorted(REF["rgc"]))
def test_ganglion_cells_match_ngclearn(name):
    rec = REF["rgc"][name]
    with Context(name):
        c = RetinalGanglionCell("c", **rec["spec"]["kwargs"])
        adv = MethodProcess("adv") >> c.advance_state
    assert_close(c.filter.get(), rec["filter"], "filter")
    for i, step in enumerate(rec["steps"]):
        c.inputs.set(arr(step["inputs"]))
        adv.run(t=float(i), dt=1.)
        assert_close(c.outputs.get(), step["outputs"], f"step {i} outputs")


LATENCY = ("targ_sp_times", "outputs", "mask", "clip_mask", "tols")


def run_latency(rec):
    spec = rec["spec"]
    with Context(spec["name"]):
        c = LatencyCell("c", spec["n"], **spec["kwargs"])
        calc = MethodProcess("calc") >> c.calc_spike_times
        adv = MethodProcess("adv") >> c.advance_state
    c.inputs.set(arr(rec["inputs"]))
    calc.run()
    return c, adv


@pytest.mark.parametrize("name", ["latency_linear_normalized", "latency_linear_tau_first_clip"])
def test_linear_latency_matches_ngclearn(name):
    rec = REF["latency"][name]
    c, adv = run_latency(rec)
    for i, step in enumerate(rec["steps"]):
        adv.run(t=float(i), dt=1.)
        for k in LATENCY:
            assert_close(getattr(c, k).get(), step[k], f"step {i} {k}")
    assert sum(np.sum(s["outputs"]) for s in rec["steps"]) > 3  # spikes happen


@pytest.mark.parametrize("name", ["latency_log", "latency_log_normalized"])
def test_log_latency_pins_ngclearns_argument_slip(name):
    # ngc-learn 3.2.3 calls its logarithmic code with num_steps in the place of eps (and
    # normalize in the place of num_steps): it floors x at threshold + num_steps, so every
    # input in [0, 1] gets t = tau log((thr + T) / T), and never normalises
    rec = REF["latency"][name]
    kw = rec["spec"]["kwargs"]
    tau, thr, T = kw["tau"], kw["threshold"], kw.get("num_steps", 1.)
    x = np.asarray(rec["inputs"], np.float64)
    floored = np.maximum(x, thr + T)
    assert_close(rec["steps"][0]["targ_sp_times"], tau * np.log(floored / (floored - thr)))
    # ngclab: the equation with eps = 1e-7 (normalised so the latest spike is at T - 1)
    c, adv = run_latency(rec)
    # (in float32 like the state: the floored x - thr is 1e-7 only up to float32 rounding)
    f32 = np.float32
    xe = np.maximum(x.astype(f32), f32(thr) + f32(1e-7))
    want = f32(tau) * np.log(xe / (xe - f32(thr)))
    if kw.get("normalize"):
        want = want * (T - 1.) / want.max(axis=1, keepdims=True)
    assert_close(c.targ_sp_times.get(), want, "targ_sp_times", atol=1e-4)
    assert np.ptp(want) > 1.  # the inputs are told apart, unlike ngc-learn's
    fired_at = np.full(want.shape, -1.)
    for i in range(rec["spec"]["T"]):
        adv.run(t=float(i), dt=1.)
        s = np.asarray(c.outputs.get())
        fired_at[s > 0] = i
    # each unit fires once, at the first step t >= round(t_s) (times in whole ms)
    np.testing.assert_array_equal(fired_at, np.where(np.round(want) <= rec["spec"]["T"] - 1,
                                                     np.maximum(np.round(want), 0.), -1.))


@pytest.mark.parametrize("name", sorted(REF["phasor"]))
def test_phasor_matches_ngclearn_for_the_same_key(name):
    rec = REF["phasor"][name]
    spec = rec["spec"]
    with Context(name):
        c = PhasorCell("c", spec["n"], key=jax.random.PRNGKey(spec["key"]), **spec["kwargs"])
        adv = MethodProcess("adv") >> c.advance_state
        rst = MethodProcess("rst") >> c.reset
    assert_close(c.base_scale.get(), rec["init"]["base_scale"], "base_scale")
    assert np.asarray(c.key.get()).tolist() == rec["init"]["key"]
    for i, step in enumerate(rec["steps"]):
        if step["reset_before"]:
            rst.run()
        c.inputs.set(arr(step["inputs"]))
        adv.run(t=float(i) * spec["dt"], dt=spec["dt"])
        for k in ("outputs", "tols", "angles"):
            assert_close(getattr(c, k).get(), step[k], f"step {i} {k}", atol=1e-5)
        assert np.asarray(c.key.get()).tolist() == step["key"], f"step {i} key"
    assert sum(np.sum(s["outputs"]) for s in rec["steps"]) > 5


TTFS = ("outputs", "has_fired", "target_spike_times", "refractory_counter", "tols")


@pytest.mark.parametrize("name", sorted(REF["ttfs"]))
def test_ttfs_matches_ngclearn(name):
    rec = REF["ttfs"][name]
    spec = rec["spec"]
    with Context(name):
        c = TTFSCell("c", spec["n"], **spec["kwargs"])
        adv = MethodProcess("adv") >> c.advance_state
    for i, step in enumerate(rec["steps"]):
        c.inputs.set(arr(step["inputs"]))
        adv.run(t=float(i) * spec["dt"], dt=spec["dt"])
        for k in TTFS:
            got, want = np.asarray(getattr(c, k).get()), np.asarray(step[k])
            if k in ("has_fired", "target_spike_times", "refractory_counter"):
                assert got.dtype == {"has_fired": np.bool_}.get(k, np.int32), k
                np.testing.assert_array_equal(got, want, err_msg=f"step {i} {k}")
            else:
                assert_close(got, want, f"step {i} {k}")


@pytest.mark.parametrize("name", ["expkernel_t_from_dt", "expkernel_dt_half"])
def test_expkernel_matches_ngclearn_after_t0(name):
    rec = REF["expkernel"][name]
    spec = rec["spec"]
    with Context(name):
        c = ExpKernel("c", spec["n"], dt=spec["dt"], **spec["kwargs"])
        adv = MethodProcess("adv") >> c.advance_state
    for i, step in enumerate(rec["steps"]):
        c.inputs.set(arr(step["inputs"]))
        adv.run(t=spec["t0"] + float(i) * spec["dt"], dt=spec["dt"])
        assert_close(c.epsp.get(), step["epsp"], f"step {i} epsp")
        assert_close(c.tf.get(), step["tf"], f"step {i} tf")
        # the amplitudes ngclab adds: the spikes where tf holds a time
        np.testing.assert_array_equal(np.asarray(c.pulses.get()) > 0,
                                      np.asarray(step["tf"]) > 0)
    assert max(np.max(s["epsp"]) for s in rec["steps"]) > 1.


def test_expkernel_counts_a_spike_at_t0_unlike_ngclearn():
    # ngc-learn's own test: spikes at t = 0, 1, 4; it marks "no spike" by a time of 0, so its
    # epsp misses the spike at t = 0 (0 at t = 0, then exp(0) = 1 at t = 1, ...)
    rec = REF["expkernel"]["expkernel_spike_at_t0"]
    ngc = [s["epsp"][0][0] for s in rec["steps"]]
    tau, d = 500., np.exp(-1. / 500.)
    assert_close(ngc, [0., 1., d, d * d, 1. + d ** 3])
    with Context("t0"):
        c = ExpKernel("c", 1, dt=1., tau_w=tau, nu=4.)
        adv = MethodProcess("adv") >> c.advance_state
    got = []
    for i, step in enumerate(rec["steps"]):
        c.inputs.set(arr(step["inputs"]))
        adv.run(t=float(i), dt=1.)
        got.append(float(c.epsp.get()[0, 0]))
    # epsp(t) = sum over spikes t_f in the last 4 steps of exp(-(t - t_f)/tau): t = 4 no longer
    # sees the spike at 0 (window t - 3 .. t)
    assert_close(got, [1., d + 1., d ** 2 + d, d ** 3 + d ** 2, d ** 3 + 1.])
