"""Log-mel spectrograms from the formulas in NumPy: Hann-windowed frames, DFT power, mel filters, log.

    frames     x_m[n] = x[m * hop + n] * w[n],   w[n] = 0.5 - 0.5 cos(2 pi n / N)   (periodic Hann)
    power      P[m, k] = |sum_n x_m[n] exp(-2 pi i k n / N)|^2,   k = 0..N/2
    mel scale  mel(f) = 2595 log10(1 + f / 700)
    filters    F[j, k] = triangle rising from mel centre j-1 to j, falling to j+1 (height 1)
    log-mel    L[m, j] = log(sum_k F[j, k] P[m, k] + eps)

tests/test_speech.py checks them against torch.stft and a DFT written as its sum.
"""

import numpy as np

from ..validate import check_number, check_positive_int, describe
from .synth import SAMPLE_RATE, Corpus, add_noise

N_FFT, HOP, N_MELS, F_MIN = 256, 128, 32, 50.0  # 32 ms frames every 16 ms, 32 mel bands from 50 Hz
EPS = 1e-6


def hann_window(n):
    """Periodic Hann window w[k] = 0.5 - 0.5 cos(2 pi k / n), k = 0..n-1 (torch.hann_window's default)."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(check_positive_int(n, "n")) / n)


def power_spectrogram(x, n_fft=N_FFT, hop=HOP):
    """|DFT of Hann-windowed frames|^2: x (..., samples) -> (..., frames, n_fft // 2 + 1).

    Frames start every hop samples and are not padded: frames = 1 + (samples - n_fft) // hop.
    """
    check_positive_int(n_fft, "n_fft")
    check_positive_int(hop, "hop")
    if not hasattr(x, "shape") or np.asarray(x).dtype.kind not in "iuf":
        raise TypeError(f"x: expected an array of samples, got {describe(x)}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 1 or x.shape[-1] < n_fft:
        raise ValueError(f"x: expected signals of at least n_fft={n_fft} samples, got shape {x.shape}")
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft, axis=-1)[..., ::hop, :]
    return np.abs(np.fft.rfft(frames * hann_window(n_fft), axis=-1)) ** 2


def hz_to_mel(f):
    """mel(f) = 2595 log10(1 + f / 700) (the HTK formula)."""
    return 2595 * np.log10(1 + np.asarray(f, dtype=np.float64) / 700)


def mel_to_hz(m):
    """The inverse: f = 700 (10^(m / 2595) - 1)."""
    return 700 * (10 ** (np.asarray(m, dtype=np.float64) / 2595) - 1)


def mel_filterbank(n_mels=N_MELS, n_fft=N_FFT, sample_rate=SAMPLE_RATE, f_min=F_MIN, f_max=None):
    """(n_mels, n_fft // 2 + 1) triangles, equally spaced in mel, height 1 at their centres.

    Filter j rises linearly from centre j-1 to centre j and falls to centre j+1 (centres 0 and
    n_mels + 1 are f_min and f_max), evaluated at the DFT bin frequencies k * sample_rate / n_fft.
    """
    check_positive_int(n_fft, "n_fft")
    check_number(sample_rate, "sample_rate", low=0, low_open=True, finite=True)
    check_number(f_min, "f_min")
    f_max = sample_rate / 2 if f_max is None else check_number(f_max, "f_max")
    if not 0 <= f_min < f_max <= sample_rate / 2:
        raise ValueError(f"f_min, f_max: expected 0 <= f_min < f_max <= sample_rate / 2 = {sample_rate / 2}, "
                         f"got {f_min}, {f_max}")
    n_mels = check_positive_int(n_mels, "n_mels")
    centres = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    freqs = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lo, mid, hi = centres[:-2, None], centres[1:-1, None], centres[2:, None]
    rising, falling = (freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)
    bank = np.maximum(0, np.minimum(rising, falling))
    if np.any(bank.max(axis=1) == 0):
        raise ValueError(f"n_mels={n_mels}: some filters fall between DFT bins (n_fft={n_fft}); "
                         "use fewer mels")
    return bank


def log_mel(x, n_fft=N_FFT, hop=HOP, n_mels=N_MELS, sample_rate=SAMPLE_RATE, f_min=F_MIN):
    """log(mel filterbank @ power spectrogram + EPS): x (..., samples) -> (..., frames, n_mels)."""
    bank = mel_filterbank(n_mels, n_fft, sample_rate, f_min)
    return np.log(power_spectrogram(x, n_fft, hop) @ bank.T + EPS)


def features(corpus, snr_db=None, seed=0):
    """Classifier input of a Corpus: log-mel frames float32 (n, frames, n_mels), each band's mean over
    the clip subtracted (cepstral mean normalisation: removes a fixed gain or channel colouring)."""
    if not isinstance(corpus, Corpus):
        raise TypeError(f"corpus: expected a Corpus from load_corpus(), got {describe(corpus)}")
    L = log_mel(add_noise(corpus.waves, corpus.lengths, snr_db, np.random.default_rng(seed)))
    return (L - L.mean(axis=1, keepdims=True)).astype(np.float32)


def noisy_set(corpus, snrs=(None, 20, 10), seed=0):
    """(X, y) stacking the corpus's features at every SNR in snrs: None is clean, a number an SNR in dB,
    a pair (low, high) an SNR drawn for each clip uniformly in [low, high] dB. Seeded by seed."""
    X = []
    for i, snr in enumerate(snrs):
        if isinstance(snr, tuple):
            snr = np.random.default_rng([seed, i]).uniform(snr[0], snr[1], len(corpus))
        X.append(features(corpus, snr, seed + i))
    return np.concatenate(X), np.tile(corpus.word, len(snrs))
