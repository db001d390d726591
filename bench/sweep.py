"""sweep: ensembles (``scan(..., sweep=...)``) against hand-written jax.vmap(lax.scan) and loops.

1. The tutorial circuit a -> W -> b, 64 values of b.tau_m, recording b.zF every step:
   ``adv.scan(T, clamp={a.j: x}, record=[b.zF], sweep={b.tau_m: taus})`` against one jax.jit
   around ``jax.vmap`` of a ``lax.scan`` of the same math (target >= 0.8), and against 64
   sequential ngclab scans, one per tau (target: never slower, >= 1), at 10 units x 2,000 steps;
   the ratio to sequential scans also at 20,000 steps and at 100 units.
2. The predictive-coding circuit of ``pcn.py`` (batch 64, 784 <- 256, T = 20 steps per batch)
   trained on 4 batches with 8 learning rates at once: a JointProcess (reset, 20 x advance,
   evolve) scanned over the batches with ``sweep={W.eta: etas}``, against one jax.jit around
   ``jax.vmap`` over eta of the hand-written training loop (target >= 0.8).
3. Forced host devices (a subprocess each, ``XLA_FLAGS=--xla_force_host_platform_device_count=N``
   set before jax starts, N = 2 and 4): the tutorial sweep's records equal this process's
   single-device ones, and the speed-up of a sweep split over the N devices against the same
   sweep on one of them (no target: it depends on free cores).

The ``ratio:`` line is the smaller of the two ratios against hand-written JAX (1. and 2.),
each reference time / ngclab time (higher is better; 1.0 is as fast as hand-written JAX).
"""
from __future__ import annotations

import _common as C

import json
import os
import subprocess
import sys
import textwrap
import warnings

import jax
import jax.numpy as jnp
import numpy as np

MEMBERS, PCN_ETAS, PCN_BATCHES = 64, 8, 4


# -- 1. the tutorial circuit --------------------------------------------------------------------
def tutorial_sweep(n: int, steps: int, members: int):
    """(ngclab sweep, hand-written vmap, sequential ngclab scans): functions returning the
    records (members, steps, 1, n) on the host."""
    ctx, a, W, b, adv = C.build_small(n)
    x = jax.random.uniform(jax.random.PRNGKey(0), (1, n))
    taus = np.linspace(5., 50., members)
    start = ctx.snapshot()

    def sweep():
        return adv.scan(steps, clamp={a.j: x}, record=[b.zF], sweep={b.tau_m: taus})[b.zF.path]

    weights, biases = W.weights.get(), W.biases.get()

    @jax.jit
    def vmapped(taus, x):
        def one(tau):
            step = C.small_step_fn(weights, biases, tau)

            def body(zb, _):
                zb = step(zb, x, 1.)
                return zb, zb
            return jax.lax.scan(body, jnp.zeros((1, n)), None, length=steps)[1]
        return jax.vmap(one)(taus)

    taus32 = jnp.asarray(taus, jnp.float32)

    def hand():
        return np.asarray(vmapped(taus32, x))   # on the host, as the sweep's records are

    def sequential():
        out = []
        for tau in taus:
            ctx.restore(start)
            b.tau_m.set(float(tau))
            out.append(np.asarray(adv.scan(steps, clamp={a.j: x}, record=[b.zF])[b.zF.path]))
        ctx.restore(start)
        return np.stack(out)

    return sweep, hand, sequential


def tutorial_case(n: int, steps: int, members: int, repeats: int, with_hand: bool) -> dict:
    sweep, hand, sequential = tutorial_sweep(n, steps, members)
    fns = {"sweep": sweep, "sequential": sequential}
    if with_hand:
        fns["jax"] = hand
    want = hand()
    for name, fn in fns.items():   # also compiles each
        C.check_close(f"tutorial {name} (n={n}, T={steps})", fn(), want, atol=1e-4)
    return C.interleaved(fns, repeats)


# -- 2. the predictive-coding circuit ---------------------------------------------------------
def pcn_sweep(n_z: int, n_x: int, batch: int, steps: int, etas: np.ndarray, data):
    """(ngclab sweep, hand-written vmap): functions returning each eta's trained weights."""
    import pcn
    from ngclab.core import JointProcess
    ctx, z, W, e, E, adv, evolve, reset = pcn.build(n_z, n_x, batch, float(etas[0]))
    with ctx:
        train = JointProcess("train") >> reset   # one batch: reset, `steps` steps, one update
        for _ in range(steps):
            train >> adv
        train >> evolve

    def sweep():
        return train.scan(len(data), clamp={e.target: data}, record={W.weights: "last"},
                          sweep={W.eta: etas})[W.weights.path]

    w0, ew = W.weights.get(), E.weights.get()

    def train_one(eta, w, xs):
        sample = pcn.hand_sample(steps, eta)
        return jax.lax.scan(lambda w, x: (sample(w, ew, x), None), w, xs)[0]

    vmapped = jax.jit(jax.vmap(train_one, in_axes=(0, None, None)))
    etas32 = jnp.asarray(etas, jnp.float32)

    def hand():
        return np.asarray(vmapped(etas32, w0, data))

    return sweep, hand


# -- 3. forced host devices -------------------------------------------------------------------
DEVICE_SCRIPT = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, sys.argv[1])
    import _common as C
    import jax
    import numpy as np
    from sweep import tutorial_sweep
    n, steps, members, big_n, big_steps, repeats = map(int, sys.argv[2:8])
    sweep, _, _ = tutorial_sweep(n, steps, members)
    np.save(sys.argv[8], sweep())
    ctx, a, W, b, adv = C.build_small(big_n)
    x = jax.random.uniform(jax.random.PRNGKey(0), (1, big_n))
    taus = np.linspace(5., 50., members)
    def on(devices):
        return lambda: adv.scan(big_steps, clamp={a.j: x}, record={b.zF: "mean"},
                                sweep={b.tau_m: taus}, devices=devices)[b.zF.path]
    fns = {"all": on(None), "one": on(jax.devices()[:1])}
    same = bool(np.array_equal(fns["all"](), fns["one"]()))
    best = C.interleaved(fns, repeats)
    print(json.dumps({"devices": len(jax.devices()), "same": same, **best}))
""")


def forced_devices(count: int, n: int, steps: int, members: int, big: tuple, repeats: int,
                   out_file: str) -> dict:
    env = dict(os.environ, JAX_PLATFORMS="cpu",
               XLA_FLAGS=f"--xla_force_host_platform_device_count={count}")
    res = subprocess.run([sys.executable, "-c", DEVICE_SCRIPT, os.path.dirname(__file__),
                          *map(str, (n, steps, members, *big, repeats)), out_file],
                         capture_output=True, text=True, env=env, timeout=1800)
    if res.returncode != 0:
        raise SystemExit(f"sweep: the {count}-device subprocess failed:\n{res.stderr[-2000:]}")
    got = json.loads(res.stdout.strip().splitlines()[-1])
    if got["devices"] != count:
        raise SystemExit(f"sweep: asked for {count} host devices, JAX saw {got['devices']}")
    return got


def main() -> None:
    warnings.filterwarnings("ignore", message=".*sees the previous step's value")  # pcn's loop
    args = C.parse_args(__doc__.splitlines()[0])
    quick = args.quick
    n, steps, members, repeats = (10, 200, 8, 2) if quick else (10, 2_000, MEMBERS, 7)
    longer, wider = (1_000, 40) if quick else (20_000, 100)

    best = tutorial_case(n, steps, members, repeats, with_hand=True)
    tut_ratio = best["jax"] / best["sweep"]
    C.row(f"tutorial, {members} taus", f"{n} units x {steps:,} steps, recording b.zF")
    C.row("  ngclab sweep", f"{best['sweep'] * 1e3:.2f} ms")
    C.row("  hand-written vmap(lax.scan)", f"{best['jax'] * 1e3:.2f} ms")
    C.row("  sequential ngclab scans", f"{best['sequential'] * 1e3:.2f} ms")
    C.row("  vs hand-written (target >= 0.8)", f"{tut_ratio:.3f}")
    C.row("  vs sequential (target >= 1)", f"{best['sequential'] / best['sweep']:.2f}")
    for label, (nn, tt) in ((f"{longer:,} steps", (n, longer)), (f"{wider} units", (wider, steps))):
        b2 = tutorial_case(nn, tt, members, max(2, repeats // 2), with_hand=False)
        C.row(f"  vs sequential at {label}", f"{b2['sequential'] / b2['sweep']:.2f}  (sweep "
                                            f"{b2['sweep'] * 1e3:.1f} ms, sequential "
                                            f"{b2['sequential'] * 1e3:.1f} ms)")

    if quick:
        n_z, n_x, batch, t_pcn, pcn_repeats = 16, 32, 4, 3, 2
    else:
        n_z, n_x, batch, t_pcn, pcn_repeats = 256, 784, 64, 20, 3
    etas = np.linspace(2e-4, 2e-3, PCN_ETAS)
    data = jax.random.uniform(jax.random.PRNGKey(0), (PCN_BATCHES, batch, n_x))
    sweep, hand = pcn_sweep(n_z, n_x, batch, t_pcn, etas, data)
    C.check_close("pcn sweep", sweep(), hand(), atol=1e-4)   # also compiles both
    pbest = C.interleaved({"sweep": sweep, "jax": hand}, pcn_repeats)
    pcn_ratio = pbest["jax"] / pbest["sweep"]
    C.row(f"pcn, {PCN_ETAS} etas", f"{PCN_BATCHES} batches of {batch} x {t_pcn} steps, "
                                   f"{n_x} <- {n_z}")
    C.row("  ngclab sweep", f"{pbest['sweep'] * 1e3:.1f} ms")
    C.row("  hand-written vmap", f"{pbest['jax'] * 1e3:.1f} ms")
    C.row("  vs hand-written (target >= 0.8)", f"{pcn_ratio:.3f}")

    one_device = tutorial_sweep(n, steps, members)[0]()
    big = (10, 2_000) if quick else (100, 20_000)
    out_file = os.path.join(C.ROOT, "bench", f".sweep_devices_{os.getpid()}.npy")
    for count in ((2,) if quick else (2, 4)):
        try:
            got = forced_devices(count, n, steps, members, big, max(2, repeats // 2), out_file)
            theirs = np.load(out_file)
        finally:
            if os.path.exists(out_file):
                os.remove(out_file)
        C.check_close(f"{count} devices", theirs, one_device, atol=0.)
        C.row(f"{count} forced host devices", f"records equal one device's: "
                                              f"{bool(np.array_equal(theirs, one_device))}")
        C.row(f"  {members} members, {big[0]} units x {big[1]:,} steps",
              f"{got['one'] * 1e3:.0f} ms on one device, {got['all'] * 1e3:.0f} ms on "
              f"{count}: speed-up x{got['one'] / got['all']:.2f} (sharded == one device: "
              f"{got['same']})")
    print(f"ratio: {min(tut_ratio, pcn_ratio):.3f}")


if __name__ == "__main__":
    main()
