"""The models a check runs: the sentence embedder and the cross-encoders (NLI, local coherence).

Everything here runs on ONNX Runtime with the ``tokenizers`` library and numpy; nothing imports
torch, transformers or sentence-transformers. Those are the training stack (``coherence.training``),
which trains the models and exports them to the files read here.
"""
