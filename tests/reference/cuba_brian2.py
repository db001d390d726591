"""Brian2 reference numbers of the CUBA network (Brian2's examples/CUBA.py) for tests/cuba.

Run with a Python that has Brian2 (a Python 3.12 virtual environment with brian2 2.10 and
numpy < 2.3):

    python tests/reference/cuba_brian2.py      -> tests/reference/cuba_brian2.json

For N = 4,000 cells (2% connectivity) and N = 1,000 (8%: the same 80 expected inputs per cell),
1 s of network time at dt = 0.1 ms, cython target, seeds 1..5: the spike count, the mean firing
rate (Hz) and the mean coefficient of variation of the inter-spike intervals over the cells
with at least 3 spikes, of the whole second and of 0.2-1 s (after the start-up transient).
"""
import json
import os
import sys

import numpy as np
from brian2 import (NeuronGroup, Network, SpikeMonitor, Synapses, defaultclock, mV, ms, prefs,
                    second, seed as brian_seed)
import brian2

SEEDS = (1, 2, 3, 4, 5)
SIZES = (1000, 4000)
TRANSIENT = 0.2   # s


def network(n: int, seed: int):
    brian_seed(seed)
    ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV, Vr=-60 * mV, El=-49 * mV,
              we=(60 * 0.27 / 10) * mV, wi=(-20 * 4.5 / 10) * mV)
    eqs = """
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = NeuronGroup(n, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms,
                    method="exact", namespace=ns)
    P.v = "Vr + rand() * (Vt - Vr)"
    Ce = Synapses(P, P, on_pre="ge += we", namespace=ns)
    Ci = Synapses(P, P, on_pre="gi += wi", namespace=ns)
    Ce.connect(f"i<{int(0.8 * n)}", p=80. / n)
    Ci.connect(f"i>={int(0.8 * n)}", p=80. / n)
    mon = SpikeMonitor(P)
    return Network(P, Ce, Ci, mon), mon


def isi_cv(times: np.ndarray, cells: np.ndarray, min_spikes: int = 3) -> float:
    cvs = []
    for c in np.unique(cells):
        t = np.sort(times[cells == c])
        if t.size >= min_spikes:
            isi = np.diff(t)
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs))


def main() -> None:
    prefs.codegen.target = "cython"
    defaultclock.dt = 0.1 * ms
    cases = {}
    for n in SIZES:
        runs = []
        for s in SEEDS:
            net, mon = network(n, s)
            net.run(1 * second)
            t, i = np.asarray(mon.t / second), np.asarray(mon.i)
            late = t >= TRANSIENT
            runs.append({"seed": s, "spikes": int(t.size), "rate_hz": t.size / n,
                         "cv": isi_cv(t, i), "rate_late_hz": late.sum() / n / (1 - TRANSIENT),
                         "cv_late": isi_cv(t[late], i[late])})
        cases[str(n)] = {
            "runs": runs,
            "mean_rate_hz": float(np.mean([r["rate_hz"] for r in runs])),
            "mean_rate_late_hz": float(np.mean([r["rate_late_hz"] for r in runs])),
            "mean_cv": float(np.mean([r["cv"] for r in runs])),
            "mean_cv_late": float(np.mean([r["cv_late"] for r in runs]))}
    out = {"brian2": brian2.__version__, "target": "cython", "dt_ms": 0.1, "duration_s": 1.0,
           "in_degree": 80, "transient_s": TRANSIENT, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cuba_brian2.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps({n: {k: v for k, v in c.items() if k != "runs"} for n, c in cases.items()}),
          file=sys.stderr)


if __name__ == "__main__":
    main()
