"""Speech recognition from synthetic speech (bigmodels.speech): features from the formulas, the
classifier's NumPy and torch twins, the corpus plan, and the two engines when they are installed."""

from collections import Counter

import numpy as np
import pytest
import torch

from bigmodels import scratch
from bigmodels import speech as S
from bigmodels.data.sources import MissingDataError
from bigmodels.scratch.gradcheck import check_module
from bigmodels.testing import assert_close


# -- features -----------------------------------------------------------------------------------
def test_hann_window_is_torch_periodic_hann():
    assert_close(S.hann_window(256), torch.hann_window(256, periodic=True, dtype=torch.float64))


def test_power_spectrogram_equals_direct_dft_and_torch_stft():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 1000))
    P = S.power_spectrogram(x, n_fft=64, hop=24)
    frames = 1 + (1000 - 64) // 24
    assert P.shape == (2, frames, 33)
    # The DFT written as its sum: X[k] = sum_n x[n] w[n] exp(-2 pi i k n / N), one frame at a time.
    n, k = np.arange(64), np.arange(33)[:, None]
    basis = np.exp(-2j * np.pi * k * n / 64)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * n / 64)
    direct = np.array([[np.abs(basis @ (sig[m * 24:m * 24 + 64] * w)) ** 2 for m in range(frames)]
                       for sig in x])
    assert_close(P, direct)
    window = torch.hann_window(64, dtype=torch.float64)
    stft = torch.stft(torch.from_numpy(x), n_fft=64, hop_length=24, window=window, center=False,
                      return_complex=True)
    assert_close(P, stft.abs().transpose(1, 2) ** 2)


def test_mel_scale_and_filterbank_shape():
    f = np.array([0.0, 100.0, 1000.0, 4000.0])
    assert_close(S.mel_to_hz(S.hz_to_mel(f)), f)
    assert abs(S.hz_to_mel(1000.0) - 1000.0) < 0.1  # the scale is built so that 1000 Hz is about 1000 mel
    bank = S.mel_filterbank(n_mels=20, n_fft=512, sample_rate=16000, f_min=0.0)
    assert bank.shape == (20, 257)
    assert bank.min() >= 0 and bank.max() <= 1
    centres = S.mel_to_hz(np.linspace(S.hz_to_mel(0.0), S.hz_to_mel(8000.0), 22))[1:-1]
    freqs = np.arange(257) * 16000 / 512
    inside = (freqs >= centres[0]) & (freqs <= centres[-1])
    # Triangles meeting at each other's centres: between the first and last centre they sum to 1.
    assert_close(bank[:, inside].sum(axis=0), np.ones(inside.sum()))
    for j in range(20):  # each filter is largest at the bin nearest its centre, zero beyond its neighbours
        assert abs(freqs[bank[j].argmax()] - centres[j]) <= 16000 / 512
        lo = centres[j - 1] if j else 0.0
        hi = centres[j + 1] if j + 1 < 20 else 8000.0
        assert np.all(bank[j][(freqs <= lo) | (freqs >= hi)] < 1e-12)


def test_filterbank_refuses_bad_bands():
    with pytest.raises(ValueError, match="f_min, f_max"):
        S.mel_filterbank(f_min=5000.0)
    with pytest.raises(ValueError, match="fall between DFT bins"):
        S.mel_filterbank(n_mels=128, n_fft=64)


@pytest.mark.parametrize("tone", [300.0, 1000.0, 2500.0])
def test_log_mel_of_a_tone_peaks_in_the_band_holding_it(tone):
    t = np.arange(S.SAMPLE_RATE) / S.SAMPLE_RATE
    L = S.log_mel(np.sin(2 * np.pi * tone * t))
    assert L.shape == (1 + (S.CLIP - S.N_FFT) // S.HOP, S.N_MELS)
    mels = np.linspace(S.hz_to_mel(S.F_MIN), S.hz_to_mel(S.SAMPLE_RATE / 2), S.N_MELS + 2)
    centres = S.mel_to_hz(mels)[1:-1]
    assert np.all(L.argmax(axis=1) == np.abs(centres - tone).argmin())


def test_to_clip_resamples_trims_and_centres():
    rate = 16000
    t = np.arange(rate // 4) / rate
    burst = np.concatenate([np.zeros(rate // 2), np.sin(2 * np.pi * 500 * t), np.zeros(rate // 2)])
    clip, length = S.to_clip(burst, rate)
    assert clip.shape == (S.CLIP,) and length == S.SAMPLE_RATE // 4
    voiced = np.flatnonzero(clip)
    assert abs(voiced[0] - (S.CLIP - length) // 2) <= 1 and abs(np.abs(clip).max() - 0.9) < 1e-12
    spectrum = np.abs(np.fft.rfft(clip))
    assert abs(spectrum.argmax() * S.SAMPLE_RATE / S.CLIP - 500) <= 1  # the tone survived the resampling
    with pytest.raises(ValueError, match="silent"):
        S.to_clip(np.zeros(1000), rate)
    with pytest.raises(ValueError, match="longer than"):
        S.to_clip(np.sin(np.arange(2 * rate)), rate)


def test_add_noise_reaches_the_requested_snr():
    rng = np.random.default_rng(0)
    waves = np.zeros((3, S.CLIP))
    waves[:, 2000:6000] = 0.5 * np.sin(np.arange(4000) * 0.3)
    for snr in (20, 10, 0):
        noisy = S.add_noise(waves, np.full(3, 4000), snr, rng)
        noise = noisy - waves
        measured = 10 * np.log10(np.mean(waves[:, 2000:6000] ** 2) / np.mean(noise ** 2))
        assert abs(measured - snr) < 0.05
    assert np.array_equal(S.add_noise(waves, np.full(3, 4000), None, rng), waves)


def test_confusion_matrix_counts():
    counts = S.confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), n_classes=3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    with pytest.raises(ValueError, match="1-D label arrays"):
        S.confusion_matrix(np.array([0, 1]), np.array([0]))


# -- the classifier: scratch == nn == torch built-in --------------------------------------------
def builtin_twin(model):
    """torch.nn.LSTM + torch.nn.Linear holding the SpeechLSTM's weights."""
    lstm = torch.nn.LSTM(model.lstm.input_size, model.lstm.hidden_size, batch_first=True).double()
    out = torch.nn.Linear(model.out.in_features, model.out.out_features).double()
    with torch.no_grad():
        for name, p in model.named_parameters():
            module, attr = name.split(".")
            getattr({"lstm": lstm, "out": out}[module], attr).copy_(p)
    return lambda x: out(lstm(x)[0].mean(dim=1)), lstm, out


def test_speech_lstm_matches_scratch_and_builtin():
    torch.manual_seed(0)
    model = S.SpeechLSTM(n_mels=5, hidden_size=6, n_classes=4).double()
    twin = scratch.SpeechLSTM.from_torch(model)
    builtin, lstm, out = builtin_twin(model)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 7, 5))
    grad = rng.standard_normal((3, 4))
    xt, xb = torch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    logits, reference = model(xt), builtin(xb)
    (logits * torch.from_numpy(grad)).sum().backward()
    (reference * torch.from_numpy(grad)).sum().backward()
    assert_close(logits, reference)
    assert_close(twin(x), logits)
    grad_x = twin.backward(grad)
    assert_close(grad_x, xt.grad, name="dL/dx")
    assert_close(xt.grad, xb.grad, name="dL/dx built-in")
    reference_params = dict(lstm.named_parameters(prefix="lstm"))
    reference_params.update(out.named_parameters(prefix="out"))
    for name, p in model.named_parameters():
        assert_close(twin.grads[name], p.grad, name=name)
        assert_close(p.grad, reference_params[name].grad, name=f"{name} built-in")


def test_scratch_speech_lstm_gradcheck():
    twin = scratch.SpeechLSTM(n_mels=3, hidden_size=4, n_classes=3, rng=np.random.default_rng(1))
    errors = check_module(twin, (np.random.default_rng(2).standard_normal((2, 5, 3)),))
    assert max(errors.values()) < 1e-7, errors


def test_classifier_refuses_bad_input():
    with pytest.raises(ValueError, match="batch, frames, n_mels"):
        S.SpeechLSTM(n_mels=4, hidden_size=5, n_classes=3)(torch.zeros(3, 4))
    with pytest.raises(TypeError, match="float64"):
        scratch.SpeechLSTM(n_mels=4, hidden_size=5, n_classes=3)(np.zeros((2, 3, 4), dtype=np.float32))
    with pytest.raises(TypeError, match="Corpus"):
        S.features(np.zeros((2, S.CLIP)))


def test_classifier_learns_tones_apart():
    # Two "words": a low and a high tone at random phases and levels; new tones are told apart.
    from bigmodels.training import accuracy, predict

    rng = np.random.default_rng(0)
    t = np.arange(S.CLIP) / S.SAMPLE_RATE

    def tones(n):
        freq = np.where(np.arange(n) % 2 == 0, 400.0, 1600.0)
        phase = rng.uniform(0, 6, (n, 1))
        waves = rng.uniform(0.1, 1, (n, 1)) * np.sin(2 * np.pi * freq[:, None] * t + phase)
        X = S.log_mel(waves + 0.01 * rng.standard_normal(waves.shape))
        return (X - X.mean(axis=(1, 2), keepdims=True)).astype(np.float32), (freq > 1000).astype(np.int64)

    X, y = tones(64)
    model, _ = S.train_classifier(X, y, epochs=6, hidden_size=8, batch_size=16)
    X_new, y_new = tones(32)
    assert accuracy(predict(model, X_new), y_new) == 1.0


# -- the corpus and the engines -----------------------------------------------------------------
def test_corpus_plan_is_balanced():
    espeak, flite = S.corpus_plan("espeak-ng"), S.corpus_plan("flite")
    assert len(espeak) == len(S.ESPEAK_ACCENTS) * len(S.ESPEAK_VARIANTS) * len(S.WORDS) == 1386
    assert len(flite) == len(S.FLITE_VOICES) * len(S.WORDS) * 9 == 810
    for plan in (espeak, flite):
        assert set(Counter(word for word, *_ in plan).values()) == {len(plan) // len(S.WORDS)}
    pairs = Counter((speed, pitch) for _, _, speed, pitch in espeak)
    assert len(pairs) == 9 and set(pairs.values()) == {1386 // 9}
    with pytest.raises(ValueError, match="engine"):
        S.corpus_plan("say")


def test_missing_engine_names_make_data(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    for name in S.ENGINES:
        with pytest.raises(MissingDataError, match="make data"):
            S.find_engine(name)


def test_synthesize_refuses_bad_input():
    with pytest.raises(TypeError, match="Engine"):
        S.synthesize("espeak-ng", "seven", "en-us")


def engine_or_skip(name):
    try:
        return S.find_engine(name)
    except MissingDataError as error:
        pytest.skip(str(error))


@pytest.mark.parametrize("name, voice, speed, pitch",
                         [("espeak-ng", "en-us+f2", 175, 50), ("flite", "slt", 1.0, 175)])
def test_engines_speak_deterministically(name, voice, speed, pitch):
    engine = engine_or_skip(name)
    first, rate = S.synthesize(engine, "seven", voice, speed, pitch)
    again, _ = S.synthesize(engine, "seven", voice, speed, pitch)
    assert rate in (8000, 16000, 22050) and np.array_equal(first, again)
    slower, _ = S.synthesize(engine, "seven", voice, 140 if name == "espeak-ng" else 1.25, pitch)
    assert len(slower) > len(first)
    clip, length = S.to_clip(first, rate)
    assert 0.2 * S.SAMPLE_RATE < length < 0.8 * S.SAMPLE_RATE  # "seven" lasts about half a second
    with pytest.raises(ValueError, match="word"):
        S.synthesize(engine, " ", voice)


def test_espeak_variants_change_the_voice():
    # espeak-ng 1.51 ignores a variant after "en-gb" ("en-gb+f3" sounds like "en-gb"): the corpus uses "en".
    engine = engine_or_skip("espeak-ng")
    clips = [S.synthesize(engine, "seven", f"{accent}+{variant}")[0]
             for accent in S.ESPEAK_ACCENTS[:3] for variant in ("m1", "f3")]
    assert all(len(a) != len(b) or not np.array_equal(a, b) for i, a in enumerate(clips) for b in clips[:i])


def test_noisy_set_draws_snrs_per_clip():
    waves = np.zeros((4, S.CLIP), dtype=np.int16)
    waves[:, 3000:5000] = (10000 * np.sin(np.arange(2000) * 0.2)).astype(np.int16)
    corpus = S.Corpus("test", waves, np.full(4, 2000), np.arange(4), np.array(["a"] * 4), np.ones(4),
                      np.ones(4), planned=4)
    X, y = S.noisy_set(corpus, (None, 10, (5, 30)))
    assert X.shape == (12, 1 + (S.CLIP - S.N_FFT) // S.HOP, S.N_MELS) and y.tolist() == list(range(4)) * 3
    assert np.array_equal(S.noisy_set(corpus, (None, 10, (5, 30)))[0], X)  # seeded
    silence = X[:, :5].mean(axis=(1, 2))  # the frames before the word: the noise floor
    assert np.all(silence[4:8] > silence[:4] + 1)  # noise lifts the floor of the clean clips
    assert len(set(np.round(silence[8:], 3))) == 4  # four clips, four SNRs


@pytest.mark.parametrize("call, match", [
    (lambda: S.power_spectrogram(np.zeros(1000), hop=0), "hop"),
    (lambda: S.power_spectrogram("abc"), "x: expected an array"),
    (lambda: S.log_mel(np.zeros(10)), "at least n_fft"),
    (lambda: S.mel_filterbank(sample_rate=-1), "sample_rate"),
    (lambda: S.add_noise(np.zeros((2, 10)), np.array([0, 1]), 10, None), "lengths"),
    (lambda: S.add_noise(np.zeros(10), np.array([1]), 10, None), "waves"),
    (lambda: S.to_clip(np.ones(100), 0), "rate"),
    (lambda: S.confusion_matrix(np.array([0, 20]), np.array([0, 1])), "y_true"),
    (lambda: S.split_voices("espeak-ng"), "Corpus"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
