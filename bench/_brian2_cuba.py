"""Brian2's CUBA example (examples/CUBA.py), timed; run by bench/cuba.py with a Python that has
Brian2 (its own virtual environment), never imported by ngclab.

    python _brian2_cuba.py N STEPS SEED [P_CONN]   -> one JSON line on stdout

Prints {"n", "steps", "seconds", "spikes", "target"}: the wall time of ``run()`` for STEPS steps
of 0.1 ms with the cython target, after a 10 ms run that compiles the code (not timed; the network is
then restored to t = 0), and the number of spikes in the timed run. The connection
probability defaults to 80 / N (2% at 4,000).
"""
import json
import sys
import time

from brian2 import (NeuronGroup, Network, SpikeMonitor, Synapses, defaultclock, mV, ms, prefs,
                    seed as brian_seed)


def build(n: int, p: float, seed: int):
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
    P.ge = 0 * mV
    P.gi = 0 * mV
    Ce = Synapses(P, P, on_pre="ge += we", namespace=ns)
    Ci = Synapses(P, P, on_pre="gi += wi", namespace=ns)
    n_exc = int(round(0.8 * n))
    Ce.connect(f"i<{n_exc}", p=p)
    Ci.connect(f"i>={n_exc}", p=p)
    spikes = SpikeMonitor(P)
    return Network(P, Ce, Ci, spikes), spikes


def main() -> None:
    n, steps, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    p = float(sys.argv[4]) if len(sys.argv) > 4 else 80. / n
    prefs.codegen.target = "cython"
    defaultclock.dt = 0.1 * ms
    net, spikes = build(n, p, seed)
    net.store()
    net.run(10 * ms)                      # compiles (or loads the cached extension modules)
    net.restore()                         # back to t = 0 and the same initial state
    t0 = time.perf_counter()
    net.run(steps * 0.1 * ms)
    seconds = time.perf_counter() - t0
    print(json.dumps({"n": n, "steps": steps, "seconds": seconds, "spikes": int(spikes.num_spikes),
                      "target": "cython"}))


if __name__ == "__main__":
    main()
