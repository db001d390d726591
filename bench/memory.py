"""memory: peak memory of a long chunked scan of the small circuit recording b.zF.

A fresh process runs ``adv.scan(N, chunk=K, clamp={a.j: x}, record=[b.zF])`` for N = 100k
and N = 1M and reports the growth of peak RSS over the run (after a warm-up that compiles).
Memory is bounded when the 1M run grows by no more than the 100k run plus the extra recording
(1M float32 x 10 units = 40 MB vs 4 MB) and a little slack. Reference: a hand-written chunked
jit(lax.scan) loop filling a preallocated host array, in a fresh process too.
The ``ratio:`` line is reference peak RSS / ngclab peak RSS at N = 1M (1.0: no overhead).
"""
from __future__ import annotations

import _common as C

import json
import subprocess
import sys

CHILD = r'''
import json, resource, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import jax, jax.numpy as jnp, numpy as np
import _common as C
n, steps, chunk = {n}, {steps}, {chunk}
x = jnp.ones((1, n))
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
if {ngclab}:
    ctx, a, W, b, adv = C.build_small(n)
    adv.scan(2 * chunk + 1, chunk=chunk, clamp={{a.j: x}}, record=[b.zF])  # compile both sizes
    before = rss()
    out = adv.scan(steps, chunk=chunk, clamp={{a.j: x}}, record=[b.zF])[b.zF.path]
else:
    ctx, a, W, b, adv = C.build_small(n)
    step = C.small_step_fn(W.weights.get(), W.biases.get())
    @jax.jit
    def run(zb):
        def body(zb, _):
            zb = step(zb, x, 1.)
            return zb, zb
        return jax.lax.scan(body, zb, None, length=chunk)
    zb = jnp.zeros((1, n)); run(zb)
    before = rss()
    out = np.empty((steps, 1, n), np.float32)
    for s in range(0, steps, chunk):
        zb, rec = run(zb)
        out[s:s + chunk] = np.asarray(rec)
assert out.shape == (steps, 1, n) and np.isfinite(out[-1]).all()
print(json.dumps({{"before": before, "peak": rss(), "recording": out.nbytes}}))
'''


def child(ngclab: bool, n: int, steps: int, chunk: int) -> dict:
    code = CHILD.format(root=C.ROOT, bench=C.os.path.dirname(__file__) or ".", n=n,
                        steps=steps, chunk=chunk, ngclab=ngclab)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=900)
    if res.returncode != 0:
        raise SystemExit(f"memory: child process failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    n = 10
    small, big, chunk = (1_000, 10_000, 500) if args.quick else (100_000, 1_000_000, 10_000)
    mb = lambda v: f"{v / 2**20:.1f} MB"
    r_small = child(True, n, small, chunk)
    r_big = child(True, n, big, chunk)
    ref = child(False, n, big, chunk)
    g_small = r_small["peak"] - r_small["before"]
    g_big = r_big["peak"] - r_big["before"]
    allowed = g_small + (r_big["recording"] - r_small["recording"]) + 16 * 2**20
    C.row(f"ngclab growth, {small:,} steps", f"{mb(g_small)} (recording {mb(r_small['recording'])})")
    C.row(f"ngclab growth, {big:,} steps", f"{mb(g_big)} (recording {mb(r_big['recording'])})")
    C.row(f"ngclab peak RSS, {big:,} steps", mb(r_big["peak"]))
    C.row(f"hand-written peak RSS, {big:,} steps", f"{mb(ref['peak'])} "
          f"(growth {mb(ref['peak'] - ref['before'])})")
    C.row("bounded", f"{'yes' if g_big <= allowed else 'NO'} (growth <= {mb(allowed)})")
    print(f"ratio: {ref['peak'] / r_big['peak']:.3f}")
    if g_big > allowed:
        sys.exit(1)


if __name__ == "__main__":
    main()
