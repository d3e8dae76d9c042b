"""The sequence-to-sequence Transformer of chapters 3.4 (reversing digit strings) and 6.3 (German -> English)."""

import math

import torch

from .attention import PositionalEncoding
from .layers import Embedding, Linear
from .transformer import Transformer


class Seq2SeqTransformer(torch.nn.Module):
    """A batch-first sequence-to-sequence model around Transformer.

    logits = head(Decoder(embed(tgt_in) + PE, Encoder(embed(src) + PE))), with a causal decoder mask;
    tgt_in is the target shifted right behind a start token (teacher forcing).

    No NumPy twin in bigmodels.scratch: each part wired here (Embedding, PositionalEncoding, Transformer,
    Linear) has its twin there, checked to 1e-10; the wiring adds no formula, and the thousands of training
    steps the chapters run are a job for autograd.
    """

    def __init__(self, src_vocab, tgt_vocab, d_model=64, nhead=4, num_encoder_layers=2, num_decoder_layers=2,
                 dim_feedforward=128, dropout=0.0, max_len=64, norm_first=False):
        super().__init__()
        self.src_embed, self.tgt_embed = Embedding(src_vocab, d_model), Embedding(tgt_vocab, d_model)
        for embed in (self.src_embed, self.tgt_embed):  # N(0, 1/d): same scale as the sinusoids' mean square
            torch.nn.init.normal_(embed.weight, std=1 / math.sqrt(d_model))
        self.position = PositionalEncoding(d_model, max_len, batch_first=True)
        self.transformer = Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                                       dropout, batch_first=True, norm_first=norm_first)
        self.head = Linear(d_model, tgt_vocab)

    def encode(self, src, src_key_padding_mask=None):
        return self.transformer.encoder(self.position(self.src_embed(src)), None, src_key_padding_mask)

    def decode(self, tgt_in, memory, memory_key_padding_mask=None):
        x = self.position(self.tgt_embed(tgt_in))
        out = self.transformer.decoder(x, memory, memory_key_padding_mask=memory_key_padding_mask,
                                       tgt_is_causal=True)
        return self.head(out)

    def forward(self, src, tgt_in, src_key_padding_mask=None):
        return self.decode(tgt_in, self.encode(src, src_key_padding_mask), src_key_padding_mask)

    @torch.no_grad()
    def greedy_decode(self, src, length, start_token, src_key_padding_mask=None):
        """Encode once, then emit the most probable next token `length` times; returns (N, length)."""
        memory = self.encode(src, src_key_padding_mask)
        out = torch.full((src.shape[0], 1), start_token, dtype=torch.long, device=src.device)
        for _ in range(length):
            logits = self.decode(out, memory, src_key_padding_mask)
            out = torch.cat([out, logits[:, -1].argmax(-1, keepdim=True)], dim=1)
        return out[:, 1:]
