"""Scores from one training run: a vectorised recorder of training dynamics.

A training loop feeds :class:`TrainingDynamics` with ``(row indices,
outputs, labels)`` whenever it has the outputs of some rows (per batch or
per epoch); the recorder keeps running sums, O(rows) memory, and returns
forgetting events (Toneva et al., 2019), the area under the margin (Pleiss
et al., 2020), dataset cartography's confidence and variability
(Swayamdipta et al., 2020), TDDS (Zhang et al., 2024) and EL2N at a chosen
epoch (Paul et al., 2021), every one oriented "higher = harder".
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from numbers import Integral

import numpy as np

from ._arrays import is_torch_tensor

__all__ = ["SCORES", "TrainingDynamics", "softmax"]

#: the scores a recorder returns, in the order the docs present them
SCORES = ("aum", "forgetting", "confidence", "variability", "tdds", "el2n")

#: TDDS's guard inside its logarithms (the reference's value)
_TDDS_EPS = 1e-8

# forgetting state, packed into one int32 per row: bit 0 = correct at the
# last record, bit 1 = correct at some record, bits 2.. = forgetting events
_CORRECT, _LEARNED, _SHIFT = 1, 2, 2


def softmax(outputs: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits, shifted by the row maximum for stability.

    Parameters
    ----------
    outputs : ndarray of shape (n_rows, n_classes)
        Logits.

    Returns
    -------
    proba : ndarray of shape (n_rows, n_classes)
        The probabilities, in a new array.
    """
    shifted = outputs - outputs.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted


def _as_numpy(values, name: str) -> np.ndarray:
    """A numpy copy of an array-like or a torch tensor (detached, on the CPU)."""
    if is_torch_tensor(values):
        values = values.detach().cpu().numpy()
    try:
        return np.asarray(values)
    except (TypeError, ValueError) as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"`{name}` must be an array or a tensor: {exc}") from None


class TrainingDynamics:
    """Record a training run's outputs and turn them into difficulty scores.

    Feed :meth:`update` from any training loop (numpy arrays or torch
    tensors, on any device) with the outputs of some rows, per mini-batch or
    per epoch; each call is one *record* of those rows (one presentation, in
    Toneva et al.'s words). Every row keeps running sums, so memory is
    O(n_samples) whatever the length of training: 32 bytes per row (three
    float64 and two int32) for AUM, forgetting, confidence and variability;
    EL2N adds one float64 and TDDS its window (``n_classes + tdds_window``
    float64). Calls are vectorised: no Python loop over rows.

    Read more in the :ref:`User Guide <ug_dynamics>`.

    Parameters
    ----------
    n_samples : int
        Number of rows of the training set; ``indices`` passed to
        :meth:`update` are positions in ``range(n_samples)``.

    n_classes : int
        Number of classes (columns of the outputs).

    outputs : {"logits", "proba"}, default="logits"
        What :meth:`update` receives: logits (softmax gives the
        probabilities; AUM's margins are taken on the logits, as in the
        reference) or probabilities (margins are then taken on
        probabilities, a variant).

    tdds_window : int >= 2 or None, default=None
        Window (in records) of TDDS; None does not record TDDS. The
        reference uses 10.

    tdds_decay : float in (0, 1), default=0.9
        TDDS's exponential moving-average factor: the window ending at the
        last record weighs ``tdds_decay``, each earlier one
        ``1 - tdds_decay`` times the next.

    el2n_epoch : int >= 1, "last" or None, default=None
        Record of each row at which EL2N is read (1 = its first record);
        "last" keeps the latest; None does not record EL2N.

    keep_proba : bool, default=False
        Keep the running mean of each row's probability vector
        (``n_classes`` float64 per row), for label-noise estimation
        (:meth:`mean_proba`).

    Attributes
    ----------
    n_records_ : ndarray of shape (n_samples,), dtype=int32
        Number of records of each row so far.

    See Also
    --------
    TrainingDynamicsPruner : Trains a scikit-learn estimator and records it.
    RecordedDynamicsPruner : Prunes with a recorder filled by your own loop.

    Notes
    -----
    Scores (:meth:`score`), each "higher = harder":

    - ``"aum"``: minus the area under the margin, the mean over records of
      the assigned label's logit minus the largest other logit (Pleiss et
      al., the ``aum`` package);
    - ``"forgetting"``: the number of forgetting events, records where a row
      is misclassified after being classified correctly at its previous
      record; a row never classified correctly gets its number of records,
      the maximum (Toneva et al.'s code);
    - ``"confidence"``: one minus cartography's confidence, the mean
      probability of the assigned label over records;
    - ``"variability"``: cartography's variability, the (population)
      standard deviation of that probability over records;
    - ``"tdds"``: Temporal Dual-Depth Scoring, over windows of
      ``tdds_window`` records: the norm of the deviations of the per-record
      changes ``sum_c |p_t,c (log p_t,c - log p_t-1,c)|`` from their window
      mean, averaged over windows with exponentially decaying weights
      (``importance_evaluation.py`` of the reference code);
    - ``"el2n"``: ``||softmax - onehot(y)||_2`` at record ``el2n_epoch``.

    The rows' records are counted separately, so a loop that presents every
    row once per epoch gives epochs. A row must not appear twice in one
    :meth:`update`.

    References
    ----------
    .. [1] Toneva et al. "An Empirical Study of Example Forgetting during
       Deep Neural Network Learning". ICLR 2019.
    .. [2] Pleiss, Zhang, Elenberg, Weinberger. "Identifying Mislabeled Data
       using the Area Under the Margin Ranking". NeurIPS 2020.
    .. [3] Swayamdipta et al. "Dataset Cartography: Mapping and Diagnosing
       Datasets with Training Dynamics". EMNLP 2020.
    .. [4] Zhang et al. "Spanning Training Progress: Temporal Dual-Depth
       Scoring (TDDS) for Enhanced Dataset Pruning". CVPR 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_prune import TrainingDynamics
    >>> rec = TrainingDynamics(n_samples=3, n_classes=2)
    >>> y = np.array([0, 1, 1])
    >>> rec.update([0, 1, 2], [[2.0, 0.0], [0.0, 1.0], [1.0, 0.0]], y)
    >>> rec.update([0, 1, 2], [[3.0, 0.0], [2.0, 0.0], [2.0, 0.0]], y)
    >>> rec.score("aum")  # minus the mean margin
    array([-2.5,  0.5,  1.5])
    >>> rec.score("forgetting")  # row 1 forgotten once, row 2 never learned
    array([0., 1., 2.])
    """

    def __init__(
        self,
        n_samples,
        n_classes,
        *,
        outputs="logits",
        tdds_window=None,
        tdds_decay=0.9,
        el2n_epoch=None,
        keep_proba=False,
    ):
        _check_int(n_samples, "n_samples", 1)
        _check_int(n_classes, "n_classes", 2)
        if outputs not in ("logits", "proba"):
            raise ValueError(
                f"`outputs` must be 'logits' or 'proba'. Got {outputs!r} instead."
            )
        if tdds_window is not None:
            _check_int(tdds_window, "tdds_window", 2)
        if not (isinstance(tdds_decay, float | int) and 0.0 < tdds_decay < 1.0):
            raise ValueError(
                f"`tdds_decay` must be a float in (0, 1). Got {tdds_decay!r} instead."
            )
        if el2n_epoch is not None and el2n_epoch != "last":
            _check_int(el2n_epoch, "el2n_epoch", 1, extra=', "last" or None')
        self.n_samples = int(n_samples)
        self.n_classes = int(n_classes)
        self.outputs = outputs
        self.tdds_window = tdds_window
        self.tdds_decay = float(tdds_decay)
        self.el2n_epoch = el2n_epoch
        self.keep_proba = bool(keep_proba)
        n = self.n_samples
        self.n_records_ = np.zeros(n, dtype=np.int32)
        self._forgetting = np.zeros(n, dtype=np.int32)
        self._margin_sum = np.zeros(n)
        self._conf_mean = np.zeros(n)
        self._conf_m2 = np.zeros(n)
        self._el2n = None if el2n_epoch is None else np.full(n, np.nan)
        self._proba_mean = np.zeros((n, n_classes)) if keep_proba else None
        if tdds_window is not None:
            self._tdds_prev = np.zeros((n, n_classes))
            self._tdds_kd = np.zeros((n, tdds_window - 1))
            self._tdds = np.zeros(n)

    @property
    def nbytes(self) -> int:
        """Bytes held by the recorder's per-row state."""
        arrays = [v for v in vars(self).values() if isinstance(v, np.ndarray)]
        return int(sum(a.nbytes for a in arrays))

    def update(self, indices, outputs, y) -> None:
        """Record the outputs of some rows.

        Parameters
        ----------
        indices : array-like or tensor of shape (n_rows,)
            Positions of the rows in the training set (distinct).
        outputs : array-like or tensor of shape (n_rows, n_classes)
            Their logits (or probabilities, with ``outputs="proba"``).
        y : array-like or tensor of shape (n_rows,)
            Their labels, as column indices of ``outputs``.

        """
        idx, values, labels = self._check_update(indices, outputs, y)
        rows = np.arange(idx.shape[0])
        if self.outputs == "logits":
            proba = softmax(values)
        else:
            proba = values
        count = self.n_records_[idx] + 1  # records including this one
        self.n_records_[idx] = count

        # AUM: assigned output minus the largest other output
        assigned = values[rows, labels]
        others = values.copy()
        others[rows, labels] = -np.inf
        self._margin_sum[idx] += assigned - others.max(axis=1)

        # forgetting: correct -> incorrect transitions
        correct = values.argmax(axis=1) == labels
        state = self._forgetting[idx]
        forgot = ((state & _CORRECT) == _CORRECT) & ~correct
        events = (state >> _SHIFT) + forgot
        learned = (state & _LEARNED) | np.where(correct, _LEARNED, 0)
        self._forgetting[idx] = (
            (events << _SHIFT) | learned | correct.astype(np.int32)
        ).astype(np.int32)

        # cartography: mean and variance of the assigned probability (Welford)
        p = proba[rows, labels]
        delta = p - self._conf_mean[idx]
        mean = self._conf_mean[idx] + delta / count
        self._conf_mean[idx] = mean
        self._conf_m2[idx] += delta * (p - mean)

        if self._el2n is not None:
            at = (
                np.ones(idx.shape[0], bool)
                if self.el2n_epoch == "last"
                else (count == self.el2n_epoch)
            )
            if at.any():
                error = proba[at].copy()
                error[np.arange(error.shape[0]), labels[at]] -= 1.0
                self._el2n[idx[at]] = np.linalg.norm(error, axis=1)

        if self._proba_mean is not None:
            current = self._proba_mean[idx]
            current += (proba - current) / count[:, None]
            self._proba_mean[idx] = current

        if self.tdds_window is not None:
            self._update_tdds(idx, proba, count)

    def _update_tdds(self, idx, proba, count) -> None:
        """One record of TDDS: a KL-like change, then a window's score."""
        later = count > 1
        if later.any():
            rows, new = idx[later], proba[later]
            old = self._tdds_prev[rows]
            change = np.abs(
                new * (np.log(new + _TDDS_EPS) - np.log(old + _TDDS_EPS))
            ).sum(axis=1)
            n_changes = count[later] - 1
            slot = (n_changes - 1) % (self.tdds_window - 1)
            self._tdds_kd[rows, slot] = change
            full = n_changes >= self.tdds_window - 1  # a window just ended
            if full.any():
                done = rows[full]
                window = self._tdds_kd[done]
                spread = np.linalg.norm(
                    window - window.mean(axis=1, keepdims=True), axis=1
                )
                decay = self.tdds_decay
                self._tdds[done] = (1.0 - decay) * self._tdds[done] + decay * spread
        self._tdds_prev[idx] = proba

    def _check_update(self, indices, outputs, y):
        idx = _as_numpy(indices, "indices")
        values = _as_numpy(outputs, "outputs").astype(np.float64, copy=False)
        labels = _as_numpy(y, "y")
        if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(
                f"`indices` must be a 1-D array of row positions (integers). Got "
                f"shape {idx.shape} and dtype {idx.dtype}."
            )
        if values.shape != (idx.shape[0], self.n_classes):
            raise ValueError(
                f"`outputs` must have shape (n_rows, n_classes) = ({idx.shape[0]}, "
                f"{self.n_classes}). Got {values.shape} instead."
            )
        if labels.shape != idx.shape or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"`y` must be {idx.shape[0]} integer labels (column indices of "
                f"`outputs`). Got shape {labels.shape} and dtype {labels.dtype}."
            )
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_samples):
            raise ValueError(
                f"`indices` must lie in [0, n_samples={self.n_samples}). Got values "
                f"from {idx.min()} to {idx.max()}."
            )
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
            raise ValueError(
                f"`y` must hold column indices in [0, n_classes={self.n_classes}). "
                f"Got values from {labels.min()} to {labels.max()}."
            )
        if not np.all(np.isfinite(values)):
            raise ValueError("`outputs` contains NaN or infinity.")
        if _has_repeats(idx, self.n_samples):
            raise ValueError(
                "`indices` repeats a row within one update; record each row at "
                "most once per call."
            )
        return idx.astype(np.intp, copy=False), values, labels.astype(np.intp)

    # -- scores ---------------------------------------------------------------
    def score(self, name: str = "aum") -> np.ndarray:
        """The difficulty of every row (higher = harder).

        Parameters
        ----------
        name : {"aum", "forgetting", "confidence", "variability", "tdds", "el2n"}, \
default="aum"
            Which score; see the Notes of :class:`TrainingDynamics`.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            The score of every row, in the order of the rows.
        """
        if name not in SCORES:
            raise ValueError(f"`name` must be one of {SCORES}. Got {name!r} instead.")
        missing = np.flatnonzero(self.n_records_ == 0)
        if missing.size:
            raise ValueError(
                f"{missing.size} of {self.n_samples} rows have no record yet (rows "
                f"{missing[:5].tolist()}{', ...' if missing.size > 5 else ''}); "
                f"call update() with every row before reading scores."
            )
        count = self.n_records_.astype(np.float64)
        if name == "aum":
            return -self._margin_sum / count
        if name == "forgetting":
            events = (self._forgetting >> _SHIFT).astype(np.float64)
            never = (self._forgetting & _LEARNED) == 0
            return np.where(never, count, events)
        if name == "confidence":
            return 1.0 - self._conf_mean
        if name == "variability":
            return np.sqrt(self._conf_m2 / count)
        if name == "el2n":
            return self._el2n_scores()
        return self._tdds_scores()

    def _el2n_scores(self) -> np.ndarray:
        if self._el2n is None:
            raise ValueError(
                "EL2N was not recorded: create the recorder with `el2n_epoch` "
                "(an int, or 'last')."
            )
        short = np.flatnonzero(np.isnan(self._el2n))
        if short.size:
            raise ValueError(
                f"{short.size} rows have fewer than el2n_epoch={self.el2n_epoch} "
                f"records (rows {short[:5].tolist()}); record longer or lower "
                f"`el2n_epoch`."
            )
        return self._el2n.copy()

    def _tdds_scores(self) -> np.ndarray:
        if self.tdds_window is None:
            raise ValueError(
                "TDDS was not recorded: create the recorder with `tdds_window` "
                "(the reference uses 10)."
            )
        short = np.flatnonzero(self.n_records_ < self.tdds_window)
        if short.size:
            raise ValueError(
                f"{short.size} rows have fewer than tdds_window={self.tdds_window} "
                f"records (rows {short[:5].tolist()}); record longer or lower "
                f"`tdds_window`."
            )
        return self._tdds.copy()

    def mean_proba(self) -> np.ndarray:
        """Each row's probability vector averaged over its records.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            A copy of the running means, one column per class.
        """
        if self._proba_mean is None:
            raise ValueError(
                "Probabilities were not kept: create the recorder with keep_proba=True."
            )
        return self._proba_mean.copy()


def _has_repeats(idx: np.ndarray, n_samples: int) -> bool:
    """Whether ``idx`` repeats a position: counted for large batches, sorted else."""
    if idx.size * 16 >= n_samples:  # O(n_samples), no sort: whole epochs
        return bool(np.bincount(idx, minlength=n_samples).max(initial=0) > 1)
    return np.unique(idx).size != idx.size


def _check_int(value, name: str, low: int, extra: str = "") -> None:
    if isinstance(value, bool | np.bool_) or not isinstance(value, Integral):
        raise TypeError(f"`{name}` must be an int >= {low}{extra}. Got {value!r}.")
    if value < low:
        raise ValueError(f"`{name}` must be an int >= {low}{extra}. Got {value!r}.")
