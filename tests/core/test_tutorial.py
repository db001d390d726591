"""The ngc-learn tutorial circuit: clamping 1..5 into a gives b.zF = 0.05, 0.15, 0.3, 0.5, 0.75.

Expected numbers from the equations: a is stateless (zF = j), Wab = 1 passes it through, and b
integrates tau_m dz/dt = j with Euler steps of dt=1, tau_m=20: z_k = sum_{i<=k} i / 20.
"""
import jax.numpy as jnp
import numpy as np

EXPECTED = [0.05, 0.15, 0.3, 0.5, 0.75]


def test_run_gives_the_tutorial_numbers(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    reset.run()
    got = []
    for ts in range(5):
        a.j.set(jnp.array([[ts + 1.]]))
        advance.run(t=float(ts), dt=1.)
        got.append(float(b.zF.get()[0, 0]))
    np.testing.assert_allclose(got, EXPECTED, rtol=1e-6)
    assert advance.compile_count == 1  # five runs, one compilation


def test_scan_gives_the_same_numbers_and_state_as_runs(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    xs = jnp.arange(1., 6.).reshape(5, 1, 1)
    reset.run()
    out = advance.scan(steps=5, t0=0., dt=1., clamp={a.j: xs}, record=[b.zF, a.zF])
    assert out["model/b:zF"].shape == (5, 1, 1)
    np.testing.assert_allclose(np.asarray(out["model/b:zF"]).ravel(), EXPECTED, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(out["model/a:zF"]).ravel(), [1, 2, 3, 4, 5])
    after_scan = {k: np.asarray(v) for k, v in ctx.state.items()}

    reset.run()
    for ts in range(5):
        a.j.set(xs[ts])
        advance.run(t=float(ts), dt=1.)
    for path, value in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(value), after_scan[path], err_msg=path)


def test_constant_clamp_and_function_of_time_clamp(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    reset.run()
    out = advance.scan(steps=4, clamp={a.j: jnp.array([[2.]])}, record=[b.zF])
    # constant input 2: z_k = 2k/20
    np.testing.assert_allclose(np.asarray(out["model/b:zF"]).ravel(), [0.1, 0.2, 0.3, 0.4], rtol=1e-6)
    reset.run()
    out = advance.scan(steps=5, t0=0., dt=1., clamp={a.j: lambda t: t + 1.}, record=[b.zF])
    # t = 0..4, so the input is 1..5 again
    np.testing.assert_allclose(np.asarray(out["model/b:zF"]).ravel(), EXPECTED, rtol=1e-6)


def test_chunked_scan_equals_one_scan(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    xs = jnp.linspace(0., 1., 23).reshape(23, 1, 1)
    reset.run()
    whole = np.asarray(advance.scan(steps=23, clamp={a.j: xs}, record=[b.zF])["model/b:zF"])
    end_whole = np.asarray(b.z.get())
    reset.run()
    chunked = advance.scan(steps=23, clamp={a.j: xs}, record=[b.zF], chunk=5)["model/b:zF"]
    np.testing.assert_array_equal(chunked, whole)
    np.testing.assert_array_equal(np.asarray(b.z.get()), end_whole)
