"""compile: time to first result in a new process, and recompilations caused by knob changes.

ngclab: a fresh Python process imports ngclab, builds the tutorial circuit and runs one step
(``adv.run``) and one 100-step scan; we time import and build+first results. Reference: a fresh
process doing the same math by hand (jax.jit step + jax.jit(lax.scan)). Then, in this process,
100 knob changes (b.tau_m, W.eta), each followed by run() and scan(): target 0 compilations.
The ``ratio:`` line is reference time-to-first-result / ngclab time-to-first-result.
"""
from __future__ import annotations

import _common as C

import json
import subprocess
import sys

import jax

CHILD_NGCLAB = r'''
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import jax, jax.numpy as jnp
import ngclab.core, ngclab.components.neurons.graded.rateCell, \
    ngclab.components.synapses.hebbian.hebbianSynapse
t1 = time.perf_counter()
import _common as C
ctx, a, W, b, adv = C.build_small({n})
a.j.set(jnp.ones((1, {n})))
adv.run(t=0., dt=1.)
jax.block_until_ready(b.zF.get())
t2 = time.perf_counter()
out = adv.scan({steps}, clamp={{a.j: jnp.ones((1, {n}))}}, record=[b.zF])
jax.block_until_ready(out)
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "first_run": t2 - t1, "first_scan": t3 - t2}}))
'''

CHILD_HAND = r'''
import json, time
t0 = time.perf_counter()
import jax, jax.numpy as jnp
t1 = time.perf_counter()
n, steps = {n}, {steps}
W = jax.random.uniform(jax.random.PRNGKey(1), (n, n), minval=0.025, maxval=0.8)
bias = jnp.zeros((1, n)); x = jnp.ones((1, n))
step = jax.jit(lambda zb, x, dt: zb + dt * (x @ W + bias) / 20.)
zb = step(jnp.zeros((1, n)), x, 1.)
jax.block_until_ready(zb)
t2 = time.perf_counter()
@jax.jit
def scan(zb):
    def body(zb, _):
        zb = zb + (x @ W + bias) / 20.
        return zb, zb
    return jax.lax.scan(body, zb, None, length=steps)[1]
jax.block_until_ready(scan(zb))
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "first_run": t2 - t1, "first_scan": t3 - t2}}))
'''


def child(code: str) -> dict:
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600)
    if res.returncode != 0:
        raise SystemExit(f"compile: child process failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def knob_recompiles(changes: int) -> int:
    ctx, a, W, b, adv = C.build_small(10)
    x = jax.numpy.ones((1, 10))
    a.j.set(x)
    adv.run(t=0., dt=1.)
    adv.scan(10, clamp={a.j: x}, record=[b.zF])
    before = adv.compile_count
    for i in range(changes):
        b.tau_m.set(10. + i)
        W.eta.set(0.001 * i)
        adv.run(t=float(i), dt=1.)
        adv.scan(10, clamp={a.j: x}, record=[b.zF])
    return adv.compile_count - before


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    n, steps, changes, repeats = (10, 10, 5, 1) if args.quick else (10, 100, 100, 3)
    fill = dict(root=C.ROOT, bench=C.os.path.dirname(__file__) or ".", n=n, steps=steps)
    ours = min((child(CHILD_NGCLAB.format(**fill)) for _ in range(repeats)),
               key=lambda r: r["first_run"] + r["first_scan"])
    ref = min((child(CHILD_HAND.format(**fill)) for _ in range(repeats)),
              key=lambda r: r["first_run"] + r["first_scan"])
    recompiles = knob_recompiles(changes)
    for label, r in (("ngclab", ours), ("hand-written jax", ref)):
        C.row(f"{label}: import", f"{r['import'] * 1e3:.0f} ms")
        C.row(f"{label}: build + first run()", f"{r['first_run'] * 1e3:.0f} ms")
        C.row(f"{label}: first scan({steps})", f"{r['first_scan'] * 1e3:.0f} ms")
    C.row(f"recompiles after {changes} knob changes", f"{recompiles} (target 0)")
    if recompiles:
        print(f"FAIL: knob changes recompiled {recompiles} times")
    first = lambda r: r["first_run"] + r["first_scan"]
    print(f"ratio: {first(ref) / first(ours):.3f}")
    if recompiles:
        sys.exit(1)


if __name__ == "__main__":
    main()
