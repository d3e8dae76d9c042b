"""A small convolutional classifier for chapter 1's shifted digits.

The book writes no convolution from scratch (the article has no chapter on CNNs): the layers are torch's
Conv2d, so this model has no NumPy twin. Two 5x5 convolutions with ReLU and 2x2 max pooling, then a
Linear layer from the pooled feature maps to the logits.
"""

import torch

from ..validate import check_positive_int, check_sizes
from .layers import Linear


class SmallCNN(torch.nn.Module):
    """conv(5x5) -> ReLU -> maxpool(2) -> conv(5x5) -> ReLU -> maxpool(2) -> Linear; input rows of side^2 pixels."""

    def __init__(self, side, num_classes=10, channels=(8, 16)):
        super().__init__()
        check_positive_int(side, "side")
        check_positive_int(num_classes, "num_classes")
        check_sizes(channels, "channels")
        if side % 4:
            raise ValueError(f"SmallCNN side: expected a multiple of 4, got {side}")
        self.side = side
        self.conv1 = torch.nn.Conv2d(1, channels[0], 5, padding=2)
        self.conv2 = torch.nn.Conv2d(channels[0], channels[1], 5, padding=2)
        self.head = Linear(channels[1] * (side // 4) ** 2, num_classes)

    def forward(self, x):
        x = x.view(-1, 1, self.side, self.side)
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.head(x.flatten(1))
