"""bigmodels: the package behind the runnable companion to 人工智能大模型原理与应用实战.

`scratch` holds every model in plain NumPy with explicit backward passes, `nn` the same models
written in PyTorch from the same formulas, `data` the offline datasets. One entry per module
(written by tools/package_map.py from each module's docstring):

<!-- package-map:start -->
- `attribution.py`:
  Attribution methods: which inputs made a model produce its output.
- `compress/__init__.py`:
  Making models smaller: magnitude pruning, integer quantization, knowledge distillation.
- `compress/distillation.py`:
  Knowledge distillation (Hinton, Vinyals and Dean, 2015), and the training of the classifiers chapter 6.5 compresses.
- `compress/pruning.py`:
  Magnitude pruning: zero the weights (or whole neurons) that matter least (Han et al., 2015).
- `compress/quantization.py`:
  Integer quantization from scratch (Jacob et al., 2018), plus PyTorch's dynamic quantization.
- `configs.py`:
  Configurations the scratch and nn twins share: GPTConfig and the TransformerEncoderLayer of one GPT block.
- `convert.py`:
  Each twin's torch.nn built-in: the constructor arguments read off a module, and the built-in made from them.
- `data/__init__.py`:
  Offline datasets and text tools: loaders with fixed splits, tokenizers, vocabulary, padding, LM batches.
- `data/corpora.py`:
  Plain-text corpora for language models: Shakespeare (English) and People's Daily (Chinese).
- `data/datasets.py`:
  Labelled datasets with fixed train/validation/test splits.
- `data/lm.py`:
  Language-model data: a text's characters as ids, and random training windows of a token stream.
- `data/published_models.py`:
  Published parameter counts of landmark neural networks, one row per model.
- `data/sources.py`:
  Where the offline data lives: source archives, reading files out of them, and the parse cache.
- `data/text.py`:
  Turning text into integer ids: tokenizers, a vocabulary, and Keras-style padding.
- `data/unlabelled.py`:
  Unlabelled text for pretraining language models, with the held-out snippets kept out.
- `dense_classifier.py`:
  The Keras dense classifier of the article's §4.1, in PyTorch, and the baselines it is compared with.
- `doctor.py`:
  Check the installed environment: `python -m bigmodels.doctor` prints each FAIL with its fix, or one OK line.
- `nn/__init__.py`:
  The book's models as PyTorch modules written from the same formulas as bigmodels.scratch.
- `nn/activations.py`:
  ReLU, Sigmoid, Tanh and GELU written from their formulas (no torch.relu / sigmoid / tanh / gelu).
- `nn/attention.py`:
  Scaled dot-product attention, multi-head attention and positional encodings in PyTorch.
- `nn/cnn.py`:
  A small convolutional classifier for chapter 1's shifted digits.
- `nn/gpt.py`:
  A decoder-only GPT in PyTorch (after karpathy/nanoGPT's model.py), built from bigmodels.nn layers.
- `nn/layers.py`:
  Linear, Embedding and LayerNorm written from their formulas (same names as torch.nn).
- `nn/losses.py`:
  MSELoss, CrossEntropyLoss and BCEWithLogitsLoss from their formulas (mean reduction).
- `nn/mlp.py`:
  The multilayer perceptron built from bigmodels.nn.Linear and the formula-written activations.
- `nn/module.py`:
  What every bigmodels.nn module adds to torch.nn.Module: moving weights to and from the built-in.
- `nn/rnn.py`:
  RNN and LSTM written from the formulas in PyTorch: a Python loop over time, autograd for BPTT.
- `nn/sentiment.py`:
  The Keras text classifier of the article's §4.2, written with bigmodels.nn layers.
- `nn/seq2seq.py`:
  The sequence-to-sequence Transformer of chapters 3.4 (reversing digit strings) and 6.3 (German -> English).
- `nn/speech.py`:
  The spoken-word classifier of chapter 6.3: the book's LSTM over log-mel frames, averaged over time.
- `nn/transformer.py`:
  Transformer layers, stacks and the encoder-decoder in PyTorch, written from the formulas.
- `notebook.py`:
  What every chapter calls: setup() first (seeds, threads, plot style), show_source(obj) to print code.
- `pretraining.py`:
  Pretrained models for sentiment, their checkpoints and fine-tuning: the §4.2 LSTM and word vectors.
- `privacy.py`:
  Differential privacy for training: DP-SGD (Abadi et al. 2016) and its Renyi-DP accountant.
- `results.py`:
  Headline figures: printed in one fixed format so the README's results table can be collected.
- `scale/__init__.py`:
  Training beyond one process: data, sharded, tensor and pipeline parallelism, checkpoints, sizes and costs.
- `scale/checkpoint.py`:
  Checkpoints that resume bit-identically and load with torch.load(..., weights_only=True).
- `scale/ddp.py`:
  Distributed data parallel training on CPU with torch.distributed (gloo backend).
- `scale/flops.py`:
  Counting training compute: the 6ND rule and a per-layer count of matrix-multiply FLOPs.
- `scale/memory.py`:
  Memory of training: weights, gradients, optimizer states and the activations kept for backward.
- `scale/parallel.py`:
  The four ways to split training over processes, side by side on one GPT in one launch of local processes.
- `scale/params.py`:
  Counting parameters of any model of the book: torch modules and NumPy scratch models alike.
- `scale/pipeline.py`:
  Pipeline parallelism (GPipe, Huang et al. 2019): consecutive layers on consecutive processes.
- `scale/scaling.py`:
  Scaling laws: fit L(N) = a N^-alpha + c, and a small scaling experiment that produces L(N).
- `scale/schedules.py`:
  Training recipes of large models: learning-rate warmup + cosine decay, gradient accumulation.
- `scale/sharding.py`:
  Fully sharded data parallelism (FSDP2, ZeRO stage 3): each of N processes keeps 1/N of the training state.
- `scale/tensor_parallel.py`:
  Tensor parallelism, Megatron-style (Shoeybi et al. 2019): each layer's matrices split over N processes.
- `scratch/__init__.py`:
  Every model of the book in plain NumPy, with explicit backward passes. No torch in here.
- `scratch/attention.py`:
  Scaled dot-product attention, multi-head attention and positional encodings in NumPy.
- `scratch/bag_of_vectors.py`:
  The bag-of-vectors classifier of chapter 6.1–6.2 in NumPy, with its backward pass.
- `scratch/functional.py`:
  Activations, softmax and losses with their derivatives (NumPy).
- `scratch/gpt.py`:
  A decoder-only GPT in NumPy (after karpathy/nanoGPT's model.py), with a full backward pass.
- `scratch/gradcheck.py`:
  Finite-difference gradient checks: the independent referee for every explicit backward pass.
- `scratch/layers.py`:
  Basic layers in NumPy: Linear, Embedding, LayerNorm, Dropout and activation layers.
- `scratch/losses.py`:
  Loss layers mirroring torch.nn.MSELoss, CrossEntropyLoss and BCEWithLogitsLoss (mean reduction).
- `scratch/lstm_lm.py`:
  An LSTM language model with a tied output layer in NumPy (twin of pretraining.LSTMLanguageModel).
- `scratch/mlp.py`:
  The multilayer perceptron: Linear, activation, Linear, activation, ..., Linear.
- `scratch/module.py`:
  The base class of every scratch layer: parameters and gradients as plain NumPy arrays.
- `scratch/optim.py`:
  SGD (with momentum and Nesterov), Adam, AdamW and gradient-norm clipping in NumPy.
- `scratch/rnn.py`:
  Recurrent layers in NumPy: an Elman RNN and an LSTM with full backpropagation through time.
- `scratch/sentiment.py`:
  The Keras text classifier of the article's §4.2 in NumPy, with its backward pass.
- `scratch/sequential.py`:
  Sequential: layers applied one after another, mirroring torch.nn.Sequential.
- `scratch/speech.py`:
  The spoken-word classifier of chapter 6.3 in NumPy, with its backward pass.
- `scratch/transformer.py`:
  Transformer encoder and decoder layers, their stacks and the encoder-decoder model in NumPy.
- `speech/__init__.py`:
  Spoken-word recognition from synthetic speech (chapter 6.3): two engines, log-mel features, an LSTM.
- `speech/__main__.py`:
  `python -m bigmodels.speech`: synthesize and cache both corpora (`make data` runs it).
- `speech/features.py`:
  Log-mel spectrograms from the formulas in NumPy: Hann-windowed frames, DFT power, mel filters, log.
- `speech/model.py`:
  The spoken-word experiment (bigmodels.speech): train the classifier, split voices, score words.
- `speech/synth.py`:
  The two speech synthesizers and the corpus of spoken words they make (bigmodels.speech).
- `testing.py`:
  Comparison helpers shared by the tests and the chapters.
- `training/__init__.py`:
  Training: one trainer for classifiers and regressors (loop.py), one for language models (lm.py).
- `training/lm.py`:
  The language-model trainer every chapter and benchmark shares, and its loss estimate.
- `training/loop.py`:
  The classifier (and regressor) trainer every chapter shares: seeded minibatches, fit, evaluate, predict.
- `translation.py`:
  German -> English translation with the book's encoder-decoder Transformer (chapter 6.3).
- `validate.py`:
  Input validation with messages that name what was expected and what was given.
- `word_vectors.py`:
  Word vectors from counts, and the bag-of-vectors classifier that reads them (chapter 6.1–6.2).
<!-- package-map:end -->
"""

__version__ = "0.1.0"
