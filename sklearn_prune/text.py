"""Text rows: an adapter that turns any sentence encoder into an ``embedding``.

Every pruner that takes an ``embedding`` (:class:`~sklearn_prune.PrototypePruner`,
:class:`~sklearn_prune.SemDedupPruner`) accepts raw text rows when it is given
one: a list, a 1-D array or a pandas Series of ``str``, returned by
``fit_resample`` in the same type. A scikit-learn text pipeline such as
``make_pipeline(TfidfVectorizer(), TruncatedSVD(128))`` is an embedding as it
is; a model with an ``encode(list_of_str) -> 2-D array`` method (the
sentence-embedding convention) becomes one through :class:`EncoderEmbedding`.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np

from ._compat import Count, validate_parameter_constraints
from ._kinds import is_torch_tensor
from ._progress import ProgressBar

__all__ = ["EncoderEmbedding"]


class EncoderEmbedding:
    """Embed text rows with any object that has ``encode(list_of_str) -> 2-D array``.

    A callable ``embedding`` for the pruners: it sends the rows to
    ``encoder.encode`` in batches of ``batch_size`` texts, checks every batch
    (one numeric row per text, the same width throughout) and returns one
    array. Sentence-embedding models (e.g. sentence-transformers'
    ``SentenceTransformer``) follow this convention; so does any object of
    your own.

    The encoder is used as it is, never fitted. Cloning a pruner (in a
    pipeline, a grid search, :func:`sklearn.base.clone`) clones this adapter
    but shares the encoder: a model's weights are not copied.

    Parameters
    ----------
    encoder : object
        Has an ``encode`` method taking a list of str and returning an array
        (or torch tensor) of shape (n_texts, n_embedding_features).

    batch_size : int, default=256
        Texts per call to ``encoder.encode``. Bounds the encoder's memory;
        the output is written into one preallocated array.

    verbose : bool, default=False
        Show progress: a ``tqdm`` progress bar when tqdm is installed, else
        a line on stderr about every tenth of the rows.

    encode_kwargs : dict, default=None
        Extra keyword arguments of every ``encoder.encode`` call, e.g.
        ``{"normalize_embeddings": True}``.

    See Also
    --------
    sklearn_prune.SemDedupPruner : Remove near-duplicate rows.
    sklearn_prune.PrototypePruner : Prune by distance to k-means prototypes.

    Examples
    --------
    Any object with ``encode`` will do; here a toy one that counts letters:

    >>> import numpy as np
    >>> from sklearn_prune.text import EncoderEmbedding
    >>> class LetterCounts:
    ...     def encode(self, texts):
    ...         return np.array([[t.count("a"), t.count("b"), len(t)] for t in texts])
    >>> embedding = EncoderEmbedding(LetterCounts(), batch_size=2)
    >>> embedding(["ab", "aab", "b"])
    array([[1, 1, 2],
           [2, 1, 3],
           [0, 1, 1]])

    With a pruner, text in and text out:

    >>> from sklearn_prune import SemDedupPruner
    >>> texts = ["a b", "a b", "ab ab ab bb"]
    >>> SemDedupPruner(embedding=embedding, eps=0.001).fit_resample(texts)[0]
    ['a b', 'ab ab ab bb']
    """

    #: the ``encoder`` needs its own check: a str has an ``encode`` method too
    _parameter_constraints: dict = {
        "batch_size": [Count(1, None, closed="left")],
        "encode_kwargs": [dict, None],
    }

    def __init__(self, encoder, *, batch_size=256, verbose=False, encode_kwargs=None):
        self.encoder = encoder
        self.batch_size = batch_size
        self.verbose = verbose
        self.encode_kwargs = encode_kwargs

    def __repr__(self) -> str:
        return (
            f"EncoderEmbedding({type(self.encoder).__name__}(), "
            f"batch_size={self.batch_size!r})"
        )

    def __sklearn_clone__(self) -> EncoderEmbedding:
        # a new adapter around the same encoder: models are not deep-copied
        return type(self)(
            self.encoder,
            batch_size=self.batch_size,
            verbose=self.verbose,
            encode_kwargs=None
            if self.encode_kwargs is None
            else dict(self.encode_kwargs),
        )

    def _check_params(self) -> None:
        encoder = self.encoder
        if isinstance(encoder, (str, bytes)) or not callable(
            getattr(encoder, "encode", None)
        ):
            raise TypeError(
                f"`encoder` must have an `encode(list_of_str)` method; got "
                f"{type(self.encoder).__name__}."
            )
        validate_parameter_constraints(
            self._parameter_constraints,
            {"batch_size": self.batch_size, "encode_kwargs": self.encode_kwargs},
            caller_name=type(self).__name__,
        )

    def __call__(self, X) -> np.ndarray:
        """Encode the rows of ``X``.

        Parameters
        ----------
        X : list, tuple, 1-D array or pandas Series of str
            The texts.

        Returns
        -------
        E : ndarray of shape (n_texts, n_embedding_features)
            One row per text, in the encoder's dtype.
        """
        self._check_params()
        texts = X.tolist() if hasattr(X, "tolist") else list(X)
        n = len(texts)
        if n == 0:
            raise ValueError("`X` has no rows to encode.")
        kwargs = self.encode_kwargs or {}
        progress = ProgressBar(
            total=n,
            verbose=self.verbose,
            desc="encoding",
            unit="text",
            line="encoded {done}/{total} texts",
        )
        E = None
        try:
            for start in range(0, n, self.batch_size):
                batch = texts[start : start + self.batch_size]
                out = self._check_batch(self.encoder.encode(batch, **kwargs), batch)
                if E is None:
                    E = np.empty((n, out.shape[1]), dtype=out.dtype)
                elif out.shape[1] != E.shape[1]:
                    raise ValueError(
                        f"`encoder.encode` returned {out.shape[1]} columns for the "
                        f"batch at row {start} but {E.shape[1]} before; every "
                        f"embedding must have the same width."
                    )
                E[start : start + len(batch)] = out
                progress.update(len(batch))
        finally:
            progress.close()
        return E

    @staticmethod
    def _check_batch(out, batch: list) -> np.ndarray:
        if is_torch_tensor(out):
            out = out.detach().cpu().numpy()
        out = np.asarray(out)
        if out.dtype.kind not in "fiu":
            raise TypeError(
                f"`encoder.encode` must return numbers; got an array of dtype "
                f"{out.dtype} for a batch of {len(batch)} texts."
            )
        if out.ndim != 2 or out.shape[0] != len(batch):
            raise ValueError(
                f"`encoder.encode` must return a 2-D array with one row per text; "
                f"got shape {out.shape} for a batch of {len(batch)} texts."
            )
        return out
