"""Pipeline and make_pipeline that run pruners (samplers) while fitting only."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from sklearn import pipeline as _skpipeline
from sklearn.base import clone
from sklearn.utils import Bunch
from sklearn.utils.metadata_routing import MethodMapping
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_memory

from ._arrays import n_rows, take_rows
from ._compat import (
    _fit_context,
    _name_estimators,
    _print_elapsed_time,
    _routing_enabled,
)
from .base import is_pruner

__all__ = ["Pipeline", "make_pipeline"]


def _is_skipped(step) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


def _fit_transform_one(transformer, X, y, message_clsname, message, params):
    """Fit a transformer and transform ``X`` (cached by ``memory``)."""
    with _print_elapsed_time(message_clsname, message):
        if hasattr(transformer, "fit_transform"):
            Xt = transformer.fit_transform(X, y, **params.get("fit_transform", {}))
        else:
            Xt = transformer.fit(X, y, **params.get("fit", {})).transform(
                X, **params.get("transform", {})
            )
    return Xt, transformer


def _fit_resample_one(sampler, X, y, message_clsname, message, params):
    """Fit a sampler and return its resampled data (cached by ``memory``)."""
    with _print_elapsed_time(message_clsname, message):
        X_res, y_res = sampler.fit_resample(X, y, **params.get("fit", {}))
    return X_res, y_res, sampler


def _final_estimator_has(attr):
    def check(self):
        getattr(self._final_estimator, attr)
        return True

    return check


class Pipeline(_skpipeline.Pipeline):
    """A scikit-learn Pipeline whose pruning steps run while fitting only.

    A drop-in replacement for :class:`sklearn.pipeline.Pipeline`. Intermediate
    steps may be transformers or *samplers*: objects with ``fit_resample``, such
    as the pruners of this package or imbalanced-learn's samplers. During
    ``fit``, ``fit_transform`` and ``fit_predict`` a sampler replaces the data by
    the rows it keeps, and per-row fit parameters routed to later steps (such as
    ``clf__sample_weight``) are cut to the same rows, using the sampler's
    ``sample_indices_``. ``predict``, ``transform``, ``score``,
    ``decision_function``, ``predict_proba`` and the other methods skip
    samplers: pruning never touches data at prediction time.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    steps : list of tuples
        List of (name, estimator) tuples chained in order. Intermediate steps
        must have ``transform`` or ``fit_resample`` (not both); the last step
        only needs ``fit``. A step may be ``"passthrough"`` or None.
    transform_input : list of str, default=None
        As in :class:`sklearn.pipeline.Pipeline` (needs metadata routing).
    memory : str or object with the joblib.Memory interface, default=None
        Caches fitted transformers and samplers, as in scikit-learn.
    verbose : bool, default=False
        Print the time elapsed while fitting each step.

    Attributes
    ----------
    named_steps : :class:`~sklearn.utils.Bunch`
        Access the steps by name.
    n_features_in_ : int
        Number of features seen by the first step during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen by the first step during fit, if any.

    See Also
    --------
    make_pipeline : Build a Pipeline without naming the steps.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_prune import Pipeline, RandomPruner
    >>> X, y = load_digits(return_X_y=True)
    >>> pipe = Pipeline([("prune", RandomPruner(keep=0.5, random_state=0)),
    ...                  ("clf", LogisticRegression(max_iter=2000))])
    >>> pipe.fit(X, y).named_steps["prune"].sample_indices_.shape
    (899,)
    >>> pipe.predict(X).shape          # the pruner is skipped at predict time
    (1797,)
    """

    def _validate_steps(self):
        if not self.steps:
            raise ValueError("The pipeline is empty. Please add steps.")
        names, estimators = zip(*self.steps)
        self._validate_names(names)
        self._check_estimators_are_instances(estimators)
        for t in estimators[:-1]:
            if _is_skipped(t):
                continue
            has_transform = hasattr(t, "transform")
            if has_transform and is_pruner(t):
                raise TypeError(
                    f"All intermediate steps of the pipeline should be transformers "
                    f"or samplers, not both: {t!r} (type {type(t).__name__}) "
                    f"implements both `transform` and `fit_resample`."
                )
            if (
                not (has_transform or is_pruner(t))
                or not hasattr(t, "fit")
                and not (hasattr(t, "fit_transform"))
            ):
                raise TypeError(
                    "All intermediate steps should be transformers (fit and "
                    "transform) or samplers (fit_resample), or the string "
                    f"'passthrough'. {t!r} (type {type(t).__name__}) is neither."
                )
        last = estimators[-1]
        if not _is_skipped(last) and not hasattr(last, "fit"):
            raise TypeError(
                "Last step of Pipeline should implement fit or be the string "
                f"'passthrough'. {last!r} (type {type(last).__name__}) doesn't."
            )

    def _iter(self, with_final=True, filter_passthrough=True, filter_resample=True):
        """Generate (idx, name, step); samplers are skipped unless asked for."""
        for idx, name, step in super()._iter(with_final, filter_passthrough):
            if filter_resample and is_pruner(step):
                continue
            yield idx, name, step

    def _fit(self, X, y=None, routed_params=None, raw_params=None):
        """Fit every step but the last; return the data and parameters it needs."""
        self.steps = list(self.steps)
        self._validate_steps()
        memory = check_memory(self.memory)
        fit_transform_cached = memory.cache(_fit_transform_one)
        fit_resample_cached = memory.cache(_fit_resample_one)
        for step_idx, name, step in self._iter(
            with_final=False, filter_passthrough=False, filter_resample=False
        ):
            if _is_skipped(step):
                with _print_elapsed_time("Pipeline", self._log_message(step_idx)):
                    continue
            if getattr(memory, "location", None) is None:
                cloned = step  # as scikit-learn: no clone without caching
            else:
                cloned = clone(step)
            step_params = self._get_metadata_for_step(
                step_idx=step_idx,
                step_params=routed_params[name],
                all_params=raw_params,
            )
            message = self._log_message(step_idx)
            if is_pruner(cloned):
                n_before = n_rows(X)
                X, y, fitted = fit_resample_cached(
                    cloned, X, y, "Pipeline", message, step_params
                )
                routed_params = self._cut_params(
                    routed_params, step_idx, fitted, n_before, n_rows(X)
                )
            else:
                X, fitted = fit_transform_cached(
                    cloned, X, y, "Pipeline", message, step_params
                )
            self.steps[step_idx] = (name, fitted)
        return X, y, routed_params

    def _cut_params(self, routed_params, step_idx, sampler, n_before, n_after):
        """Cut per-row parameters of the steps after ``step_idx`` to the kept rows."""
        later = {name for name, _ in self.steps[step_idx + 1 :]}
        indices = getattr(sampler, "sample_indices_", None)
        cut = Bunch()
        for name, methods in routed_params.items():
            if name not in later:
                cut[name] = methods
                continue
            cut[name] = Bunch()
            for method, params in methods.items():
                cut[name][method] = Bunch()
                for key, value in params.items():
                    per_row = hasattr(value, "__len__") and not isinstance(value, str)
                    if per_row and len(value) == n_before:
                        if indices is None:
                            if n_after == n_before:
                                cut[name][method][key] = value
                                continue
                            raise ValueError(
                                f"Cannot cut the per-row parameter {name}__{key} to "
                                f"the rows kept by {type(sampler).__name__}: it has "
                                f"no `sample_indices_`."
                            )
                        value = take_rows(value, indices)
                    cut[name][method][key] = value
        return cut

    def get_metadata_routing(self):
        """Get metadata routing of this object, samplers included.

        Returns
        -------
        routing : MetadataRouter
            Routing information; samplers receive ``fit`` metadata.
        """
        router = super().get_metadata_routing()
        for _, name, step in self._iter(with_final=False, filter_resample=False):
            if is_pruner(step):
                mapping = (
                    MethodMapping()
                    .add(caller="fit", callee="fit")
                    .add(caller="fit_transform", callee="fit")
                    .add(caller="fit_predict", callee="fit")
                )
                router.add(method_mapping=mapping, **{name: step})
        return router

    def _check_transform_input(self):
        if not _routing_enabled() and self.transform_input is not None:
            raise ValueError(
                "The `transform_input` parameter can only be set if metadata "
                "routing is enabled. You can enable metadata routing using "
                "`sklearn.set_config(enable_metadata_routing=True)`."
            )

    def _last_step_params(self, routed_params, raw_params):
        return self._get_metadata_for_step(
            step_idx=len(self) - 1,
            step_params=routed_params[self.steps[-1][0]],
            all_params=raw_params,
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Fit the steps in order; samplers prune the rows seen by later steps.

        Parameters
        ----------
        X : iterable
            Training data, as the first step needs it.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            Fit parameters ``step__param``. Per-row parameters (e.g.
            ``clf__sample_weight``) are cut to the rows kept by earlier samplers.

        Returns
        -------
        self : Pipeline
            This pipeline, fitted.
        """
        self._check_transform_input()
        routed_params = self._check_method_params(method="fit", props=params)
        Xt, yt, routed_params = self._fit(X, y, routed_params, raw_params=params)
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if not _is_skipped(self._final_estimator):
                last_params = self._last_step_params(routed_params, params)
                self._final_estimator.fit(Xt, yt, **last_params["fit"])
        return self

    @available_if(_skpipeline.Pipeline._can_fit_transform)
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y=None, **params):
        """Fit all steps and transform the kept rows with the last one.

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            Fit parameters ``step__param``.

        Returns
        -------
        Xt : array-like of shape (n_kept, n_transformed_features)
            The kept rows, transformed.
        """
        self._check_transform_input()
        routed_params = self._check_method_params(method="fit_transform", props=params)
        Xt, yt, routed_params = self._fit(X, y, routed_params, raw_params=params)
        last = self._final_estimator
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            if _is_skipped(last):
                return Xt
            last_params = self._last_step_params(routed_params, params)
            if hasattr(last, "fit_transform"):
                return last.fit_transform(Xt, yt, **last_params["fit_transform"])
            return last.fit(Xt, yt, **last_params["fit"]).transform(
                Xt, **last_params["transform"]
            )

    @available_if(_final_estimator_has("fit_predict"))
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_predict(self, X, y=None, **params):
        """Fit all steps and return ``fit_predict`` of the last one on the kept rows.

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            Fit parameters ``step__param``.

        Returns
        -------
        y_pred : ndarray of shape (n_kept,)
            Predictions for the kept rows.
        """
        self._check_transform_input()
        routed_params = self._check_method_params(method="fit_predict", props=params)
        Xt, yt, routed_params = self._fit(X, y, routed_params, raw_params=params)
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            last_params = routed_params[self.steps[-1][0]]
            return self._final_estimator.fit_predict(
                Xt, yt, **last_params.get("fit_predict", {})
            )

    @available_if(_final_estimator_has("fit_resample"))
    @_fit_context(prefer_skip_nested_validation=False)
    def fit_resample(self, X, y=None, **params):
        """Fit all steps and return the rows kept by the last one (a sampler).

        Parameters
        ----------
        X : iterable
            Training data.
        y : iterable, default=None
            Training targets.
        **params : dict of str -> object
            Fit parameters ``step__param``.

        Returns
        -------
        X_kept, y_kept : tuple
            The last step's ``fit_resample`` output.
        """
        self._check_transform_input()
        routed_params = self._check_method_params(method="fit", props=params)
        Xt, yt, routed_params = self._fit(X, y, routed_params, raw_params=params)
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            last_params = routed_params[self.steps[-1][0]]
            return self._final_estimator.fit_resample(
                Xt, yt, **last_params.get("fit", {})
            )


def make_pipeline(*steps, memory=None, transform_input=None, verbose=False) -> Pipeline:
    """Build a :class:`Pipeline` from the given steps, naming them automatically.

    Parameters
    ----------
    *steps : list of estimators
        Transformers, samplers (e.g. pruners) and a final estimator.
    memory : str or object with the joblib.Memory interface, default=None
        Caches fitted transformers and samplers.
    transform_input : list of str, default=None
        As in :func:`sklearn.pipeline.make_pipeline`.
    verbose : bool, default=False
        Print the time elapsed while fitting each step.

    Returns
    -------
    p : Pipeline
        The pipeline; step names are the lower-cased class names.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_prune import PrototypePruner, make_pipeline
    >>> pipe = make_pipeline(PrototypePruner(keep=0.4), LogisticRegression())
    >>> [name for name, _ in pipe.steps]
    ['prototypepruner', 'logisticregression']
    """
    return Pipeline(
        _name_estimators(steps),
        transform_input=transform_input,
        memory=memory,
        verbose=verbose,
    )
