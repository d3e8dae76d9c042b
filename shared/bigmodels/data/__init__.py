"""Offline datasets and text tools: loaders with fixed splits, tokenizers, vocabulary, padding, LM batches."""

from .corpora import load_people_daily, load_shakespeare, play_to_text, train_val_text
from .datasets import (
    Split,
    load_chinese_reviews,
    load_digits,
    load_fashion_mnist,
    load_mnist5k,
    load_rotten_tomatoes,
    load_translation_pairs,
    shift_images,
    stratified_split,
    stratified_subset,
)
from .lm import decode_chars, encode_chars, get_batch
from .sources import MissingDataError, data_dir, source_archive
from .text import Vocabulary, pad_sequences, tokenize_char_pairs, tokenize_chars, tokenize_words

__all__ = [
    "MissingDataError", "Split", "Vocabulary", "data_dir", "decode_chars", "encode_chars", "get_batch",
    "load_chinese_reviews", "load_digits",
    "load_fashion_mnist", "load_mnist5k", "load_people_daily", "load_rotten_tomatoes",
    "load_shakespeare", "load_translation_pairs", "pad_sequences", "play_to_text",
    "shift_images", "source_archive", "stratified_split", "stratified_subset", "tokenize_char_pairs",
    "tokenize_chars", "tokenize_words",
    "train_val_text",
]
