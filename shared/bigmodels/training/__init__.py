"""Training: one trainer for classifiers and regressors (loop.py), one for language models (lm.py).

A loop written out by hand elsewhere is a lesson whose code is the point, and says so where it stands:
the first loops of chapters 3.1-3.3, bigmodels.scale.ddp.train (data parallelism), bigmodels.privacy.train_dp_sgd
(per-example clipping and noise) and chapter 5's bfloat16 autocast exercise.
"""

from .lm import estimate_loss, gpt_loss, train_lm
from .loop import (accuracy, as_tensor, evaluate, evaluate_scratch, fit, fit_scratch, learning_curve, minibatches,
                   predict, predict_scratch, predictions, score)

__all__ = ["accuracy", "as_tensor", "estimate_loss", "evaluate", "evaluate_scratch", "fit", "fit_scratch",
           "gpt_loss", "learning_curve", "minibatches", "predict", "predict_scratch", "predictions", "score",
           "train_lm"]
