"""Spoken-word recognition from synthetic speech (chapter 6.3): two engines, log-mel features, an LSTM.

No recorded speech corpus installs offline from a package, so eighteen words (the ten digits and
eight commands) are spoken by two independent synthesizers, espeak-ng and flite, in many voices,
speeds and pitches (`synth`); log-mel spectrograms are computed from the formulas (`features`);
the book's LSTM classifies them, and the test that matters trains on one engine and tests on the
other (`model`). `python -m bigmodels.speech` synthesizes and caches the corpus (`make data`).
"""

from .features import (EPS, F_MIN, HOP, N_FFT, N_MELS, features, hann_window, hz_to_mel, log_mel,
                       mel_filterbank, mel_to_hz, noisy_set, power_spectrogram)
from .model import (TEST_SNRS, TRAIN_SNRS, SpeechLSTM, confusion_matrix, predict_words, split_voices,
                    train_classifier, train_on)
from .synth import (CLIP, ENGINES, ESPEAK_ACCENTS, ESPEAK_PITCHES, ESPEAK_SPEEDS, ESPEAK_VARIANTS, FLITE_F0,
                    FLITE_GENDER, FLITE_STRETCHES, FLITE_VOICES, HELD_OUT_VARIANTS, SAMPLE_RATE, TRIM_DB,
                    WORDS, Corpus, Engine, add_noise, corpus_plan, find_engine, load_corpus, synthesize,
                    to_clip)
