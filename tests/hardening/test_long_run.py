"""Long sessions: a 1,000,000-step Lab run with a Scope attached keeps memory bounded.

Runs in a fresh subprocess (so other tests' allocations do not blur the numbers) and compares
the resident set size after a 100,000-step warm-up with the size after the remaining 900,000
steps. The Scope keeps a ring buffer of ``window`` steps per trace, so memory must not grow with
the number of steps: 900,000 more steps of two float32 traces would be ~7 MB if kept, and
anything like per-chunk leaks (compiled functions, recordings, snapshots) would show up too.
"""
import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, os, time
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import numpy as np
    from ngclab import Context, MethodProcess
    from ngclab.components import RateCell
    from ngclab.lab import Lab

    def rss_mb():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.

    with Context("m") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        a.zF >> b.j
        adv = MethodProcess("adv") >> a.advance_state >> b.advance_state
    lab = Lab(ctx, adv, clamp={a.j: np.array([[1., 2.]], np.float32)}, watch=[b.z, a.zF],
              steps_per_frame=5000, window=1000, max_fps=30)
    t0 = time.perf_counter()
    assert lab.run(100_000) == 100_000
    warm = rss_mb()
    marks = []
    for _ in range(9):
        assert lab.run(100_000) == 100_000
        marks.append(rss_mb())
    print(json.dumps({"warm": warm, "marks": marks, "steps": lab.step_count,
                      "error": lab.error, "compiles": adv.compile_count,
                      "seconds": time.perf_counter() - t0,
                      "trace_len": len(lab.scope._panels["m/b:z"].ordered()[0])}))
""")


def test_a_million_steps_with_a_scope_keep_memory_bounded(hz):
    env = {**os.environ, "JAX_PLATFORMS": "cpu",
           "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=170, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    hz.counts["long_run_steps"] = res["steps"]
    assert res["steps"] == 1_000_000 and res["error"] == ""
    assert res["compiles"] == 1                       # one compiled chunk, reused 200 times
    assert res["trace_len"] == 1000                   # the scope keeps its window only
    growth = max(res["marks"]) - res["warm"]
    hz.counts["long_run_rss_growth_mb"] = round(growth, 2)
    hz.counts["long_run_seconds"] = round(res["seconds"], 1)
    # bound: 20 MB (allocator noise is a few MB; keeping every step would be >= 7 MB per trace
    # pair plus per-chunk objects, and per-chunk leaks would grow with the 180 chunks)
    assert growth < 20, res
    # and no steady climb: the last 4 marks stay within 8 MB of each other
    assert max(res["marks"][-4:]) - min(res["marks"][-4:]) < 8, res
