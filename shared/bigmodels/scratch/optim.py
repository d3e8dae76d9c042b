"""SGD (with momentum and Nesterov), Adam, AdamW and gradient-norm clipping in NumPy.

Same arguments, defaults and update rules as torch.optim. An optimizer is built from a scratch
model (anything with `params` and `grads` dicts, both keyed by parameter name):

    opt = Adam(model, lr=1e-3)
    model.zero_grad(); loss.forward(model(x), y); model.backward(loss.backward()); opt.step()

`step()` updates the parameter arrays in place (the model sees the change at once); the optimizer
state (momentum buffers, moment estimates) lives in `state[name]`.
"""

import numpy as np

from ..validate import check_number, check_probability, describe


def _check_model(model):
    if not (hasattr(model, "params") and hasattr(model, "grads")):
        raise TypeError(f"expected a scratch model with params and grads dicts, got {describe(model)}")
    return model


class Optimizer:
    def __init__(self, model, lr):
        self.model = _check_model(model)
        self.lr = float(check_number(lr, "lr", low=0, finite=True))
        self.state = {}

    def zero_grad(self):
        self.model.zero_grad()

    def step(self):
        params, grads = self.model.params, self.model.grads
        for name, p in params.items():
            self.update(p, grads[name], self.state.setdefault(name, {}))

    def update(self, p, grad, state):
        raise NotImplementedError


class SGD(Optimizer):
    """g = grad + wd p; buf = momentum buf + (1 - dampening) g (buf = g at the first step);
    g = g + momentum buf if nesterov else buf; p -= lr g."""

    def __init__(self, model, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(model, lr)
        self.momentum = float(check_number(momentum, "momentum", low=0, finite=True))
        self.dampening = float(check_number(dampening, "dampening", finite=True))
        self.weight_decay = float(check_number(weight_decay, "weight_decay", low=0, finite=True))
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov: expected momentum > 0 and dampening = 0, "
                             f"got momentum={momentum} and dampening={dampening}")
        self.nesterov = nesterov

    def update(self, p, grad, state):
        g = grad + self.weight_decay * p if self.weight_decay else grad
        if self.momentum:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = g.copy()
            else:
                buf = state["momentum_buffer"]
                buf *= self.momentum
                buf += (1 - self.dampening) * g
            buf = state["momentum_buffer"]
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g


class Adam(Optimizer):
    """m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr m_hat / (sqrt(v_hat) + eps),

    with the bias corrections m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t). weight_decay adds
    wd p to the gradient (L2 regularisation, torch.optim.Adam's meaning)."""

    decoupled = False

    def __init__(self, model, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(model, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas: expected a pair (beta1, beta2), got {describe(betas)}")
        b1, b2 = betas
        for name, b in (("betas[0]", b1), ("betas[1]", b2)):
            check_probability(b, name)
        self.betas = (float(b1), float(b2))
        self.eps = float(check_number(eps, "eps", low=0, finite=True))
        self.weight_decay = float(check_number(weight_decay, "weight_decay", low=0, finite=True))

    def update(self, p, grad, state):
        b1, b2 = self.betas
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p))
        state["step"] += 1
        t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        if self.decoupled:
            p *= 1 - self.lr * self.weight_decay
            g = grad
        else:
            g = grad + self.weight_decay * p if self.weight_decay else grad
        m += (1 - b1) * (g - m)
        v *= b2
        v += (1 - b2) * g * g
        step_size = self.lr / (1 - b1 ** t)
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + self.eps
        p -= step_size * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p *= 1 - lr wd, then the Adam step."""

    decoupled = True

    def __init__(self, model, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(model, lr, betas, eps, weight_decay)


def clip_grad_norm_(grads, max_norm, norm_type=2.0):
    """Scale all gradients by min(1, max_norm / (total_norm + 1e-6)) in place; return total_norm.

    grads: a scratch model, a name -> array dict, or a list of arrays. total_norm is the norm of
    all gradients concatenated (torch.nn.utils.clip_grad_norm_'s rule).
    """
    if hasattr(grads, "grads"):
        grads = grads.grads
    if isinstance(grads, (str, bytes)) or not hasattr(grads, "__iter__"):
        raise TypeError(f"grads: expected a scratch model, a dict or a list of NumPy arrays, got {describe(grads)}")
    arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
    for g in arrays:
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            raise TypeError(f"grads: expected NumPy float arrays, got {describe(g)}")
    check_number(max_norm, "max_norm", low=0)
    norm_type = float(check_number(norm_type, "norm_type", low=0, low_open=True))
    if norm_type == np.inf:
        total = max((float(np.max(np.abs(g))) for g in arrays if g.size), default=0.0)
    else:
        total = float(sum(np.sum(np.abs(g) ** norm_type) for g in arrays) ** (1 / norm_type))
    coef = min(1.0, max_norm / (total + 1e-6))
    if coef < 1.0:
        for g in arrays:
            g *= coef
    return total
