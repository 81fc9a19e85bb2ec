"""Pipeline and make_pipeline that run pruners (samplers) while fitting only."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import time
from contextlib import nullcontext

from sklearn import pipeline as _skpipeline
from sklearn.base import clone
from sklearn.utils import Bunch
from sklearn.utils.metadata_routing import MethodMapping
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_memory

from ._arrays import PER_ROW_PARAMS, cut_per_row, n_rows
from ._compat import (
    _fit_context,
    _message_with_time,
    _name_estimators,
    _print_elapsed_time,
    _routing_enabled,
    fit_callback_context,
)
from .base import is_pruner

__all__ = ["Pipeline", "make_pipeline"]


def _is_skipped(step) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


def _fit_transform_one(
    transformer, X, y, message_clsname, message, params, *, caller, callback_ctx
):
    """Fit a transformer and transform ``X`` (cached by ``memory``)."""
    with callback_ctx.propagate_callback_context(transformer):
        callback_ctx.call_on_fit_task_begin(estimator=caller, X=X, y=y)
        with _print_elapsed_time(message_clsname, message):
            if hasattr(transformer, "fit_transform"):
                Xt = transformer.fit_transform(X, y, **params.get("fit_transform", {}))
            else:
                Xt = transformer.fit(X, y, **params.get("fit", {})).transform(
                    X, **params.get("transform", {})
                )
        callback_ctx.call_on_fit_task_end(estimator=caller, X=Xt, y=y)
    return Xt, transformer


def _fit_resample_one(
    sampler, X, y, message_clsname, message, params, *, caller, callback_ctx
):
    """Fit a sampler and return its resampled data (cached by ``memory``).

    With ``verbose``, its line also says how many rows it kept.
    """
    with callback_ctx.propagate_callback_context(sampler):
        callback_ctx.call_on_fit_task_begin(estimator=caller, X=X, y=y)
        start = time.perf_counter()
        X_res, y_res = sampler.fit_resample(X, y, **params.get("fit", {}))
        if message is not None:
            kept = f"{message}, kept {n_rows(X_res)} of {n_rows(X)} rows"
            elapsed = time.perf_counter() - start
            print(_message_with_time(message_clsname, kept, elapsed), flush=True)
        callback_ctx.call_on_fit_task_end(estimator=caller, X=X_res, y=y_res)
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
    the rows it keeps, and the per-row fit parameters (``per_row_params``, such
    as ``clf__sample_weight``) of later steps are cut to the same rows, using
    the sampler's ``sample_indices_``. ``predict``, ``transform``, ``score``,
    ``decision_function``, ``predict_proba`` and the other methods skip
    samplers: pruning never touches data at prediction time.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    steps : list of tuples
        List of (name, estimator) tuples chained in order. Intermediate steps
        must have ``transform`` or ``fit_resample`` (not both); the last step
        only needs ``fit``. A step may be ``"passthrough"`` or None.
    per_row_params : tuple of str, default=("sample_weight", "groups")
        Names of the fit parameters that hold one value per row. After a
        sampler, these parameters of the later steps are cut to the kept rows
        (and must have one value per row of the data the sampler saw); every
        other parameter passes unchanged, whatever its length (a ``classes``
        list, an evaluation set). Names are the steps' own parameter names
        (``sample_weight`` for ``clf__sample_weight``, and for metadata that
        a step requests under an alias).
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

    Notes
    -----
    With scikit-learn >= 1.9, callbacks set with ``set_callbacks`` (such as
    ``sklearn.callback.ProgressBar``) see every step, samplers included, as
    they do in scikit-learn's Pipeline.

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

    _parameter_constraints: dict = {
        **_skpipeline.Pipeline._parameter_constraints,
        "per_row_params": [tuple, list],
    }

    def __init__(
        self,
        steps,
        *,
        per_row_params=PER_ROW_PARAMS,
        transform_input=None,
        memory=None,
        verbose=False,
    ):
        super().__init__(
            steps, transform_input=transform_input, memory=memory, verbose=verbose
        )
        self.per_row_params = per_row_params

    def __getitem__(self, ind):
        item = super().__getitem__(ind)
        if isinstance(ind, slice):
            item.per_row_params = self.per_row_params
        return item

    def _validate_steps(self):
        if not self.steps:
            raise ValueError("The pipeline is empty. Please add steps.")
        names, estimators = zip(*self.steps)
        self._validate_names(names)
        for est in estimators:
            if isinstance(est, type):
                raise TypeError(
                    f"Expected an estimator instance ({est.__name__}()), got "
                    f"estimator class instead ({est.__name__})."
                )
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

    def _fit(self, X, y=None, routed_params=None, raw_params=None, callback_ctx=None):
        """Fit every step but the last; return the data and parameters it needs."""
        self.steps = list(self.steps)
        self._validate_steps()
        memory = check_memory(self.memory)
        ignore = ["caller", "callback_ctx"]
        fit_transform_cached = memory.cache(_fit_transform_one, ignore=ignore)
        fit_resample_cached = memory.cache(_fit_resample_one, ignore=ignore)
        for step_idx, name, step in self._iter(
            with_final=False, filter_passthrough=False, filter_resample=False
        ):
            kind = "fit-resample" if is_pruner(step) else "fit-transform"
            subcontext = callback_ctx.subcontext(task_name=f"{kind}-{name}")
            if _is_skipped(step):
                with _print_elapsed_time("Pipeline", self._log_message(step_idx)):
                    subcontext.call_on_fit_task_begin(estimator=self, X=X, y=y)
                    subcontext.call_on_fit_task_end(estimator=self, X=X, y=y)
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
                    cloned,
                    X,
                    y,
                    "Pipeline",
                    message,
                    step_params,
                    caller=self,
                    callback_ctx=subcontext,
                )
                routed_params = self._cut_params(
                    routed_params, step_idx, fitted, n_before, n_rows(X)
                )
            else:
                X, fitted = fit_transform_cached(
                    cloned,
                    X,
                    y,
                    "Pipeline",
                    message,
                    step_params,
                    caller=self,
                    callback_ctx=subcontext,
                )
            self.steps[step_idx] = (name, fitted)
        return X, y, routed_params

    def _cut_params(self, routed_params, step_idx, sampler, n_before, n_after):
        """Cut the per-row parameters of the steps after ``step_idx`` to the kept rows.

        Only parameters named in ``per_row_params`` are cut; their length is
        checked against the rows the sampler saw.
        """
        later = {name for name, _ in self.steps[step_idx + 1 :]}
        indices = getattr(sampler, "sample_indices_", None)
        cut = Bunch()
        for name, methods in routed_params.items():
            if name not in later:
                cut[name] = methods
                continue
            cut[name] = Bunch()
            for method, params in methods.items():
                if indices is None:
                    per_row = [k for k in self.per_row_params if k in params]
                    if per_row and n_after != n_before:
                        raise ValueError(
                            f"Cannot cut the per-row parameter {name}__"
                            f"{per_row[0]} to the rows kept by "
                            f"{type(sampler).__name__}: it has no "
                            f"`sample_indices_`."
                        )
                    cut[name][method] = Bunch(**params)  # every row, in order
                    continue
                cut[name][method] = Bunch(
                    **cut_per_row(
                        params, indices, n_before, self.per_row_params, f"{name}__"
                    )
                )
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

    def _fit_with(self, method, X, y, params, final):
        """Fit all steps but the last, then the last one with ``final``.

        The one body of ``fit``, ``fit_transform``, ``fit_predict`` and
        ``fit_resample``: parameters checked and routed, earlier steps fitted,
        callbacks and timing around the last step.
        ``final(last, Xt, yt, last_params)`` returns the method's result and
        the data the callbacks report at the end, ``(result, X_end, y_end)``.
        """
        task = method.replace("_", "-")
        ctx = fit_callback_context(self, task_name=task, max_subtasks=len(self.steps))
        ctx.call_on_fit_task_begin(estimator=self, X=X, y=y)
        self._check_transform_input()
        routing_method = "fit" if method == "fit_resample" else method
        routed_params = self._check_method_params(method=routing_method, props=params)
        Xt, yt, routed_params = self._fit(
            X, y, routed_params, raw_params=params, callback_ctx=ctx
        )
        last_params = self._get_metadata_for_step(
            step_idx=len(self) - 1,
            step_params=routed_params[self.steps[-1][0]],
            all_params=params,
        )
        sub = ctx.subcontext(task_name=f"{task}-final-estimator")
        last = self._final_estimator
        with _print_elapsed_time("Pipeline", self._log_message(len(self.steps) - 1)):
            with _propagated(sub, last):
                sub.call_on_fit_task_begin(estimator=self, X=Xt, y=yt)
                result, X_end, y_end = final(last, Xt, yt, last_params)
                sub.call_on_fit_task_end(estimator=self, X=X_end, y=y_end)
        ctx.call_on_fit_task_end(estimator=self, X=X_end, y=y_end)
        return result

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
            Fit parameters ``step__param`` (or, with metadata routing, the
            metadata that steps request). Those named in ``per_row_params``
            (e.g. ``clf__sample_weight``) are cut to the rows kept by earlier
            samplers.

        Returns
        -------
        self : Pipeline
            This pipeline, fitted.
        """

        def final(last, Xt, yt, last_params):
            if not _is_skipped(last):
                last.fit(Xt, yt, **last_params["fit"])
            return self, Xt, yt

        return self._fit_with("fit", X, y, params, final)

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

        def final(last, Xt, yt, last_params):
            if _is_skipped(last):
                pass
            elif hasattr(last, "fit_transform"):
                Xt = last.fit_transform(Xt, yt, **last_params["fit_transform"])
            else:
                Xt = last.fit(Xt, yt, **last_params["fit"]).transform(
                    Xt, **last_params["transform"]
                )
            return Xt, Xt, yt

        return self._fit_with("fit_transform", X, y, params, final)

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

        def final(last, Xt, yt, last_params):
            y_pred = last.fit_predict(Xt, yt, **last_params.get("fit_predict", {}))
            return y_pred, Xt, yt

        return self._fit_with("fit_predict", X, y, params, final)

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

        def final(last, Xt, yt, last_params):
            X_kept, y_kept = last.fit_resample(Xt, yt, **last_params.get("fit", {}))
            return (X_kept, y_kept), X_kept, y_kept

        return self._fit_with("fit_resample", X, y, params, final)


def _propagated(context, step):
    """Propagate the callback context to the last step (nothing for passthrough)."""
    if _is_skipped(step):
        return nullcontext()
    return context.propagate_callback_context(step)


def make_pipeline(
    *steps,
    per_row_params=PER_ROW_PARAMS,
    memory=None,
    transform_input=None,
    verbose=False,
) -> Pipeline:
    """Build a :class:`Pipeline` from the given steps, naming them automatically.

    Parameters
    ----------
    *steps : list of estimators
        Transformers, samplers (e.g. pruners) and a final estimator.
    per_row_params : tuple of str, default=("sample_weight", "groups")
        Fit parameters cut to the rows kept by samplers (see :class:`Pipeline`).
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
        per_row_params=per_row_params,
        transform_input=transform_input,
        memory=memory,
        verbose=verbose,
    )
