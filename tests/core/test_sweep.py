"""Sweeps: many members in one compiled program, member i equal to a plain scan of its values.

Expected numbers from the equations of the tutorial circuit (a passes j through, W = 1 over two
units, b integrates tau dz/dt = j by Euler steps of dt = 1): with a constant input x, after k
steps b.z = k (2 x) / tau; and every member equals a plain scan run with its own values.
"""
import json
import os
import subprocess
import sys
import textwrap

import jax.numpy as jnp
import numpy as np
import pytest

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import LIFCell, PoissonCell
from tests.helpers import build_tutorial


@pytest.fixture
def tut():
    return build_tutorial(n_units=2)


def test_a_knob_sweep_equals_plain_scans_and_leaves_the_model_alone(tut):
    ctx, a, W, b, adv, reset = tut
    taus = np.array([5., 10., 20., 40.])
    before = {p: np.asarray(v) for p, v in ctx.state.items()}
    res = adv.scan(10, clamp={a.j: jnp.ones((1, 2))}, record=[b.z, b.zF], sweep={b.tau_m: taus},
                   final=True)
    assert res["model/b:z"].shape == (4, 10, 1, 2) and res.members == 4
    np.testing.assert_allclose(res["model/b:z"][:, -1, 0, 0], 10 * 2. / taus, rtol=1e-5)
    for p, v in ctx.state.items():                          # the model's own state: unchanged
        np.testing.assert_array_equal(np.asarray(v), before[p], err_msg=p)
    start = ctx.snapshot()
    for i, tau in enumerate(taus):
        ctx.restore(start)
        b.tau_m.set(tau)
        plain = adv.scan(10, clamp={a.j: jnp.ones((1, 2))}, record=[b.z, b.zF])
        for p in plain:
            np.testing.assert_array_equal(res[p][i], np.asarray(plain[p]), err_msg=p)
    ctx.restore(res.member(1))                               # member 1 becomes the model
    assert float(b.tau_m.get()) == 10.
    np.testing.assert_allclose(np.asarray(b.z.get()), 2., rtol=1e-5)


def test_clamp_sweeps_chunks_and_reductions(tut):
    ctx, a, W, b, adv, reset = tut
    xs = jnp.arange(1., 4.).reshape(3, 1, 1) * jnp.ones((3, 1, 2))      # a constant per member
    whole = adv.scan(6, record=[b.z], sweep={a.j: xs})
    chunked = adv.scan(6, record={b.z: "mean", b.zF: None}, sweep={a.j: xs}, chunk=4)
    np.testing.assert_array_equal(chunked["model/b:zF"], whole["model/b:z"])   # identity act
    k = np.arange(1, 7)
    for m, x in enumerate((1., 2., 3.)):                      # mean over steps of k 2x / 20
        np.testing.assert_allclose(whole["model/b:z"][m, :, 0, 0], k * 2 * x / 20., rtol=1e-5)
        np.testing.assert_allclose(chunked["model/b:z"][m, 0, 0], np.mean(k * 2 * x / 20.),
                                   rtol=1e-5)
    seqs = jnp.stack([jnp.ones((6, 1, 2)), 2 * jnp.ones((6, 1, 2))])       # a sequence per member
    out = adv.scan(6, record=[b.z], sweep={a.j: seqs})
    np.testing.assert_allclose(out["model/b:z"][:, -1, 0, 0], [6 * 2 / 20., 6 * 4 / 20.], rtol=1e-5)


def test_a_grid_is_the_cartesian_product(tut):
    ctx, a, W, b, adv, reset = tut
    g = ngclab.grid({b.tau_m: [5., 10.], a.output_scale: [1., 2., 3.]})
    assert g.shape == (2, 3) and len(g[b.tau_m]) == 6
    res = adv.scan(4, clamp={a.j: jnp.ones((1, 2))}, record=[b.z], sweep=g)
    z = res.unflatten("model/b:z")[:, :, -1, 0, 0]           # z = 4 * 2 * scale / tau
    want = 4 * 2 * np.array([1., 2., 3.])[None, :] / np.array([5., 10.])[:, None]
    np.testing.assert_allclose(z, want, rtol=1e-5)


def test_seeds_give_reproducible_members_with_their_own_keys():
    with Context("sd"):
        p = PoissonCell("p", n_units=20, target_freq=300.)
        lif = LIFCell("lif", n_units=20, tau_m=10., resist_m=10.)
        p.outputs >> lif.j
        adv = MethodProcess("adv") >> p.advance_state >> lif.advance_state
    ones = jnp.ones((1, 20))
    r1 = adv.scan(50, clamp={p.inputs: ones}, record={p.outputs: "sum"}, sweep={"seed": 4})
    r2 = adv.scan(50, clamp={p.inputs: ones}, record={p.outputs: "sum"}, sweep={"seed": 4})
    counts = r1["sd/p:outputs"]
    np.testing.assert_array_equal(counts, r2["sd/p:outputs"])         # reproducible
    assert len({c.tobytes() for c in counts}) == 4                      # members differ
    # 300 Hz for 50 ms steps of 1 ms: about 15 spikes per unit (Poisson mean)
    assert 10 < counts.mean() < 20


@pytest.mark.parametrize("sweep, message", [
    ("lengths", r"sweep value lists differ in length: sd2/b:tau_m: 2, sd2/a:output_scale: 3"),
    ("not_a_knob", r"cannot sweep over 3: a sweep key is a knob"),
    ("bounds", r"sd2/b:tau_m: value -1.0 is below its lower bound"),
    ("both", r"sd2/a:j is both clamped and swept"),
])
def test_bad_sweeps_are_refused_before_anything_runs(sweep, message):
    ctx, a, W, b, adv, reset = build_tutorial("sd2", n_units=2)
    spec = {"lengths": {b.tau_m: [1., 2.], a.output_scale: [1., 2., 3.]},
            "not_a_knob": {3: [1., 2.]},
            "bounds": {b.tau_m: [1., -1.]},
            "both": {a.j: jnp.ones((2, 1, 2))}}[sweep]
    with pytest.raises(ValueError, match=message):
        adv.scan(3, clamp={a.j: jnp.ones((1, 2))}, sweep=spec)
    assert adv.compile_count == 0


def test_forced_host_devices_give_the_single_device_numbers(tmp_path):
    """Four host devices (XLA_FLAGS, set before jax starts, hence a subprocess): the members are
    sharded over a mesh, and the numbers equal one device's; 6 members over 4 is refused."""
    script = textwrap.dedent("""
        import json
        import jax, jax.numpy as jnp, numpy as np
        from tests.helpers import build_tutorial
        ctx, a, W, b, adv, reset = build_tutorial(n_units=2)
        taus = np.linspace(5., 40., 8)
        many = adv.scan(20, clamp={a.j: jnp.ones((1, 2))}, record=[b.z], sweep={b.tau_m: taus})
        one = adv.scan(20, clamp={a.j: jnp.ones((1, 2))}, record=[b.z], sweep={b.tau_m: taus},
                       devices=jax.devices()[:1])
        try:
            adv.scan(5, sweep={b.tau_m: taus[:6]})
            refused = ""
        except ValueError as err:
            refused = str(err)
        print(json.dumps({"devices": len(jax.devices()), "refused": refused,
                          "same": bool(np.array_equal(many["model/b:z"], one["model/b:z"]))}))
    """)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4",
               JAX_PLATFORMS="cpu",   # PYTHONPATH: to import tests.helpers
               PYTHONPATH=os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True,
                         text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["devices"] == 4 and got["same"]
    assert "6 sweep members cannot be split evenly over 4 devices" in got["refused"]
