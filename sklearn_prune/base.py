"""Base class of every pruner: validation, fit, fit_resample and row selection."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field, fields

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin
from sklearn.utils import InputTags, Tags, check_random_state
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from ._arrays import check_not_lazy, check_tensor, n_rows, take_rows
from ._compat import (
    StrOptions,
    _asked_by_sklearn_pipeline,
    _fit_context,
)
from ._docstring import fill_doc
from ._embedding import check_text
from ._frames import check_numeric_columns
from ._kinds import (
    is_dask_collection,
    is_memmap,
    is_pandas_frame,
    is_text,
    is_torch_tensor,
)
from ._memmap import validate_memmap
from ._selection import (
    CLASS_QUOTAS,
    POLICY_CONSTRAINTS,
    check_budget,
    class_codes,
    class_quota_rule,
    has_class_labels,
    n_kept,
    select_indices,
)
from .exceptions import PruningWarning

__all__ = ["BasePruner", "is_pruner"]

#: the sparse formats of a pruner whose ``input_tags.sparse`` tag is True
_SPARSE_FORMATS = ("csr", "csc")
#: share of rows tied with their group's most common score above which the
#: scores are called uninformative, and the rows the check looks at at most
UNINFORMATIVE_SHARE = 0.9
UNINFORMATIVE_SAMPLE = 100_000
#: what the message about a text column of a DataFrame ``X`` suggests
_ENCODE_COLUMNS = (
    "Every feature must be a number: drop or encode that column (e.g. "
    "OneHotEncoder or OrdinalEncoder in a ColumnTransformer before the pruner), "
    "or pass it as y."
)

#: the class-quota rule of ``class_balance="auto"`` when ``y`` holds class
#: labels, chosen by measurement (``benchmarks/bench_defaults.py``)
AUTO_CLASS_QUOTA = "equal"
#: ``drop_hardest="auto"`` with ``strategy="stratified"`` (0 with the others)
#: for a pruner whose scores read the labels (EL2N, a teacher's margin, training
#: dynamics, your own scores), chosen by measurement
#: (``benchmarks/bench_defaults.py``); label-free geometric scores use 0
AUTO_DROP_HARDEST = 0.1


def resolve_drop_hardest(
    drop_hardest, strategy: str, keep, n_samples: int, auto: float = AUTO_DROP_HARDEST
) -> float:
    """The fraction of hardest rows a pruner drops; ``"auto"`` resolved.

    ``"auto"`` is ``auto`` (the pruner's :attr:`BasePruner._auto_drop_hardest`)
    with ``strategy="stratified"``, but never more than the budget leaves over
    (``1 - kept / n_samples``, so that ``keep=1.0`` keeps every row), and 0
    with the other strategies, so that ``strategy="hard"`` alone is the
    paper's keep-hard.

    Parameters
    ----------
    drop_hardest : float or "auto"
        A pruner's ``drop_hardest``.
    strategy : str
        Its ``strategy``.
    keep : float or int
        The budget, as in :func:`~sklearn_prune._selection.n_kept`.
    n_samples : int
        Rows scored.
    auto : float, default=AUTO_DROP_HARDEST
        What ``"auto"`` drops with ``strategy="stratified"``.

    Returns
    -------
    fraction : float
    """
    if not isinstance(drop_hardest, str):
        return float(drop_hardest)
    if strategy != "stratified":
        return 0.0
    return min(auto, 1.0 - n_kept(keep, n_samples) / n_samples)


def is_pruner(estimator: object) -> bool:
    """Return True if ``estimator`` drops rows during fit (has ``fit_resample``).

    Parameters
    ----------
    estimator : object
        Any object.

    Returns
    -------
    bool
        Whether a pipeline treats ``estimator`` as a fit-time-only sampler.

    Examples
    --------
    >>> from sklearn_prune import RandomPruner, is_pruner
    >>> is_pruner(RandomPruner()), is_pruner("passthrough")
    (True, False)
    """
    return hasattr(estimator, "fit_resample")


@fill_doc
class BasePruner(OneToOneFeatureMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class for pruners: score every row, keep a fraction of them.

    Subclasses implement ``_compute_scores(X, y, rng, **params)`` and return
    one float per row, higher meaning harder. Everything else (parameter and
    input validation, the choice of rows, returning them in the input's type)
    lives here. Pruners are samplers: they have ``fit_resample`` and no
    ``transform``, so a :class:`sklearn_prune.Pipeline` runs them during
    ``fit`` only. They keep the columns: ``get_feature_names_out`` returns
    the input's feature names, as imbalanced-learn's samplers do.

    Parameters
    ----------
    {{keep}}

    {{policy}}

    {{class_balance}}

    {{random_state}}

    Attributes
    ----------
    {{fitted}}

    Examples
    --------
    A pruner that calls rows with a large norm hard, keeping the hardest:

    >>> import numpy as np
    >>> from sklearn_prune import BasePruner
    >>> class NormPruner(BasePruner):
    ...     def _compute_scores(self, X, y, rng, **params):
    ...         return np.linalg.norm(X, axis=1)
    >>> X = np.array([[0.0, 1.0], [3.0, 4.0], [1.0, 1.0], [6.0, 8.0]])
    >>> NormPruner(keep=2, strategy="hard").fit(X).sample_indices_
    array([1, 3])
    """

    #: what ``drop_hardest="auto"`` drops with ``strategy="stratified"``
    #: (:func:`resolve_drop_hardest`): the hardest rows of a score that reads
    #: the labels are often mislabelled or ambiguous; a pruner with label-free
    #: geometric scores, whose hardest rows are merely atypical, sets 0
    _auto_drop_hardest: float = AUTO_DROP_HARDEST

    _parameter_constraints: dict = {
        **POLICY_CONSTRAINTS,
        "drop_hardest": [*POLICY_CONSTRAINTS["drop_hardest"], StrOptions({"auto"})],
        "class_balance": ["boolean", None, StrOptions({"auto", *CLASS_QUOTAS}), dict],
        "random_state": ["random_state"],
    }

    #: whether the pruner scores a memory map chunk by chunk and a dask array
    #: block by block (else a memory map is validated like any array, and a
    #: dask collection is refused)
    _out_of_core: bool = False

    def __init__(
        self,
        *,
        keep=0.5,
        strategy="stratified",
        drop_hardest="auto",
        n_strata=50,
        class_balance="auto",
        random_state=None,
    ):
        self.keep = keep
        self.strategy = strategy
        self.drop_hardest = drop_hardest
        self.n_strata = n_strata
        self.class_balance = class_balance
        self.random_state = random_state

    # -- hooks for subclasses -------------------------------------------------
    # What ``fit`` accepts is read from the estimator's tags: sparse input
    # (``input_tags.sparse``: CSR and CSC), images and tensors
    # (``input_tags.three_d_array``), text rows (``input_tags.string``) and a
    # required ``y`` (``target_tags.required``). A subclass declares them in
    # its ``__sklearn_tags__``.

    def _class_rule(self, y) -> str:
        """The class-quota rule ``fit`` applies on the validated target ``y``.

        One of :data:`~sklearn_prune._selection.CLASS_QUOTAS`. ``"auto"`` is
        :data:`AUTO_CLASS_QUOTA` when ``y`` holds class labels, else
        ``"none"``.
        """
        if isinstance(self.class_balance, str) and self.class_balance == "auto":
            return AUTO_CLASS_QUOTA if has_class_labels(y) else "none"
        return class_quota_rule(self.class_balance)

    def _drop_fraction(self, n_samples: int, keep=None) -> float:
        """The ``drop_hardest`` fraction ``fit`` applies on ``n_samples`` rows.

        ``"auto"`` resolved by :func:`resolve_drop_hardest`, for the budget
        ``keep`` (default: the pruner's ``keep``).
        """
        keep = self.keep if keep is None else keep
        return resolve_drop_hardest(
            self.drop_hardest, self.strategy, keep, n_samples, self._auto_drop_hardest
        )

    def _class_error_rates(self, X, y, rng: np.random.RandomState) -> dict:
        """Per-class error rates for the difficulty quota, by class label.

        A cheap cross-validated probe on ``X`` by default; a pruner that
        trains probes of its own overrides this to reuse them.
        """
        from ._class_errors import probe_class_errors

        return probe_class_errors(X, y, rng)

    def _checks_rows_while_scoring(self) -> bool:
        """Whether scoring itself reads every row and refuses NaN (out of core)."""
        return False

    @abstractmethod
    def _compute_scores(self, X, y, rng: np.random.RandomState, **params) -> np.ndarray:
        """Difficulty of each row of validated ``X`` (higher = harder)."""

    def _route_fit_params(self, params: dict) -> dict:
        """Keyword arguments of ``_compute_scores`` from the metadata given to ``fit``.

        A pruner that consumes no metadata refuses all of it. A pruner with
        sub-estimators overrides this together with ``get_metadata_routing``.
        """
        if params:
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected fit parameters "
                f"{sorted(params)}; it accepts none."
            )
        return {}

    # -- public API -----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Score every row of ``X`` and choose the rows to keep.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. pandas DataFrames and lists are accepted; image
            arrays or torch tensors of shape (n_samples, ...) where the
            pruner's embedding or estimator accepts them.
        y : array-like of shape (n_samples,) or (n_samples, n_classes), default=None
            Targets. Where labels are used (``class_balance=True``, EL2N,
            class prototypes) they must be class labels or one-hot rows;
            otherwise any target (regression values too) passes through.
        **params : dict
            Metadata, where the pruner documents some (routed to its
            sub-estimators); other pruners refuse any.

        Returns
        -------
        self : object
            Fitted pruner with ``scores_`` and ``sample_indices_``.
        """
        self._clear_fitted()
        score_params = self._route_fit_params(params)
        X, y = self._validate_input(X, y)
        # the class-quota rule, decided once per fit (on dask labels a pass)
        self._fit_rule = self._class_rule(y)
        # fail on the budget and the labels before the expensive scoring
        self._check_budget(X, y)
        n_samples = n_rows(X)
        rng = check_random_state(self.random_state)
        scores = self._compute_scores(X, y, rng, **score_params)
        if is_dask_collection(scores):
            return self._select_dask(scores, n_samples, y, rng)
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != (n_samples,) or not np.all(np.isfinite(scores)):
            raise ValueError(
                f"{type(self).__name__} computed invalid scores (shape "
                f"{scores.shape}, finite: {bool(np.all(np.isfinite(scores)))}); "
                f"expected {n_samples} finite values."
            )
        self.scores_ = scores
        self._set_class_errors(X, y, rng)
        self.sample_indices_ = self._select(scores, y, rng)
        return self

    def _set_class_errors(self, X, y, rng) -> None:
        """``class_errors_`` for the difficulty rule: given, or measured."""
        if self._fit_rule != "difficulty":
            return
        if isinstance(self.class_balance, dict):
            self.class_errors_ = dict(self.class_balance)
        else:
            self.class_errors_ = self._class_error_rates(X, y, rng)

    def _check_budget(self, X, y) -> None:
        """Raise if ``keep`` asks for more rows than ``X`` (or a class) has."""
        if self.__sklearn_tags__().target_tags.required and not is_dask_collection(y):
            kind = type_of_target(y, input_name="y")
            if kind == "unknown":  # scikit-learn's wording for such targets
                raise ValueError(
                    f"Unknown label type: {type(self).__name__} uses `y` as class "
                    f"labels, but `y` (dtype {y.dtype}) holds no recognisable "
                    f"labels. Pass integer or string labels, e.g. y.astype(int) "
                    f"for numbers stored as objects."
                )
        if self._fit_rule == "none":
            counts = np.array([n_rows(X)])
        elif is_dask_collection(y):
            from ._dask import class_counts

            counts = class_counts(y)
        else:
            counts = np.bincount(class_codes(y)[1])
        check_budget(self.keep, counts, self._drop_fraction(n_rows(X)))

    def _select(
        self, scores: np.ndarray, y, rng: np.random.RandomState, *, keep=None
    ) -> np.ndarray:
        """Positions of the kept rows, from ``scores`` and the selection parameters.

        ``keep`` (default: the pruner's) lets a subclass select a number of
        rows among some of them (e.g. without the suspected mislabeled ones).
        """
        keep = self.keep if keep is None else keep
        rule = self._fit_rule
        if not is_dask_collection(scores):
            self._warn_if_uninformative(scores, y if rule != "none" else None)
        return select_indices(
            scores,
            keep,
            strategy=self.strategy,
            drop_hardest=self._drop_fraction(int(scores.shape[0]), keep),
            n_strata=self.n_strata,
            y=y,
            class_balance=rule,
            class_errors=getattr(self, "class_errors_", None),
            random_state=rng,
        )

    def _uninformative_hint(self) -> str | None:
        """What may make this pruner's scores all alike, and what to try.

        None turns the check off (ties are expected, e.g. among duplicates).
        """
        return (
            "the rows look alike to this pruner's metric; check that X holds "
            "the features you meant, or try another pruner"
        )

    def _warn_if_uninformative(self, scores: np.ndarray, y=None) -> None:
        """Warn when nearly all scores are equal (within each class of ``y``).

        Equal scores leave the choice of rows to random tie-breaking. Scores
        are compared to 9 significant digits of the largest one; on more
        than 100,000 rows, evenly spaced rows stand for all.
        """
        hint = self._uninformative_hint()
        if hint is None or n_kept(self.keep, scores.shape[0]) == scores.shape[0]:
            return  # no check, or every row is kept: ties choose nothing
        step = -(-scores.shape[0] // UNINFORMATIVE_SAMPLE)
        values = scores[::step]
        codes = np.zeros(values.shape[0], dtype=np.int64)
        within = ""
        if y is not None and not is_dask_collection(y):
            codes = class_codes(y[::step])[1]
            within = " of their class"
        scale = np.max(np.abs(values))
        # integers in [-1e9, 1e9]: one int64 key per (class, rounded score)
        rounded = np.rint(values / scale * 1e9) if scale > 0 else values
        keys = codes * np.int64(2 * 10**9 + 1) + rounded.astype(np.int64)
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        # rows tied with the most common score of their group
        largest = np.zeros(codes.max() + 1, dtype=np.int64)
        np.maximum.at(largest, codes, counts[inverse.ravel()])
        share = largest.sum() / values.shape[0]
        if share >= UNINFORMATIVE_SHARE:
            warnings.warn(
                f"{type(self).__name__}'s scores carry almost no information: "
                f"{share:.0%} of the rows share the most common score{within}, "
                f"so which of them are kept is decided by random tie-breaking. "
                f"Possible cause: {hint}.",
                PruningWarning,
                stacklevel=5,  # here, _select, fit, _fit_context, caller
            )

    def _select_dask(self, scores, n_samples, y, rng):
        """Dask scores: persisted on the workers, kept positions a lazy array."""
        from ._dask import checked_scores

        try:  # a block's error (NaN) surfaces here, when the blocks are computed
            scores = checked_scores(scores, n_samples, type(self).__name__)
            self._set_class_errors(scores, y, rng)  # given errors only: X is lazy
            indices = self._select(scores, y, rng).persist()
        except BaseException:
            self._clear_fitted()  # nothing half-written
            raise
        self.scores_, self.sample_indices_ = scores, indices
        return self

    def _clear_fitted(self) -> None:
        """Forget a previous fit, so that a failed re-fit leaves no stale state."""
        fitted = [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]
        for name in fitted:
            delattr(self, name)

    def fit_resample(self, X, y=None, **params):
        """Fit the pruner and return the kept rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes), default=None
            Targets, as in :meth:`fit`.
        **params : dict
            Metadata, passed to :meth:`fit`.

        Returns
        -------
        X_kept : same type as X, of shape (n_kept, ...)
            The kept rows, in their original order, in the type of ``X``
            (numpy array, pandas DataFrame with its index and dtypes, list,
            tuple, torch tensor, or scipy sparse matrix or array in its own
            format: formats without row indexing, such as COO or DIA, are
            scored and cut through CSR and converted back).
        y_kept : same type as y, of shape (n_kept,) or (n_kept, n_classes), or None
            The matching targets (one-hot rows stay one-hot), or None when
            ``y`` is None.
        """
        self.fit(X, y, **params)
        idx = self.sample_indices_
        return take_rows(X, idx), (None if y is None else take_rows(y, idx))

    # -- validation -----------------------------------------------------------
    def _validate_input(self, X, y):
        check_not_lazy(X, name="X")
        check_not_lazy(y, name="y")
        tags = self.__sklearn_tags__()
        if y is None and tags.target_tags.required:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                f"is None (needed by class_balance={self.class_balance!r} or by the "
                f"pruner itself)."
            )
        if is_text(X):
            return self._validate_text(X, y)
        if is_dask_collection(X) or is_dask_collection(y):
            return self._validate_dask(X, y)
        if self._out_of_core and is_memmap(X) and X.ndim == 2:
            return self._validate_memmap(X, y)
        if is_torch_tensor(X):
            return self._validate_tensor(X, y, tags.input_tags.three_d_array)
        if is_pandas_frame(X):  # name a text column, not numpy's conversion error
            check_numeric_columns(X, where="X", fix=_ENCODE_COLUMNS)
        check_params = dict(
            accept_sparse=_SPARSE_FORMATS if tags.input_tags.sparse else False,
            dtype=[np.float64, np.float32],
            allow_nd=tags.input_tags.three_d_array,
        )
        if y is None:
            return validate_data(self, X, y=None, **check_params), None
        # any target passes through a pruner (regression values, one-hot rows);
        # what a pruner needs of it (class labels) is checked where it is used
        X, y = validate_data(self, X, y, multi_output=True, **check_params)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        return X, y

    def _accepts_text(self) -> bool:
        """Whether ``X`` may be text rows: the ``input_tags.string`` tag by default."""
        return self.__sklearn_tags__().input_tags.string

    def _validate_text(self, X, y):
        name = type(self).__name__
        if not self._accepts_text():
            if "embedding" in self.get_params(deep=False):
                raise ValueError(
                    f"{name} got text rows as `X` but `embedding` is None: pass an "
                    f"`embedding` that turns text into numbers, e.g. "
                    f"make_pipeline(TfidfVectorizer(), TruncatedSVD(128)) or "
                    f"sklearn_prune.text.EncoderEmbedding(model)."
                )
            raise ValueError(
                f"{name} needs numeric rows but got text as `X`; embed the text "
                f"first, or use a pruner that takes an `embedding`."
            )
        check_text(X, name="X")
        if y is not None:
            # any target passes, as on the numeric path
            y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y.ravel()
            check_consistent_length(np.empty(n_rows(X)), y)
        return X, y

    def _validate_memmap(self, X, y):
        """A memory map is checked chunk by chunk, never copied."""
        validate_memmap(X, check_finite=not self._checks_rows_while_scoring())
        self._set_features(X.shape[1], None)
        if y is not None:
            y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y.ravel()
            check_consistent_length(X, y)
        return X, y

    def _validate_dask(self, X, y):
        """Dask rows are checked lazily (NaN while scoring, block by block)."""
        if not is_dask_collection(X):  # labels on a cluster, rows in memory
            return self._validate_input(X, y.compute())
        if not self._out_of_core:
            raise TypeError(
                f"{type(self).__name__} does not take dask collections "
                f"(PrototypePruner and RandomPruner do). Pass X.compute(), or run "
                f"its parallel work on a cluster with "
                f"joblib.parallel_config(backend='dask')."
            )
        from ._dask import validate

        X, y, names = validate(X, y)
        self._set_features(X.shape[1], names)
        return X, y

    def _set_features(self, n_features, names) -> None:
        self.n_features_in_ = int(n_features)
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    def _validate_tensor(self, X, y, allow_nd: bool):
        if not allow_nd:
            raise TypeError(
                f"{type(self).__name__} got a torch tensor as `X`; tensors are "
                f"accepted only with a torch `embedding` or `estimator` "
                f"(see sklearn_prune.torch). Pass a numpy array instead."
            )
        check_tensor(X, name="X")
        self.n_features_in_ = int(np.prod(tuple(X.shape[1:])))
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        if y is not None:
            y = column_or_1d(y)
            check_consistent_length(np.empty(X.shape[0]), y)
        return X, y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        input_tags = _PrunerInputTags(**_as_kwargs(tags.input_tags))
        input_tags.sparse = False  # a subclass that takes CSR and CSC says so
        tags = _PrunerTags(**{**_as_kwargs(tags), "input_tags": input_tags})
        tags.estimator_type = "sampler"
        # "auto" sets quotas only when y holds class labels; "none" needs no y
        rule = self.class_balance
        tags.target_tags.required = rule not in ("auto", "none", False, None)
        return tags

    def __getattr__(self, name):
        # reached only for attributes that do not exist
        if name in ("transform", "fit_transform") and _asked_by_sklearn_pipeline():
            raise TypeError(
                f"{type(self).__name__} is a pruner: it drops rows while fitting "
                f"(fit_resample) and has no `{name}`, so scikit-learn's own "
                f"Pipeline cannot run it. Use sklearn_prune.Pipeline or "
                f"sklearn_prune.make_pipeline instead (drop-in replacements that "
                f"run pruners during fit only), or imblearn.pipeline.Pipeline."
            )
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )


# -- estimator tags -----------------------------------------------------------
# imbalanced-learn reads two tags that scikit-learn's dataclasses lack: whether
# DataFrames come back as DataFrames (``input_tags.dataframe``) and what kind
# of sampler this is (``sampler_tags``). Pruners declare both, so that
# ``imblearn.utils.estimator_checks`` and ``imblearn.base.is_sampler`` work
# without importing imbalanced-learn here.


@dataclass(slots=True)
class _PrunerInputTags(InputTags):
    """scikit-learn's input tags, plus imbalanced-learn's ``dataframe``."""

    dataframe: bool = True


@dataclass(slots=True)
class _SamplerTags:
    """imbalanced-learn's sampler tags: ``sample_indices_`` is set by fit."""

    sample_indices: bool = True


@dataclass(slots=True)
class _PrunerTags(Tags):
    """scikit-learn's tags, plus imbalanced-learn's ``sampler_tags``."""

    sampler_tags: _SamplerTags = field(default_factory=_SamplerTags)


def _as_kwargs(tags) -> dict:
    return {f.name: getattr(tags, f.name) for f in fields(tags)}
