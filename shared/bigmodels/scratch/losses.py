"""Loss layers mirroring torch.nn.MSELoss, CrossEntropyLoss and BCEWithLogitsLoss (mean reduction).

forward(input, target) returns a float; backward(grad_output=1.0) returns dL/d(input).
"""

from . import functional as F


class Loss:
    loss = staticmethod(F.mse_loss)
    loss_grad = staticmethod(F.mse_loss_grad)

    def __call__(self, input, target):
        return self.forward(input, target)

    def forward(self, input, target):
        self.input, self.target = input, target
        return self.loss(input, target)

    def backward(self, grad_output=1.0):
        return grad_output * self.loss_grad(self.input, self.target)


class MSELoss(Loss):
    """mean((input - target)^2)"""


class CrossEntropyLoss(Loss):
    """-mean log softmax(logits)[target]: logits (N, C), integer targets (N,)."""

    loss = staticmethod(F.cross_entropy)
    loss_grad = staticmethod(F.cross_entropy_grad)


class BCEWithLogitsLoss(Loss):
    """mean BCE(sigmoid(logits), target) in its stable form; targets in [0, 1]."""

    loss = staticmethod(F.binary_cross_entropy_with_logits)
    loss_grad = staticmethod(F.binary_cross_entropy_with_logits_grad)
