"""Sweeps across processes: two JAX processes on this machine joined by ``jax.distributed``
(what several hosts do), each with one CPU device. The members are split over both processes'
devices, and every process gets every member's records and final state.

Expected numbers from the tutorial circuit's equations (tests.helpers.build_tutorial): with the
input 1 on two units and W = 1, after k Euler steps of dt = 1, b.z = k (2 x) / tau.
"""
import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np

SCRIPT = textwrap.dedent("""
    import json, sys
    import jax
    jax.distributed.initialize(coordinator_address=sys.argv[1], num_processes=2,
                               process_id=int(sys.argv[2]))
    import jax.numpy as jnp
    import numpy as np
    from tests.helpers import build_tutorial
    ctx, a, W, b, adv, reset = build_tutorial(n_units=2)
    taus = np.linspace(5., 40., 8)
    res = adv.scan(20, clamp={a.j: jnp.ones((1, 2))}, record=[b.z], sweep={b.tau_m: taus},
                   final=True)
    ctx.restore(res.member(5))
    print(json.dumps({"process": jax.process_index(), "devices": len(jax.devices()),
                      "local": len(jax.local_devices()),
                      "z": np.asarray(res["model/b:z"])[:, -1, 0, 0].tolist(),
                      "member5": [float(b.tau_m.get()), float(b.z.get()[0, 0])]}))
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_split_the_members_and_each_gets_them_all():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    address = f"127.0.0.1:{free_port()}"
    env = dict(os.environ, JAX_PLATFORMS="cpu",   # PYTHONPATH: to import tests.helpers
               PYTHONPATH=os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])))
    env.pop("XLA_FLAGS", None)
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, address, str(i)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for i in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
    got = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    taus = np.linspace(5., 40., 8)
    for g in got:
        assert g["devices"] == 2 and g["local"] == 1          # one device here, one there
        np.testing.assert_allclose(g["z"], 20 * 2. / taus, rtol=1e-5)   # z = k (2 x) / tau
        assert g["member5"][0] == taus[5]
        np.testing.assert_allclose(g["member5"][1], 20 * 2. / taus[5], rtol=1e-5)
    assert sorted(g["process"] for g in got) == [0, 1] and got[0]["z"] == got[1]["z"]
