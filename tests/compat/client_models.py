"""Three models written the way ngc-learn 3.2.3's users and model zoo write them.

This file is ngc-learn client code: it imports ``ngclearn`` and ``ngcsimlib``. It runs as it is
under ngc-learn (tests/reference/compat_reference.py imports it there to write the reference
numbers), and ngclab's tests run the very same text after the one porting rule, "replace
ngclearn and ngcsimlib by ngclab" (tests/compat/compat_porting.py), so both sides execute one
model.

Everything is built with the components' DEFAULT batch size (1) and driven by mini-batches of
50: the batch follows the data, as in ngc-learn.

- PCN: a predictive coding classifier (Whittington & Bogacz 2017): rate cells z0..z3, Gaussian
  error cells e1..e3, Hebbian synapses W1..W3 learned with Adam, feedback synapses E2, E3 tied to
  the transposes, and a feedforward projection q0..q3 that initialises the latents and predicts.
- SparseCoding: Olshausen & Field (1996) on image patches: a rate cell with a Cauchy prior, a
  Gaussian error cell, a Hebbian dictionary W1 (SGD, rows renormalised) and E1 = W1^T.
- Harmonium: a restricted Boltzmann machine trained by CD-1, with a Bernoulli sampling cell
  written here as a custom ``JaxComponent``.
"""
from jax import numpy as jnp, random, jit

from ngclearn import Context, MethodProcess, Compartment, compilable
from ngclearn.components import GaussianErrorCell as ErrorCell, RateCell, HebbianSynapse, \
    DenseSynapse
from ngclearn.components.jaxComponent import JaxComponent
from ngclearn.utils.distribution_generator import DistributionGenerator as dist
from ngclearn.utils.model_utils import normalize_matrix, sigmoid
from ngclearn.utils.optim import get_opt_init_fn, get_opt_step_fn
from ngclearn.utils.metric_utils import measure_ACC
from ngclearn.utils import patch_utils


def total(x):
    return float(jnp.sum(x))


## ---------------------------------------------------------------------------------------------
## predictive coding classifier
## ---------------------------------------------------------------------------------------------
class PCN():
    """z0 -(W1)-> e1 <- z1 -(W2)-> e2 <- z2 -(W3)-> e3 <- z3 ; errors go back through E2, E3."""

    def __init__(self, dkey, in_dim, out_dim, hid1_dim=32, hid2_dim=32, T=8, dt=1., tau_m=10.,
                 act_fx="tanh", eta=0.005, name="pcn"):
        dkey, *subkeys = random.split(dkey, 12)
        self.T = T
        self.dt = dt
        wlb, wub = -0.3, 0.3
        with Context(name) as self.circuit:
            self.z0 = RateCell("z0", n_units=in_dim, tau_m=0., act_fx="identity", key=subkeys[0])
            self.z1 = RateCell("z1", n_units=hid1_dim, tau_m=tau_m, act_fx=act_fx,
                               prior=("gaussian", 0.), integration_type="euler", key=subkeys[1])
            self.e1 = ErrorCell("e1", n_units=hid1_dim)
            self.z2 = RateCell("z2", n_units=hid2_dim, tau_m=tau_m, act_fx=act_fx,
                               prior=("gaussian", 0.), integration_type="euler", key=subkeys[2])
            self.e2 = ErrorCell("e2", n_units=hid2_dim)
            self.z3 = RateCell("z3", n_units=out_dim, tau_m=0., act_fx="identity", key=subkeys[3])
            self.e3 = ErrorCell("e3", n_units=out_dim)
            ## generative (forward) synapses, Hebbian, learned with adam
            self.W1 = HebbianSynapse("W1", shape=(in_dim, hid1_dim), eta=eta,
                                     weight_init=dist.uniform(low=wlb, high=wub),
                                     bias_init=dist.constant(value=0.), w_bound=0.,
                                     optim_type="adam", sign_value=-1., key=subkeys[4])
            self.W2 = HebbianSynapse("W2", shape=(hid1_dim, hid2_dim), eta=eta,
                                     weight_init=dist.uniform(low=wlb, high=wub),
                                     bias_init=dist.constant(value=0.), w_bound=0.,
                                     optim_type="adam", sign_value=-1., key=subkeys[5])
            self.W3 = HebbianSynapse("W3", shape=(hid2_dim, out_dim), eta=eta,
                                     weight_init=dist.uniform(low=wlb, high=wub),
                                     bias_init=dist.constant(value=0.), w_bound=0.,
                                     optim_type="adam", sign_value=-1., key=subkeys[6])
            ## error (feedback) synapses, tied to the transposes before each mini-batch
            self.E2 = DenseSynapse("E2", shape=(hid2_dim, hid1_dim),
                                   weight_init=dist.uniform(low=wlb, high=wub), key=subkeys[7])
            self.E3 = DenseSynapse("E3", shape=(out_dim, hid2_dim),
                                   weight_init=dist.uniform(low=wlb, high=wub), key=subkeys[8])

            self.z0.zF >> self.W1.inputs
            self.W1.outputs >> self.e1.mu
            self.z1.z >> self.e1.target
            self.z1.zF >> self.W2.inputs
            self.W2.outputs >> self.e2.mu
            self.z2.z >> self.e2.target
            self.z2.zF >> self.W3.inputs
            self.W3.outputs >> self.e3.mu
            self.z3.z >> self.e3.target
            self.e2.dmu >> self.E2.inputs
            self.E2.outputs >> self.z1.j
            self.e1.dtarget >> self.z1.j_td
            self.e3.dmu >> self.E3.inputs
            self.E3.outputs >> self.z2.j
            self.e2.dtarget >> self.z2.j_td
            ## two-factor Hebbian statistics
            self.z0.zF >> self.W1.pre
            self.e1.dmu >> self.W1.post
            self.z1.zF >> self.W2.pre
            self.e2.dmu >> self.W2.post
            self.z2.zF >> self.W3.pre
            self.e3.dmu >> self.W3.post

            ## feedforward projection (shares W1..W3's values, copied in before use)
            self.q0 = RateCell("q0", n_units=in_dim, tau_m=0., act_fx="identity")
            self.q1 = RateCell("q1", n_units=hid1_dim, tau_m=0., act_fx=act_fx)
            self.q2 = RateCell("q2", n_units=hid2_dim, tau_m=0., act_fx=act_fx)
            self.q3 = RateCell("q3", n_units=out_dim, tau_m=0., act_fx="identity")
            self.Q1 = DenseSynapse("Q1", shape=(in_dim, hid1_dim),
                                   bias_init=dist.constant(value=0.), key=subkeys[9])
            self.Q2 = DenseSynapse("Q2", shape=(hid1_dim, hid2_dim),
                                   bias_init=dist.constant(value=0.), key=subkeys[10])
            self.Q3 = DenseSynapse("Q3", shape=(hid2_dim, out_dim),
                                   bias_init=dist.constant(value=0.), key=subkeys[0])
            self.q0.zF >> self.Q1.inputs
            self.Q1.outputs >> self.q1.j
            self.q1.zF >> self.Q2.inputs
            self.Q2.outputs >> self.q2.j
            self.q2.zF >> self.Q3.inputs
            self.Q3.outputs >> self.q3.j

            self.advance = (MethodProcess("advance")
                            >> self.E2.advance_state >> self.E3.advance_state
                            >> self.z0.advance_state >> self.z1.advance_state
                            >> self.z2.advance_state >> self.z3.advance_state
                            >> self.W1.advance_state >> self.W2.advance_state
                            >> self.W3.advance_state
                            >> self.e1.advance_state >> self.e2.advance_state
                            >> self.e3.advance_state)
            self.evolve = (MethodProcess("evolve")
                           >> self.W1.evolve >> self.W2.evolve >> self.W3.evolve)
            self.project = (MethodProcess("project")
                            >> self.q0.advance_state >> self.Q1.advance_state
                            >> self.q1.advance_state >> self.Q2.advance_state
                            >> self.q2.advance_state >> self.Q3.advance_state
                            >> self.q3.advance_state)
            self.reset = MethodProcess("reset")
            for c in (self.q0, self.q1, self.q2, self.q3, self.Q1, self.Q2, self.Q3,
                      self.z0, self.z1, self.z2, self.z3, self.e1, self.e2, self.e3,
                      self.W1, self.W2, self.W3, self.E2, self.E3):
                self.reset >> c.reset

    def predict(self, x):
        """Feedforward projection of x through the current W1..W3."""
        for Q, W in ((self.Q1, self.W1), (self.Q2, self.W2), (self.Q3, self.W3)):
            Q.weights.set(W.weights.get())
            Q.biases.set(W.biases.get())
        self.reset.run()
        self.q0.j.set(x)
        self.project.run(t=0., dt=self.dt)
        return self.q3.z.get()

    def energy(self):
        return total(self.e1.L.get()) + total(self.e2.L.get()) + total(self.e3.L.get())

    def process(self, x, y, adapt_synapses=True, trace=None):
        """Settle on (x, y) for T steps (latents start at the projection), then learn."""
        self.predict(x)
        q1, q2 = self.q1.z.get(), self.q2.z.get()
        self.E2.weights.set(self.W2.weights.get().T)
        self.E3.weights.set(self.W3.weights.get().T)
        self.reset.run()
        self.z0.j.set(x)
        self.z3.j.set(y)
        self.z1.z.set(q1)
        self.z2.z.set(q2)
        for ts in range(self.T):
            self.advance.run(t=ts * self.dt, dt=self.dt)
            if trace is not None:
                trace.append({"energy": self.energy(), "z1": total(self.z1.z.get()),
                              "z2": total(self.z2.z.get()), "e3": total(self.e3.dmu.get())})
        efe = self.energy()
        if adapt_synapses:
            self.evolve.run(t=self.T * self.dt, dt=self.dt)
        return efe


## ---------------------------------------------------------------------------------------------
## sparse coding (Olshausen & Field) on image patches
## ---------------------------------------------------------------------------------------------
class SparseCoding():
    """p(z1) Cauchy ; z1 -(W1)-> mu0 ; e0 = x - mu0 ; e0 -(E1 = W1^T)-> z1."""

    def __init__(self, dkey, in_dim, hid_dim=24, T=20, dt=1., lmbda=0.14, eta=0.01,
                 name="sc"):
        dkey, *subkeys = random.split(dkey, 4)
        self.T = T
        self.dt = dt
        with Context(name) as self.circuit:
            self.z1 = RateCell("z1", n_units=hid_dim, tau_m=20., act_fx="identity",
                               prior=("cauchy", lmbda), integration_type="euler",
                               key=subkeys[0])
            self.e0 = ErrorCell("e0", n_units=in_dim)
            self.W1 = HebbianSynapse("W1", shape=(hid_dim, in_dim), eta=eta,
                                     weight_init=dist.fan_in_gaussian(), bias_init=None,
                                     w_bound=0., optim_type="sgd", sign_value=-1.,
                                     key=subkeys[1])
            self.E1 = DenseSynapse("E1", shape=(in_dim, hid_dim),
                                   weight_init=dist.uniform(low=-0.2, high=0.2),
                                   resist_scale=1., key=subkeys[2])
            self.z1.zF >> self.W1.inputs
            self.W1.outputs >> self.e0.mu
            self.e0.dmu >> self.E1.inputs
            self.E1.outputs >> self.z1.j
            self.z1.zF >> self.W1.pre
            self.e0.dmu >> self.W1.post

            self.advance = (MethodProcess("advance")
                            >> self.W1.advance_state >> self.E1.advance_state
                            >> self.z1.advance_state >> self.e0.advance_state)
            self.reset = (MethodProcess("reset")
                          >> self.W1.reset >> self.E1.reset >> self.z1.reset >> self.e0.reset)
            self.evolve = MethodProcess("evolve") >> self.W1.evolve

    def process(self, obs, adapt_synapses=True, trace=None):
        self.E1.weights.set(jnp.transpose(self.W1.weights.get()))
        self.reset.run()
        self.e0.target.set(obs)
        for ts in range(self.T):
            self.advance.run(t=ts * self.dt, dt=self.dt)
            if trace is not None:
                trace.append({"L": total(self.e0.L.get()), "z1": total(self.z1.z.get()),
                              "z1_abs": total(jnp.abs(self.z1.z.get()))})
        if adapt_synapses:
            self.evolve.run(t=self.T * self.dt, dt=self.dt)
            self.W1.weights.set(normalize_matrix(self.W1.weights.get(), 1., order=2, axis=1))
        return self.e0.mu.get(), total(self.e0.L.get())


def make_patches(images, patch_size=(4, 4), max_patches=6, seed=1234):
    """Centred random patches of flattened square images (ngc-learn's patch utility)."""
    return patch_utils.generate_patch_set(images, patch_size=patch_size,
                                          max_patches=max_patches, center=True, seed=seed)


## ---------------------------------------------------------------------------------------------
## harmonium (RBM) with a custom sampling cell
## ---------------------------------------------------------------------------------------------
class BernoulliStochasticCell(JaxComponent):
    """p = sigmoid(inputs) ; s ~ Bernoulli(p)  (is_stoch=False passes inputs through)."""

    def __init__(self, name, n_units, is_stoch=True, batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        self.n_units = n_units
        self.is_stoch = is_stoch
        self.batch_size = batch_size
        restVals = jnp.zeros((batch_size, n_units))
        self.inputs = Compartment(restVals, display_name="Input Stimulus")
        self.p = Compartment(restVals, display_name="State Probability")
        self.s = Compartment(restVals, display_name="State Sample")

    @compilable
    def advance_state(self, dt):
        inputs = self.inputs.get()
        key, skey = random.split(self.key.get(), 2)
        states = prob = inputs
        if self.is_stoch:
            prob = sigmoid(inputs)
            states = random.bernoulli(skey, p=prob, shape=prob.shape) * 1.
        self.key.set(key)
        self.p.set(prob)
        self.s.set(states)

    @compilable
    def reset(self):
        restVals = jnp.zeros((self.batch_size, self.n_units))
        self.p.set(restVals)
        self.s.set(restVals)


@jit
def cd_updates(weights, dWpos, dWneg, post_pos, post_neg, pre_pos, pre_neg):
    """Contrastive divergence: positive minus negative statistics (as descent directions)."""
    N = post_pos.shape[0] * 1.
    dW = (dWpos - dWneg) * (1. / N)
    dhid = jnp.sum(post_pos - post_neg, axis=0, keepdims=True) * (1. / N)
    dvis = jnp.sum(pre_pos - pre_neg, axis=0, keepdims=True) * (1. / N)
    return -dW, -dhid, -dvis


class Harmonium():
    """z0 -(W1)-> z1 (positive phase) ; z1 -(E1 = W1^T)-> z0neg -(V1 = W1)-> z1neg."""

    def __init__(self, dkey, obs_dim, hid_dim=32, eta=0.05, name="rbm"):
        dkey, *subkeys = random.split(dkey, 8)
        sigma = 0.05
        with Context(name) as self.circuit:
            self.z0 = BernoulliStochasticCell("z0", n_units=obs_dim, is_stoch=False,
                                              key=subkeys[0])
            self.z1 = BernoulliStochasticCell("z1", n_units=hid_dim, key=subkeys[1])
            self.W1 = HebbianSynapse("W1", shape=(obs_dim, hid_dim), eta=0.,
                                     weight_init=dist.gaussian(mean=0., std=sigma),
                                     bias_init=dist.constant(value=0.), w_bound=0.,
                                     optim_type="sgd", sign_value=1., key=subkeys[2])
            self.z0.s >> self.W1.inputs
            self.W1.outputs >> self.z1.inputs

            self.z0neg = BernoulliStochasticCell("z0neg", n_units=obs_dim, key=subkeys[3])
            self.z1neg = BernoulliStochasticCell("z1neg", n_units=hid_dim, key=subkeys[4])
            self.E1 = DenseSynapse("E1", shape=(hid_dim, obs_dim),
                                   weight_init=dist.gaussian(mean=0., std=sigma),
                                   bias_init=dist.constant(value=0.), resist_scale=1.,
                                   key=subkeys[5])
            self.E1.weights.set(self.W1.weights.get().T)
            self.V1 = HebbianSynapse("V1", shape=(obs_dim, hid_dim), eta=0.,
                                     weight_init=dist.gaussian(mean=0., std=sigma),
                                     bias_init=dist.constant(value=0.), w_bound=0.,
                                     optim_type="sgd", sign_value=1., key=subkeys[6])
            self.V1.weights.set(self.W1.weights.get())
            self.z1.s >> self.E1.inputs
            self.E1.outputs >> self.z0neg.inputs
            self.z0neg.p >> self.V1.inputs
            self.V1.outputs >> self.z1neg.inputs

            self.z0.s >> self.W1.pre
            self.z1.p >> self.W1.post
            self.z0neg.p >> self.V1.pre
            self.z1neg.p >> self.V1.post

            self.advance_pos = (MethodProcess(name="advance_pos")
                                >> self.z0.advance_state >> self.W1.advance_state
                                >> self.z1.advance_state)
            self.advance_neg = (MethodProcess(name="advance_neg")
                                >> self.E1.advance_state >> self.z0neg.advance_state
                                >> self.V1.advance_state >> self.z1neg.advance_state)
            self.calc_update = (MethodProcess(name="calc_update")
                                >> self.W1.calc_update >> self.V1.calc_update)
            self.reset = (MethodProcess(name="reset")
                          >> self.z0.reset >> self.z1.reset >> self.z0neg.reset
                          >> self.z1neg.reset >> self.W1.reset >> self.E1.reset
                          >> self.V1.reset)

        self.opt_params = get_opt_init_fn("adam")(
            [self.W1.weights.get(), self.W1.biases.get(), self.E1.biases.get()])
        self.opt = get_opt_step_fn("adam", eta=eta)

    def init_vis_biases(self, X):
        p_v = jnp.clip(jnp.mean(X, axis=0, keepdims=True), 0.01, 0.99)
        self.E1.biases.set(jnp.log(p_v / (1. - p_v)))

    def energy(self, x):
        """Mean free-energy-like E(x, z1) with z1 sampled by the positive phase."""
        self.reset.run()
        self.z0.inputs.set(x)
        self.advance_pos.run(t=0., dt=1.)
        z1 = self.z1.s.get()
        E = -jnp.matmul(x, self.E1.biases.get().T) - jnp.matmul(z1, self.W1.biases.get().T) \
            - jnp.sum(jnp.matmul(x, self.W1.weights.get()) * z1, axis=1, keepdims=True)
        return float(jnp.mean(E))

    def process(self, x, adapt_synapses=True):
        """One CD-1 step on x; returns the reconstruction error of the negative phase."""
        self.reset.run()
        self.z0.inputs.set(x)
        self.advance_pos.run(t=0., dt=1.)
        self.advance_neg.run(t=0., dt=1.)
        recon = float(jnp.sum(jnp.square(self.z0neg.p.get() - x)) / x.shape[0])
        if adapt_synapses:
            self.calc_update.run(t=0., dt=1.)
            d_W, d_hb, d_vb = cd_updates(
                self.W1.weights.get(), self.W1.dWeights.get(), self.V1.dWeights.get(),
                self.W1.post.get(), self.V1.post.get(), self.W1.pre.get(), self.V1.pre.get())
            self.opt_params, theta = self.opt(
                self.opt_params,
                [self.W1.weights.get(), self.W1.biases.get(), self.E1.biases.get()],
                [d_W, d_hb, d_vb])
            _W, _hb, _vb = theta
            self.W1.weights.set(_W)
            self.V1.weights.set(_W)
            self.E1.weights.set(_W.T)
            self.W1.biases.set(_hb)
            self.V1.biases.set(_hb)
            self.E1.biases.set(_vb)
        return recon


## ---------------------------------------------------------------------------------------------
## the experiments: a few epochs on sklearn's 8x8 digits, mini-batches of 50
## ---------------------------------------------------------------------------------------------
def digits(n):
    """The first n of sklearn's 8x8 digits: pixels scaled to [0, 1] and one-hot labels."""
    import numpy as np
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    X = np.asarray(X[:n], dtype=np.float32) / 16.
    Y = np.eye(10, dtype=np.float32)[y[:n]]
    return jnp.asarray(X), jnp.asarray(Y)


def batches(n, batch_size):
    return [(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


def pcn_experiment(epochs=3, n_train=250, n_test=100, batch_size=50, seed=7, name="pcn"):
    X, Y = digits(n_train + n_test)
    Xtr, Ytr, Xte, Yte = X[:n_train], Y[:n_train], X[n_train:], Y[n_train:]
    model = PCN(random.PRNGKey(seed), in_dim=X.shape[1], out_dim=Y.shape[1], name=name)
    first_batch = []
    out = {"epoch_energy": [], "train_acc": [], "test_acc": []}
    for epoch in range(epochs):
        efe = 0.
        for k, (a, b) in enumerate(batches(n_train, batch_size)):
            trace = first_batch if (epoch == 0 and k == 0) else None
            efe += model.process(Xtr[a:b], Ytr[a:b], trace=trace)
            if trace is not None:
                out["W1_after_first_batch"] = total(jnp.abs(model.W1.weights.get()))
                out["W3_after_first_batch"] = total(model.W3.weights.get())
                out["b3_after_first_batch"] = total(model.W3.biases.get())
        out["epoch_energy"].append(efe)
        out["train_acc"].append(float(measure_ACC(model.predict(Xtr), Ytr)))
        out["test_acc"].append(float(measure_ACC(model.predict(Xte), Yte)))
    out["first_batch"] = first_batch
    return model, out


def sc_experiment(epochs=3, n_images=100, batch_size=50, seed=11, name="sc"):
    X, _ = digits(n_images)
    P = make_patches(X)                  # 6 patches per image, 16 pixels each
    model = SparseCoding(random.PRNGKey(seed), in_dim=P.shape[1], name=name)
    first_batch = []
    out = {"n_patches": int(P.shape[0]), "patch_sum": total(jnp.abs(P)), "epoch_L": []}
    for epoch in range(epochs):
        L = 0.
        for k, (a, b) in enumerate(batches(P.shape[0], batch_size)):
            trace = first_batch if (epoch == 0 and k == 0) else None
            _, Lk = model.process(P[a:b], trace=trace)
            L += Lk
            if trace is not None:
                out["W1_after_first_batch"] = total(model.W1.weights.get())
        out["epoch_L"].append(L)
    mu, _ = model.process(P, adapt_synapses=False)
    out["recon_mse"] = float(jnp.mean(jnp.square(mu - P)))
    out["first_batch"] = first_batch
    return model, out


def rbm_experiment(epochs=3, n_train=200, batch_size=50, seed=13, name="rbm"):
    X, _ = digits(n_train)
    X = (X > 0.5) * 1.                   # binary pixels
    model = Harmonium(random.PRNGKey(seed), obs_dim=X.shape[1], name=name)
    model.init_vis_biases(X)
    out = {"epoch_recon": [], "energy": []}
    for epoch in range(epochs):
        recon = 0.
        for k, (a, b) in enumerate(batches(n_train, batch_size)):
            recon += model.process(X[a:b])
            if epoch == 0 and k == 0:
                out["first_batch"] = {
                    "z1_p": total(model.z1.p.get()), "z1_s": total(model.z1.s.get()),
                    "z0neg_p": total(model.z0neg.p.get()), "z1neg_p": total(model.z1neg.p.get()),
                    "dW_pos": total(model.W1.dWeights.get()),
                    "dW_neg": total(model.V1.dWeights.get()),
                    "W1": total(jnp.abs(model.W1.weights.get())),
                    "E1_b": total(model.E1.biases.get())}
        out["epoch_recon"].append(recon)
        out["energy"].append(model.energy(X))
    return model, out


## ---------------------------------------------------------------------------------------------
## models saved with save_to_json and built again with Context.load
## ---------------------------------------------------------------------------------------------
PCN_NODES = ("z0", "z1", "z2", "z3", "e1", "e2", "e3", "W1", "W2", "W3", "E2", "E3",
             "q0", "q1", "q2", "q3", "Q1", "Q2", "Q3")
RBM_NODES = ("z0", "z1", "z0neg", "z1neg", "W1", "E1", "V1")


def load_pcn(directory, model_name="pcn", T=8, dt=1.):
    model = PCN.__new__(PCN)
    model.T, model.dt = T, dt
    model.circuit = Context.load(directory=directory, module_name=model_name)
    processes = model.circuit.get_objects_by_type("process")
    for name in ("advance", "evolve", "project", "reset"):
        setattr(model, name, processes.get(name))
    for name, component in zip(PCN_NODES, model.circuit.get_components(*PCN_NODES)):
        setattr(model, name, component)
    return model


def load_rbm(directory, model_name="rbm"):
    model = Harmonium.__new__(Harmonium)
    model.circuit = Context.load(directory=directory, module_name=model_name)
    processes = model.circuit.get_objects_by_type("process")
    for name in ("advance_pos", "advance_neg", "calc_update", "reset"):
        setattr(model, name, processes.get(name))
    for name, component in zip(RBM_NODES, model.circuit.get_components(*RBM_NODES)):
        setattr(model, name, component)
    return model


def unseen_digits(batch_size=50, skip=350):
    """A mini-batch none of the experiments trained or tested on."""
    X, Y = digits(skip + batch_size)
    return X[skip:], Y[skip:]


def pcn_after_load(directory, model_name="pcn"):
    return pcn_next(load_pcn(directory, model_name))


def pcn_next(model):
    """Predict and settle on unseen digits, then learn once (one evolve)."""
    x, y = unseen_digits()
    out = {"b3_before_evolve": total(model.W3.biases.get()),
           "predict": total(model.predict(x)),
           "acc": float(measure_ACC(model.predict(x), y))}
    settle = []
    out["efe"] = model.process(x, y, adapt_synapses=True, trace=settle)
    out["settle"] = settle
    out["W1_after_evolve"] = total(jnp.abs(model.W1.weights.get()))
    out["W3_after_evolve"] = total(model.W3.weights.get())
    out["b3_after_evolve"] = total(model.W3.biases.get())
    return out


def rbm_after_load(directory, model_name="rbm"):
    x, _ = unseen_digits()
    x = (x > 0.5) * 1.
    model = load_rbm(directory, model_name)
    out = {"energy": model.energy(x)}
    out["recon"] = model.process(x, adapt_synapses=False)
    out["z1neg_p"] = total(model.z1neg.p.get())
    return out
