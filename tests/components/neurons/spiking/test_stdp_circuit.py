"""A spiking convolutional circuit learns by trace STDP:

    PoissonCell z0 (8x8 maps, 2 channels) -> TraceSTDPConvSynapse W (3x3x2x2, SAME) -> LIFCell z1
    VarTrace tr0 on z0's spikes (W.preTrace), VarTrace tr1 on z1's spikes (W.postTrace)

Channel 0 of the image is a bright 4x4 square (its pixels fire at 200 Hz), channel 1 is dark.
STDP predicts: filter taps from channel 0, whose spikes precede and cause z1's spikes, are
potentiated (A_plus (z_pre - x_tar) s_post outweighs A_minus s_pre z_post); taps from the
silent channel 1 are depressed by exactly eta * A_plus * x_tar per post-synaptic spike they
reach (the pre-synaptic disconnect term, z_pre = 0). The whole filter change is also checked
against the rule summed over the recorded spike trains and traces with numpy.
"""
import numpy as np

from ngclab import Context, MethodProcess
from ngclab.components.input_encoders import PoissonCell
from ngclab.components.neurons.spiking import LIFCell
from ngclab.components.other import VarTrace
from ngclab.components.synapses.convolution import TraceSTDPConvSynapse
from ngclab.utils.distribution_generator import DistributionGenerator as DG

A_PLUS, A_MINUS, ETA, X_TAR, T = 1.0, 0.1, 0.002, 0.1, 200


def build():
    with Context("stdp") as ctx:
        z0 = PoissonCell("z0", 1, shape=(8, 8, 2), target_freq=200., key=1)
        W = TraceSTDPConvSynapse("W", (3, 3, 2, 2), (8, 8), A_plus=A_PLUS, A_minus=A_MINUS,
                                 eta=ETA, pretrace_target=X_TAR, padding="SAME",
                                 resist_scale=25., filter_init=DG.uniform(0.2, 0.4), key=2)
        z1 = LIFCell("z1", 1, shape=(8, 8, 2), tau_m=10., refract_time=2., key=3)
        tr0 = VarTrace("tr0", 1, shape=(8, 8, 2), tau_tr=10., a_delta=0.)
        tr1 = VarTrace("tr1", 1, shape=(8, 8, 2), tau_tr=10., a_delta=0.)
        z0.outputs >> W.inputs
        z0.outputs >> W.preSpike
        z0.outputs >> tr0.inputs
        tr0.outputs >> W.preTrace
        W.outputs >> z1.j
        z1.s >> W.postSpike
        z1.s >> tr1.inputs
        tr1.outputs >> W.postTrace
        step = (MethodProcess("step") >> z0.advance_state >> W.advance_state >> z1.advance_state
                >> tr0.advance_state >> tr1.advance_state >> W.evolve)
    return ctx, z0, W, z1, tr0, tr1, step


def correlate(x, g):
    """sum_{t, p, q} xpad[t, p + a, q + b, i] g[t, p, q, o] for a 3x3 SAME (pad 1) conv."""
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1), (0, 0)))  # (T, 1, 10, 10, C)
    out = np.zeros((3, 3, x.shape[-1], g.shape[-1]))
    for a in range(3):
        for b in range(3):
            out[a, b] = np.einsum("tnpqi,tnpqo->io", xp[:, :, a:a + 8, b:b + 8], g)
    return out


def test_stdp_potentiates_co_firing_taps_and_disconnects_silent_ones():
    ctx, z0, W, z1, tr0, tr1, step = build()
    image = np.zeros((1, 8, 8, 2), np.float32)
    image[0, 2:6, 2:6, 0] = 1.
    z0.inputs.set(image)
    K0 = np.asarray(W.weights.get(), np.float64)
    rec = step.scan(T, dt=1., record=[z0.outputs, tr0.outputs, z1.s, tr1.outputs])
    dK = np.asarray(W.weights.get(), np.float64) - K0
    pre_s, pre_z = np.asarray(rec[z0.outputs.path]), np.asarray(rec[tr0.outputs.path])
    post_s, post_z = np.asarray(rec[z1.s.path]), np.asarray(rec[tr1.outputs.path])

    # the circuit is alive: the square fires, the dark channel never does, z1 responds near it
    assert pre_s[..., 0].sum() > 300 and pre_s[..., 1].sum() == 0
    assert post_s.sum() > 30
    rows, cols = np.nonzero(post_s.sum(axis=(0, 1, 4)))
    assert rows.min() >= 1 and rows.max() <= 6 and cols.min() >= 1 and cols.max() <= 6

    # co-firing pre (channel 0) -> every tap potentiated; LTP outweighs LTD there
    ltp = A_PLUS * correlate(pre_z - X_TAR, post_s)
    ltd = A_MINUS * correlate(pre_s, post_z)
    assert np.all(dK[:, :, 0, :] > 0.)
    assert np.all(ltp[:, :, 0, :] > ltd[:, :, 0, :])

    # silent pre (channel 1): dK = -eta * A_plus * x_tar * (post spikes each tap reaches)
    reach = correlate(np.ones_like(pre_z), post_s)[:, :, 1, :]
    assert np.all(reach > 0)
    np.testing.assert_allclose(dK[:, :, 1, :], -ETA * A_PLUS * X_TAR * reach, rtol=1e-4,
                               atol=1e-6)

    # the whole change is the STDP rule summed over the recorded trains (eta * sum_t dW_t)
    np.testing.assert_allclose(dK, ETA * (ltp - ltd), rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(np.asarray(W.dWeights.get()),
                               (A_PLUS * correlate(pre_z[-1:] - X_TAR, post_s[-1:])
                                - A_MINUS * correlate(pre_s[-1:], post_z[-1:])), atol=1e-5)


def test_without_post_spikes_the_filters_do_not_change():
    # resist_scale 0: z1 never fires, so LTP = A_plus (z_pre - x_tar) s_post = 0 and
    # LTD = A_minus s_pre z_post = 0 (the post trace stays 0)
    ctx, z0, W, z1, tr0, tr1, step = build()
    W.resist_scale.set(0.)
    image = np.zeros((1, 8, 8, 2), np.float32)
    image[0, 2:6, 2:6, 0] = 1.
    z0.inputs.set(image)
    K0 = np.asarray(W.weights.get())
    rec = step.scan(50, dt=1., record=[z1.s])
    assert np.asarray(rec[z1.s.path]).sum() == 0
    np.testing.assert_array_equal(np.asarray(W.weights.get()), K0)
