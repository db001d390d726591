"""Chained calls (ngclab.core.chain): a lean run() loop records its calls and runs them together.

What a user can observe must not change: every value read, whenever it is read, is bit for bit
the value of the same loop run one compiled call per run() with every output computed (lean
mode and chaining out of reach, ``QUIET_CALLS`` huge), the program the rest of the suite checks
against the equations. The loops below set new inputs every step, read values now and then,
move a knob, set a fed-back leaf, take snapshots and run past ``CHAIN_MAX`` calls.

Circuit: a (RateCell, tau_m = 0, identity) -> W (HebbianSynapse) -> b (RateCell, tau_m = 20).
"""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Compartment, Component, Context, MethodProcess, compilable
from ngclab.components import HebbianSynapse, RateCell
from ngclab.core import chain, compiled, deferred

# chaining rests on the reference-count proof of lean mode (CPython before 3.14)
CHAINS = compiled._REUSE_SLOTS


def circuit(name, n=3, batch=1, n_out=None):
    n_out = n if n_out is None else n_out
    with Context(name) as ctx:
        a = RateCell("a", n_units=n, tau_m=0., act_fx="identity", batch_size=batch, key=2)
        W = HebbianSynapse("W", shape=(n, n_out), batch_size=batch, key=1)
        b = RateCell("b", n_units=n_out, tau_m=20., act_fx="tanh", batch_size=batch, key=3)
        a.zF >> W.inputs
        W.outputs >> b.j
        adv = MethodProcess("advance") >> a.advance_state >> W.advance_state >> b.advance_state
    return ctx, a, W, b, adv


def inputs(steps, n=3, batch=1):
    rng = np.random.default_rng(0)
    return [jnp.asarray(rng.uniform(-1., 1., (batch, n)), jnp.float32) for _ in range(steps)]


def full_mode(monkeypatch):
    monkeypatch.setattr(deferred, "QUIET_CALLS", 10 ** 9)


def final(ctx) -> dict:
    return {p.split("/", 1)[1]: np.asarray(v) for p, v in ctx.state.items()}


def assert_same(got, want):
    assert len(got) == len(want)
    for u, v in zip(got, want):
        np.testing.assert_array_equal(u, v)


def counted_resolves(monkeypatch) -> list:
    ran = []
    original = chain.Chain.resolve
    monkeypatch.setattr(chain.Chain, "resolve",
                        lambda self, record: ran.append(len(record[1])) or original(self, record))
    return ran


def loop(name, steps, event=None, n=3, batch=1, n_out=None):
    """``a.j.set(x_i); adv.run(t=i, dt=dt_i)`` per step with new x every step (dt 0.5 every
    third step, 1 otherwise); ``event(i, model)`` may read or change something before step i.
    Returns what it read, and the state."""
    ctx, a, W, b, adv = model = circuit(name, n, batch, n_out)
    xs, seen = inputs(steps, n, batch), []
    for i, x in enumerate(xs):
        if event is not None:
            got = event(i, model)
            if got is not None:
                seen.append(np.asarray(got))
        a.j.set(x)
        adv.run(t=float(i), dt=0.5 if i % 3 == 0 else 1.)
    seen.append(np.asarray(b.zF.get()))
    return seen, final(ctx), adv


def test_a_long_loop_with_new_inputs_every_step_runs_as_few_programs_bit_identical(monkeypatch):
    ran = counted_resolves(monkeypatch)
    seen, state, adv = loop("chain_long", 3 * chain.CHAIN_MAX + 7,
                            lambda i, m: m[3].z.get() if i in (40, 150) else None)
    info = compiled.describe(adv._last_run[3])
    assert info["chained"] is CHAINS
    if CHAINS:
        # records of at most CHAIN_MAX calls, cut by the two reads and the final one; one
        # program (new inputs every step) for every length
        assert all(1 <= k <= chain.CHAIN_MAX for k in ran) and len(ran) <= 8
        assert sum(ran) > 3 * chain.CHAIN_MAX - 10
        assert info["chain_compiles"] == 1
    full_mode(monkeypatch)
    want_seen, want_state, _ = loop("chain_long_ref", 3 * chain.CHAIN_MAX + 7,
                                    lambda i, m: m[3].z.get() if i in (40, 150) else None)
    assert_same(seen, want_seen)
    assert state.keys() == want_state.keys()
    for p in state:
        np.testing.assert_array_equal(state[p], want_state[p], err_msg=p)


def test_the_same_input_every_step_goes_in_once_and_stays_exact(monkeypatch):
    def run(name):
        ctx, a, W, b, adv = circuit(name)
        x = inputs(1)[0]
        for i in range(100):
            a.j.set(x)
            adv.run(t=float(i), dt=1.)
        return final(ctx), adv

    state, adv = run("chain_same")
    if CHAINS:
        varies = list(adv._last_run[3]._chain._programs)
        assert varies == [(False,)]          # the input: one array for the whole record
    full_mode(monkeypatch)
    want, _ = run("chain_same_ref")
    for p in state:
        np.testing.assert_array_equal(state[p], want[p], err_msg=p)


def test_a_knob_moved_and_a_state_set_between_runs_are_read_from_their_step(monkeypatch):
    # b.z big enough (300 x 16) to go in and out on its own: fed back inside the chained
    # program; a's leaves (300 x 2) stay in the packed vector
    def event(i, m):
        ctx, a, W, b, adv = m
        if i == 30:
            b.tau_m.set(5.)
        if i == 60:
            b.z.set(jnp.full(b.z.shape, 0.25))
        if i == 61:
            return b.z.get()

    seen, state, adv = loop("chain_set", 120, event, n=2, batch=300, n_out=16)
    if CHAINS:
        assert adv._last_run[3]._chain.fed_back == ["chain_set/b:z"]
    full_mode(monkeypatch)
    want_seen, want_state, _ = loop("chain_set_ref", 120, event, n=2, batch=300,
                                     n_out=16)
    assert_same(seen, want_seen)
    for p in state:
        np.testing.assert_array_equal(state[p], want_state[p], err_msg=p)


def test_a_snapshot_taken_mid_record_restores_the_values_of_its_time(monkeypatch):
    def run(name):
        ctx, a, W, b, adv = circuit(name)
        xs = inputs(40)
        for i in range(20):
            a.j.set(xs[i])
            adv.run(t=float(i), dt=1.)
        snap = ctx.snapshot()
        for i in range(20, 40):
            a.j.set(xs[i])
            adv.run(t=float(i), dt=1.)
        later = final(ctx)
        ctx.restore(snap)
        return final(ctx), later

    then, later = run("chain_snap")
    full_mode(monkeypatch)
    want_then, want_later = run("chain_snap_ref")
    for p in then:
        np.testing.assert_array_equal(then[p], want_then[p], err_msg=p)
        np.testing.assert_array_equal(later[p], want_later[p], err_msg=p)
    assert not np.array_equal(then["b:z"], later["b:z"])


def test_reading_an_output_every_step_turns_chaining_off_and_stays_exact(monkeypatch):
    ran = counted_resolves(monkeypatch)
    seen, state, adv = loop("chain_reads", 80, lambda i, m: m[3].zF.get())
    if CHAINS:
        assert len(ran) < 20                 # chaining went off after a few one-call records
    full_mode(monkeypatch)
    want_seen, want_state, _ = loop("chain_reads_ref", 80, lambda i, m: m[3].zF.get())
    assert_same(seen, want_seen)
    for p in state:
        np.testing.assert_array_equal(state[p], want_state[p], err_msg=p)


class Beeper(Component):
    """Leaky counter that reports each step through a debug callback (an effect)."""

    def __init__(self, name, heard, **kwargs):
        super().__init__(name, **kwargs)
        self.heard = heard
        self.x = Compartment(jnp.zeros(()), kind="input")
        self.total = Compartment(jnp.zeros(()), kind="state")
        self.seen = Compartment(jnp.zeros(()), kind="output")

    @compilable
    def advance_state(self, dt):
        jax.debug.callback(lambda: self.heard.append(1))
        self.total.set(self.total.get() * 0.5 + self.x.get() * dt)
        self.seen.set(self.total.get() + 1.)


def test_a_step_with_an_effect_is_never_chained():
    heard = []
    with Context("chain_effect"):
        b = Beeper("b", heard)
        adv = MethodProcess("advance") >> b.advance_state
    for i in range(30):
        b.x.set(jnp.float32(i))
        adv.run(dt=1.)
        if i % 10 == 9:       # reading an output (deferred, were the step lean) calls nothing
            b.seen.get()
    jax.effects_barrier()
    assert len(heard) == 30
    assert compiled.describe(adv._last_run[3])["chained"] is False


@pytest.mark.parametrize("steps", [1, 2, chain.CHAIN_MAX, chain.CHAIN_MAX + 1])
def test_records_of_every_length_give_the_per_call_values(monkeypatch, steps):
    # the warm-up makes the step lean; then exactly ``steps`` calls are recorded and read
    total = deferred.QUIET_CALLS + 2 + steps

    def run(name):
        ctx, a, W, b, adv = circuit(name)
        xs = inputs(total)
        for i, x in enumerate(xs):
            a.j.set(x)
            adv.run(t=float(i), dt=1.)
        return final(ctx)

    got = run(f"chain_len{steps}")
    full_mode(monkeypatch)
    want = run(f"chain_len{steps}_ref")
    for p in got:
        np.testing.assert_array_equal(got[p], want[p], err_msg=p)


def test_a_record_of_big_changing_inputs_runs_before_it_holds_too_many_bytes(monkeypatch):
    # x is 1 x 3 float32, 12 bytes a call: a budget of 100 bytes holds 1 + 8 calls (the first
    # call's inputs are the record's own), so no record is longer than 9
    monkeypatch.setattr(chain, "HELD_MAX", 100)
    ran = counted_resolves(monkeypatch)
    seen, state, adv = loop("chain_held", 60)
    if CHAINS:
        assert ran and max(ran) == 9
    full_mode(monkeypatch)
    want_seen, want_state, _ = loop("chain_held_ref", 60)
    assert_same(seen, want_seen)
    for p in state:
        np.testing.assert_array_equal(state[p], want_state[p], err_msg=p)


def test_records_with_the_same_or_other_keyword_numbers_read_the_per_call_values(monkeypatch):
    # the keyword rows of a record go to the device once and are reused while the next record
    # gives the same (Chain.resolve); records of the same dt, a new dt, the old one again, a
    # dt changing inside a record, zeros of both signs: each read is the per-call value
    dts = [[1.] * 5, [1.] * 5, [.5] * 5, [1.] * 5, [1., 1., 2., 1., 1.], [1.] * 5, [0.] * 5,
           [-0.] * 5, [1.] * 5, [1.] * 5]

    def run(name):
        ctx, a, W, b, adv = circuit(name)
        xs, seen = inputs(50), []
        for i, x in enumerate(xs):
            a.j.set(x)
            adv.run(t=float(i), dt=dts[i // 5][i % 5])
            if i % 5 == 4:
                seen.append(np.asarray(b.z.get()))
        return seen, final(ctx), adv

    ran = counted_resolves(monkeypatch)
    seen, state, adv = run("chain_rows")
    if CHAINS:
        assert len(ran) >= 8 and adv._last_run[3]._chain.compiles == 1
    full_mode(monkeypatch)
    want_seen, want_state, _ = run("chain_rows_ref")
    assert_same(seen, want_seen)
    for p in state:
        np.testing.assert_array_equal(state[p], want_state[p], err_msg=p)
