"""`python -m bigmodels.speech`: synthesize and cache both corpora (`make data` runs it).

Prints what it cached, or what is missing; exits 1 if an engine is missing.
"""

from ..data.sources import MissingDataError
from .synth import ENGINES, load_corpus


def main():
    missing = 0
    for name in ENGINES:
        try:
            corpus = load_corpus(name)
        except MissingDataError as error:
            print(f"speech: {error}")
            missing = 1
        else:
            print(f"speech: {name}: {len(corpus)} clips of {len(set(corpus.voice))} voices cached")
    return missing


if __name__ == "__main__":
    raise SystemExit(main())
