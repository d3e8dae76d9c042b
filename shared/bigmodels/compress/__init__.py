"""Making models smaller: magnitude pruning, integer quantization, knowledge distillation."""

from .distillation import distillation_loss, train_classifier
from .pruning import (finalize, global_magnitude_masks, magnitude_mask, neuron_mask, prune_model,
                      sparsity_of)
from .quantization import (dequantize, dynamic_quantize, fake_quantize, fake_quantize_model, quantize,
                           latency_ms, quantized_matmul, quantized_model_bytes, weight_bytes)

__all__ = [
    "dequantize", "distillation_loss", "dynamic_quantize", "fake_quantize", "fake_quantize_model",
    "finalize", "global_magnitude_masks", "magnitude_mask", "neuron_mask", "prune_model", "quantize",
    "latency_ms", "quantized_matmul", "quantized_model_bytes", "sparsity_of", "train_classifier", "weight_bytes",
]
