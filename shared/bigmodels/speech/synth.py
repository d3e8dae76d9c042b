"""The two speech synthesizers and the corpus of spoken words they make (bigmodels.speech).

- espeak-ng: formant synthesis (rules that shape resonances), with accents (en-us, en, en-029, ...)
  and voice variants (+m1..+m7, +f1..+f4), speed in words per minute, pitch 0..99;
- flite: CMU's Festival-lite, recorded-speech voices (kal, kal16: diphone concatenation of one
  speaker; awb, rms, slt: statistical parametric voices trained on three speakers' recordings).

Each is found as a system binary, else as the copy `make data` unpacks without root from the
Debian packages (tools/fetch_debian.py); neither present raises MissingDataError. Synthesis is
deterministic for one engine version: the corpus is made once and cached under the data dir with
the engine's version in the cache key. Every clip is resampled to 8 kHz (the telephone band:
flite's kal voice has no more), trimmed to its voiced part and centred in a one-second window.
"""

import concurrent.futures
import dataclasses
import hashlib
import math
import os
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from ..validate import check_choice, check_float_array, check_number, check_positive_int, check_rng, describe
from ..data.datasets import debian_path
from ..data.sources import MissingDataError, cached_arrays, data_dir

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "yes", "no", "up", "down", "left", "right", "stop", "go")
SAMPLE_RATE = 8000  # Hz, every clip
CLIP = SAMPLE_RATE  # samples: a one-second window
TRIM_DB = -40.0  # a clip keeps its 10 ms frames within 40 dB of the loudest one


# The corpus. espeak-ng: every accent with every variant is one voice (77 voices); flite: its
# five English voices (awb_time speaks only clock times). Speeds and pitches in each engine's units.
# "en" is British English: espeak-ng 1.51 ignores a variant after "en-gb" ("en-gb+f3" = "en-gb"),
# and its "en-us-nyc" speaks like "en-us"; both are left out.
ESPEAK_ACCENTS = ("en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029")
ESPEAK_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4")
ESPEAK_SPEEDS = (140, 175, 220)  # words per minute (espeak-ng -s; 175 is its default)
ESPEAK_PITCHES = (30, 50, 70)  # espeak-ng -p, 0..99 (50 is its default)
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")
FLITE_STRETCHES = (1.25, 1.0, 0.8)  # duration_stretch: > 1 is slower
FLITE_F0 = {"male": (90, 110, 130), "female": (150, 175, 200)}  # int_f0_target_mean in Hz (rms ignores it)
FLITE_GENDER = {"kal": "male", "kal16": "male", "awb": "male", "rms": "male", "slt": "female"}
HELD_OUT_VARIANTS = ("m6", "m7", "f3", "f4")  # espeak-ng voices never heard in training

ENGINES = {
    # name: (binary, Debian packages that hold it and the libraries it loads)
    "espeak-ng": ("espeak-ng", ("espeak-ng", "libespeak-ng1", "espeak-ng-data", "libpcaudio0", "libsonic0")),
    "flite": ("flite", ("flite", "libflite1")),
}


# -- the engines ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Engine:
    """A runnable synthesizer: its command, the environment it needs, and its version (cache key)."""

    name: str
    binary: Path
    env: dict
    version: str


def _package_version(package, fetched):
    """The Debian version of a package fetched by `make data` (its stamp file) or installed system-wide;
    '' if there is none (an engine installed some other way: its --version line is the key)."""
    stamp = data_dir() / "debian" / "packages" / f"{package}.deb-unpacked"
    if fetched and stamp.is_file():  # holds the .deb's file name: <package>_<version>_<arch>.deb
        return stamp.read_text().strip().split("_")[1]
    if not fetched and shutil.which("dpkg-query"):
        done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""
    return ""


def find_engine(name):
    """The engine `name` ('espeak-ng' or 'flite'): system binary, else the copy `make data` fetched.

    Raises MissingDataError (saying how to get it) when neither is there or the binary does not run.
    """
    check_choice(name, "engine", tuple(ENGINES))
    binary, packages = ENGINES[name]
    env = dict(os.environ)
    found = shutil.which(binary)
    fetched = found is None
    if fetched:
        local = debian_path(Path("/usr/bin") / binary)
        if local.is_file():
            found = str(local)
            root = local.parents[2]  # .../root/usr/bin/espeak-ng -> .../root
            libs = sorted({str(p.parent) for p in root.glob("usr/lib/*/lib*.so*")})  # usr/lib/<multiarch>
            old = [env["LD_LIBRARY_PATH"]] if env.get("LD_LIBRARY_PATH") else []
            env["LD_LIBRARY_PATH"] = os.pathsep.join(libs + old)
            data = list(root.glob("usr/lib/*/espeak-ng-data"))
            if data:
                env["ESPEAK_DATA_PATH"] = str(data[0])
    how = (f"`make data` fetches it without root on Debian/Ubuntu (Debian packages {' '.join(packages)}), "
           f"or install {binary} with your system's package manager")
    if found is None:
        raise MissingDataError(f"the speech synthesizer {binary} is missing: {how}")
    done = subprocess.run([found, "--version"], capture_output=True, text=True, env=env)  # flite exits 1
    lines = [line for line in done.stdout.splitlines()
             if "version" in line.lower() or "text-to-speech" in line]
    if not lines:
        raise MissingDataError(f"{found} does not run ({done.stderr.strip()[-300:]}): {how}")
    line = lines[0]
    version = line.split("Data at:")[0].strip()  # espeak-ng also prints its data folder
    return Engine(name, Path(found), env, f"{version} {_package_version(packages[0], fetched)}".strip())


def _read_wav(path):
    """(samples float64 in [-1, 1), sample rate) of a 16-bit mono WAV file."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono audio, got {w.getsampwidth() * 8}-bit "
                             f"with {w.getnchannels()} channels")
        rate, frames = w.getframerate(), w.readframes(w.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768, rate


def synthesize(engine, word, voice, speed=None, pitch=None):
    """Speak `word` with one voice of an Engine; returns (samples float64, sample rate of the engine).

    espeak-ng: voice like 'en-us+m3', speed in words per minute, pitch 0..99.
    flite: voice like 'slt', speed as duration_stretch (> 1 slower), pitch as the mean F0 in Hz.
    None keeps the engine's default.
    """
    if not isinstance(engine, Engine):
        raise TypeError(f"engine: expected an Engine from find_engine(), got {describe(engine)}")
    for name, text in (("word", word), ("voice", voice)):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{name}: expected a non-empty string, got {text!r}")
    for name, value in (("speed", speed), ("pitch", pitch)):
        if value is not None:
            check_number(value, name, low=0, low_open=True, finite=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "word.wav"
        if engine.name == "espeak-ng":
            cmd = [str(engine.binary), "-v", voice, "-w", str(out)]
            cmd += ["-s", str(speed)] if speed is not None else []
            cmd += ["-p", str(pitch)] if pitch is not None else []
            cmd += ["--", word]
        else:
            cmd = [str(engine.binary), "-voice", voice, "-o", str(out)]
            cmd += ["--setf", f"duration_stretch={speed}"] if speed is not None else []
            cmd += ["--setf", f"int_f0_target_mean={pitch}"] if pitch is not None else []
            cmd += ["-t", word]
        done = subprocess.run(cmd, capture_output=True, text=True, env=engine.env)
        if done.returncode != 0 or not out.is_file():
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.strip()[-300:]}")
        return _read_wav(out)


def to_clip(samples, rate, threshold_db=TRIM_DB):
    """Resample to SAMPLE_RATE, trim to the frames within threshold_db of the loudest 10 ms frame,
    scale to peak 0.9 and centre in a one-second window. Returns (clip float64 (CLIP,), voiced length)."""
    check_float_array(samples, "samples", ndim=1)
    check_positive_int(rate, "rate")
    g = math.gcd(SAMPLE_RATE, int(rate))
    x = resample_poly(samples, SAMPLE_RATE // g, int(rate) // g) if rate != SAMPLE_RATE else samples
    frame = SAMPLE_RATE // 100
    energy = np.array([np.mean(x[i:i + frame] ** 2) for i in range(0, len(x) - frame + 1, frame)])
    if energy.size == 0 or energy.max() == 0:
        raise ValueError(f"samples: expected audible speech, got {describe(samples)} that is silent "
                         "or too short")
    loud = np.flatnonzero(energy >= energy.max() * 10 ** (threshold_db / 10))
    x = x[loud[0] * frame:(loud[-1] + 1) * frame]
    if len(x) > CLIP:
        raise ValueError(f"samples: the voiced part lasts {len(x) / SAMPLE_RATE:.2f} s, longer than the "
                         f"{CLIP / SAMPLE_RATE:.0f} s window")
    clip = np.zeros(CLIP)
    start = (CLIP - len(x)) // 2
    clip[start:start + len(x)] = 0.9 * x / np.max(np.abs(x))
    return clip, len(x)


# -- the corpus -------------------------------------------------------------------------------
def corpus_plan(engine_name):
    """Every utterance of one engine: a list of (word, voice, speed, pitch), in a fixed order.

    espeak-ng: each of the 77 voices says each word once; the 9 (speed, pitch) pairs take turns
    (pair (voice index + word index) mod 9), so every pair occurs equally often. flite: each of the
    5 voices says each word at all 9 pairs.
    """
    check_choice(engine_name, "engine", tuple(ENGINES))
    plan = []
    if engine_name == "espeak-ng":
        pairs = [(s, p) for s in ESPEAK_SPEEDS for p in ESPEAK_PITCHES]
        voices = [f"{a}+{v}" for a in ESPEAK_ACCENTS for v in ESPEAK_VARIANTS]
        for i, voice in enumerate(voices):
            for j, word in enumerate(WORDS):
                plan.append((word, voice, *pairs[(i + j) % len(pairs)]))
    else:
        for voice in FLITE_VOICES:
            for word in WORDS:
                for s in FLITE_STRETCHES:
                    for p in FLITE_F0[FLITE_GENDER[voice]]:
                        plan.append((word, voice, s, p))
    return plan


def _build(engine, workers):
    plan = corpus_plan(engine.name)

    def one(item):
        word, voice, speed, pitch = item
        return to_clip(*synthesize(engine, word, voice, speed, pitch))

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        clips = list(pool.map(one, plan))
    waves = np.stack([c for c, _ in clips])
    # A voice that ignores a setting (flite's rms keeps its own pitch) gives identical clips: keep one.
    _, first = np.unique(waves, axis=0, return_index=True)
    keep = np.sort(first)
    return {
        "waves": np.round(waves[keep] * 32767).astype(np.int16),
        "lengths": np.array([clips[i][1] for i in keep], dtype=np.int64),
        "word": np.array([WORDS.index(plan[i][0]) for i in keep], dtype=np.int64),
        "voice": np.array([plan[i][1] for i in keep]),
        "speed": np.array([plan[i][2] for i in keep], dtype=np.float64),
        "pitch": np.array([plan[i][3] for i in keep], dtype=np.float64),
        "planned": np.array(len(plan)),
    }


@dataclasses.dataclass
class Corpus:
    """Clips of one engine: waves int16 (n, CLIP) at SAMPLE_RATE, voiced lengths, labels and voices."""

    engine: str
    waves: np.ndarray
    lengths: np.ndarray
    word: np.ndarray
    voice: np.ndarray
    speed: np.ndarray
    pitch: np.ndarray
    planned: int

    def __len__(self):
        return len(self.word)

    def subset(self, mask):
        """The clips where the boolean mask (n,) is True."""
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (len(self),):
            raise ValueError(f"mask: expected a boolean array of shape ({len(self)},), got {describe(mask)}")
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return Corpus(**{k: v[mask] if isinstance(v, np.ndarray) else v for k, v in fields.items()})


def load_corpus(engine_name, workers=None):
    """The clips of one engine ('espeak-ng' or 'flite'), synthesized on first use and then cached.

    The cache key holds the engine's version and the corpus plan: another version re-synthesizes.
    """
    engine = find_engine(engine_name)
    plan = repr((corpus_plan(engine_name), SAMPLE_RATE, TRIM_DB, engine.version))
    version = hashlib.sha256(plan.encode()).hexdigest()[:16]
    workers = min(4, os.cpu_count() or 1) if workers is None else check_positive_int(workers, "workers")
    key = "speech_" + engine_name.replace("-", "")
    arrays = cached_arrays(key, f"v1_{version}", lambda: _build(engine, workers))
    return Corpus(engine_name, **{k: v for k, v in arrays.items() if k != "planned"},
                  planned=int(arrays["planned"]))


def add_noise(waves, lengths, snr_db, rng):
    """waves (n, CLIP) plus white Gaussian noise at snr_db below each clip's voiced power; float64.

    SNR = 10 log10(mean voiced x^2 / noise variance); snr_db is one number or one per clip (n,);
    None returns the clean float clips.
    """
    waves = np.asarray(waves)
    if waves.ndim != 2 or waves.dtype.kind not in "if":
        raise ValueError(f"waves: expected a 2-D array of clips (int16 or float), got {describe(waves)}")
    x = waves.astype(np.float64) / (32768 if waves.dtype == np.int16 else 1)
    if snr_db is None:
        return x
    lengths = np.asarray(lengths)
    if lengths.shape != (len(x),) or lengths.dtype.kind not in "iu" or np.any(lengths <= 0):
        raise ValueError(f"lengths: expected {len(x)} positive voiced lengths, got {describe(lengths)}")
    rng = check_rng(rng)
    power = np.sum(x ** 2, axis=1) / lengths
    sigma = np.sqrt(power / 10 ** (np.asarray(snr_db, dtype=np.float64) / 10))
    return x + sigma[:, None] * rng.standard_normal(x.shape)
