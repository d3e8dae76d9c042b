"""Published parameter counts of landmark neural networks, one row per model.

Every count is the figure the cited paper itself states (`citation` is a key of book/references.bib);
`year` is the year that paper (or its first arXiv version) appeared. Counts are rounded as the
papers round them, e.g. GPT-3's "175 billion". Only dense models are listed: a sparse
mixture-of-experts count is not comparable with a dense one.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Landmark:
    name: str
    year: int
    parameters: int
    citation: str
    note: str = ""


LANDMARKS = (
    Landmark("LeNet-5", 1998, 60_000, "lecun1998gradient", "60,000 trainable parameters"),
    Landmark("AlexNet", 2012, 60_000_000, "krizhevsky2012imagenet", "60 million parameters"),
    Landmark("VGG-16", 2014, 138_000_000, "simonyan2014very", "configuration D, Table 2"),
    Landmark("Transformer (base)", 2017, 65_000_000, "vaswani2017attention", "Table 3"),
    Landmark("Transformer (big)", 2017, 213_000_000, "vaswani2017attention", "Table 3"),
    Landmark("BERT-large", 2018, 340_000_000, "devlin2019bert", "340M"),
    Landmark("GPT-2", 2019, 1_542_000_000, "radford2019language", "1542M, Table 2"),
    Landmark("T5-11B", 2019, 11_000_000_000, "raffel2020exploring", "11 billion"),
    Landmark("GPT-3", 2020, 175_000_000_000, "brown2020language", "175 billion"),
    Landmark("PaLM", 2022, 540_000_000_000, "chowdhery2022palm", "540 billion"),
    Landmark("Megatron-Turing NLG", 2022, 530_000_000_000, "smith2022using", "530 billion"),
    Landmark("Chinchilla", 2022, 70_000_000_000, "hoffmann2022training", "70 billion"),
    Landmark("LLaMA-65B", 2023, 65_000_000_000, "touvron2023llama", "65 billion"),
)


def _checked(landmarks):
    if not isinstance(landmarks, (list, tuple)) or not landmarks or not all(isinstance(m, Landmark) for m in landmarks):
        raise TypeError(f"landmarks: expected a non-empty sequence of Landmark rows, got {landmarks!r:.60}")
    return landmarks


def by_year(landmarks=LANDMARKS):
    """Years and parameter counts as two lists, in table order (sorted by year)."""
    landmarks = _checked(landmarks)
    return [m.year for m in landmarks], [m.parameters for m in landmarks]


def growth_factor(first, last, landmarks=LANDMARKS):
    """How many times more parameters model `last` has than model `first` (looked up by name)."""
    table = {m.name: m for m in _checked(landmarks)}
    for arg, name in (("first", first), ("last", last)):
        if not isinstance(name, str) or name not in table:
            raise ValueError(f"{arg}: unknown landmark: expected one of {sorted(table)}, got {name!r}")
    return table[last].parameters / table[first].parameters
