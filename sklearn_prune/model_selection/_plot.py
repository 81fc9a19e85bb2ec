"""PruningCurveDisplay: score against the fraction of training rows kept."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np

from .._plotting import import_pyplot
from ._pruning_curve import PruningCurveResult, pruning_curve

__all__ = ["PruningCurveDisplay"]

_STD_STYLES = ("fill_between", "errorbar", None)
_KINDS = ("score", "difference")


class PruningCurveDisplay:
    """Pruning curve visualization: score against the fraction of rows kept.

    One line per pruner (mean over splits, with its spread: one standard
    deviation), the random baselines dashed, and the score of the estimator
    trained on every row of the training fold as a horizontal dotted line.
    The bottom axis is the kept fraction of the training fold, the top axis
    the kept number of rows.

    ``kind="difference"`` plots every pruner's paired difference to its
    random baseline instead (random is the zero line): curves near random
    no longer overlap. ``metric="worst_class"`` plots the worst class's
    recall (from ``pruning_curve(..., per_class=True)``) instead of the
    score.

    It is recommended to build it with :meth:`from_estimator` or
    :meth:`from_results`; all parameters are stored as attributes.

    Read more in the :ref:`User Guide <ug_pruning_curves>`.

    Parameters
    ----------
    result : PruningCurveResult
        The output of :func:`pruning_curve`.
    score_name : str, default=None
        Label of the y-axis; None uses ``result.score_name``.

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the curves.

    figure_ : matplotlib Figure
        Figure containing the curves.

    lines_ : dict of str to matplotlib Line2D
        The mean-score line of every curve (pruners and random baselines),
        by name.

    full_line_ : matplotlib Line2D
        The horizontal line at the mean score of the whole training fold.

    fill_between_ : dict of str to matplotlib PolyCollection or None
        The spread band of every curve, with ``std_display_style=
        "fill_between"``; None otherwise.

    errorbar_ : dict of str to matplotlib ErrorbarContainer or None
        The error bars of every curve, with ``std_display_style="errorbar"``;
        None otherwise.

    count_axis_ : matplotlib SecondaryAxis or None
        The top axis with kept row counts (None when ``show_counts=False``).

    See Also
    --------
    pruning_curve : Compute the scores.
    sklearn.model_selection.LearningCurveDisplay : Score against random
        training-set sizes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_prune import PrototypePruner
    >>> from sklearn_prune.model_selection import PruningCurveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> display = PruningCurveDisplay.from_estimator(
    ...     LogisticRegression(max_iter=500), PrototypePruner(n_clusters=3), X, y,
    ...     keep=[0.2, 0.5], cv=3, random_state=0)
    >>> sorted(display.lines_)
    ['PrototypePruner', 'random']
    """

    def __init__(self, *, result, score_name=None):
        self.result = result
        self.score_name = score_name

    def plot(
        self,
        ax=None,
        *,
        score_name=None,
        kind="score",
        metric="score",
        std_display_style="fill_between",
        show_counts=True,
        line_kw=None,
        fill_between_kw=None,
        errorbar_kw=None,
    ):
        """Plot the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; None creates a new figure and axes.
        score_name : str, default=None
            Label of the y-axis; None uses the display's ``score_name``, then
            the result's.
        kind : {"score", "difference"}, default="score"
            Plot the values themselves, or every pruner's paired difference
            to its random baseline (mean and spread over splits), with
            random as the zero line.
        metric : {"score", "worst_class"}, default="score"
            The test score, or the worst class's recall (needs a result of
            ``pruning_curve(..., per_class=True)``).
        std_display_style : {"fill_between", "errorbar"} or None, \
default="fill_between"
            How the spread over splits (one standard deviation) is shown:
            a band, error bars, or not at all.
        show_counts : bool, default=True
            Add a top axis with the number of kept rows (mean training fold).
        line_kw : dict, default=None
            Keyword arguments for every ``ax.plot`` of a mean score (they
            override the default style).
        fill_between_kw : dict, default=None
            Keyword arguments for ``ax.fill_between``.
        errorbar_kw : dict, default=None
            Keyword arguments for ``ax.errorbar``.

        Returns
        -------
        display : PruningCurveDisplay
            The display, with ``ax_``, ``figure_`` and the artists set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        result = self._check_plot_args(std_display_style, kind)
        values, full = result._values(metric)
        if kind == "difference":
            values = result.differences(metric)
        if ax is None:
            _, ax = plt.subplots(layout="constrained")
        fraction = (result.n_kept / result.n_train).mean(axis=1)
        order = np.argsort(fraction, kind="stable")
        self._x = fraction[order]
        self.lines_, self.fill_between_, self.errorbar_ = {}, None, None
        if std_display_style == "fill_between":
            self.fill_between_ = {}
        elif std_display_style == "errorbar":
            self.errorbar_ = {}
        colors = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
        pruners = [n for n in result.names if result.baselines[n] != n]
        kw = dict(line_kw=line_kw, fill_kw=fill_between_kw, errorbar_kw=errorbar_kw)
        for name in result.names:
            is_baseline = result.baselines[name] == name
            if is_baseline and kind == "difference":
                continue
            if is_baseline:
                gray = "0.35" if name == "random" else "0.6"
                style = dict(color=gray, linestyle="--", marker="o", markersize=3)
            else:
                color = colors[pruners.index(name) % len(colors)]
                style = dict(color=color, marker="o", markersize=4)
            self._draw(ax, name, values[name][order], style, std_display_style, kw)
        if kind == "difference":
            self.full_line_ = ax.axhline(
                0.0, color="0.35", linestyle="--", linewidth=1.2, label="random"
            )
        else:
            self.full_line_ = ax.axhline(
                float(np.mean(full)),
                color="k",
                linestyle=":",
                linewidth=1.2,
                label="all rows",
            )
        ax.set_xlabel("fraction of the training fold kept")
        ax.set_ylabel(self._y_label(score_name, kind, metric))
        ax.legend(loc="lower right", fontsize="small", ncol=1 + (len(pruners) > 6))
        self._add_count_axis(ax, show_counts)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _check_plot_args(self, std_display_style, kind):
        if std_display_style not in _STD_STYLES:
            raise ValueError(
                f"`std_display_style` must be one of {list(_STD_STYLES)}. Got "
                f"{std_display_style!r} instead."
            )
        if kind not in _KINDS:
            raise ValueError(
                f"`kind` must be one of {list(_KINDS)}. Got {kind!r} instead."
            )
        if not isinstance(self.result, PruningCurveResult):
            raise TypeError(
                f"`result` must be a PruningCurveResult (from pruning_curve). Got "
                f"{type(self.result).__name__} instead."
            )
        return self.result

    def _draw(self, ax, name, values, style, std_display_style, kw):
        """One curve: mean over splits, and its spread in the chosen style."""
        mean, std = values.mean(axis=1), values.std(axis=1)
        x = self._x
        style = {**style, "label": name, **(kw["line_kw"] or {})}
        if std_display_style == "errorbar":
            container = ax.errorbar(
                x, mean, yerr=std, capsize=3, **{**style, **(kw["errorbar_kw"] or {})}
            )
            self.errorbar_[name] = container
            self.lines_[name] = container.lines[0]
            return
        (line,) = ax.plot(x, mean, **style)
        self.lines_[name] = line
        if std_display_style == "fill_between":
            alpha = 0.15 if style.get("linestyle") == "--" else 0.2
            band = dict(alpha=alpha, color=line.get_color())
            self.fill_between_[name] = ax.fill_between(
                x, mean - std, mean + std, **{**band, **(kw["fill_kw"] or {})}
            )

    def _y_label(self, score_name, kind, metric) -> str:
        name = score_name or self.score_name or self.result.score_name
        if metric == "worst_class":
            name = "worst-class recall"
        return f"{name} minus random" if kind == "difference" else name

    def _add_count_axis(self, ax, show_counts) -> None:
        self.count_axis_ = None
        if show_counts:
            rows = float(np.mean(self.result.n_train))
            self.count_axis_ = ax.secondary_xaxis(
                "top", functions=(lambda f: f * rows, lambda c: c / rows)
            )
            self.count_axis_.set_xlabel(f"rows kept (of {rows:.0f} per training fold)")

    @classmethod
    def from_results(
        cls,
        result,
        *,
        ax=None,
        score_name=None,
        kind="score",
        metric="score",
        std_display_style="fill_between",
        show_counts=True,
        line_kw=None,
        fill_between_kw=None,
        errorbar_kw=None,
    ):
        """Plot the output of :func:`pruning_curve`.

        Parameters
        ----------
        result : PruningCurveResult
            The output of :func:`pruning_curve`.
        ax : matplotlib Axes, default=None
            Axes to plot on; None creates a new figure and axes.
        score_name : str, default=None
            Label of the y-axis; None uses ``result.score_name``.
        kind : {"score", "difference"}, default="score"
            Values, or paired differences to random; see :meth:`plot`.
        metric : {"score", "worst_class"}, default="score"
            The test score, or the worst class's recall; see :meth:`plot`.
        std_display_style : {"fill_between", "errorbar"} or None, \
default="fill_between"
            How the spread over splits is shown.
        show_counts : bool, default=True
            Add a top axis with the number of kept rows.
        line_kw, fill_between_kw, errorbar_kw : dict, default=None
            Style keyword arguments, as in :meth:`plot`.

        Returns
        -------
        display : PruningCurveDisplay
            The plotted display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn_prune import RandomPruner
        >>> from sklearn_prune.model_selection import (
        ...     PruningCurveDisplay, pruning_curve)
        >>> X, y = load_iris(return_X_y=True)
        >>> result = pruning_curve(LogisticRegression(max_iter=500),
        ...                        {"mine": RandomPruner()}, X, y,
        ...                        keep=[0.3, 0.6], cv=3, random_state=0)
        >>> display = PruningCurveDisplay.from_results(result)
        >>> display.ax_.get_xlabel()
        'fraction of the training fold kept'
        """
        import_pyplot(f"{cls.__name__}.from_results")
        return cls(result=result, score_name=score_name).plot(
            ax=ax,
            kind=kind,
            metric=metric,
            std_display_style=std_display_style,
            show_counts=show_counts,
            line_kw=line_kw,
            fill_between_kw=fill_between_kw,
            errorbar_kw=errorbar_kw,
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        pruners,
        X,
        y=None,
        *,
        keep=(0.1, 0.2, 0.3, 0.5, 0.7),
        cv=5,
        scoring=None,
        n_repeats=1,
        n_jobs=None,
        random_state=None,
        verbose=0,
        ax=None,
        score_name=None,
        kind="score",
        metric="score",
        std_display_style="fill_between",
        show_counts=True,
        line_kw=None,
        fill_between_kw=None,
        errorbar_kw=None,
    ):
        """Compute a pruning curve with :func:`pruning_curve` and plot it.

        Parameters
        ----------
        estimator : estimator with ``fit``
            The model trained on the kept rows.
        pruners : pruner or dict of str to pruner
            The pruners to compare with random pruning.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data.
        y : array-like of shape (n_samples,), default=None
            Targets.
        keep, cv, scoring, n_repeats, n_jobs, random_state, verbose
            As in :func:`pruning_curve`.
        ax : matplotlib Axes, default=None
            Axes to plot on; None creates a new figure and axes.
        score_name : str, default=None
            Label of the y-axis; None names the score.
        kind : {"score", "difference"}, default="score"
            Values, or paired differences to random; see :meth:`plot`.
        metric : {"score", "worst_class"}, default="score"
            The test score, or the worst class's recall (per-class recall is
            then recorded); see :meth:`plot`.
        std_display_style : {"fill_between", "errorbar"} or None, \
default="fill_between"
            How the spread over splits is shown.
        show_counts : bool, default=True
            Add a top axis with the number of kept rows.
        line_kw, fill_between_kw, errorbar_kw : dict, default=None
            Style keyword arguments, as in :meth:`plot`.

        Returns
        -------
        display : PruningCurveDisplay
            The plotted display; its ``result`` holds the scores.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn_prune import PrototypePruner
        >>> from sklearn_prune.model_selection import PruningCurveDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> display = PruningCurveDisplay.from_estimator(
        ...     LogisticRegression(max_iter=500), PrototypePruner(n_clusters=3),
        ...     X, y, keep=[0.2, 0.5], cv=3, random_state=0)
        >>> display.result.names
        ['PrototypePruner', 'random']
        """
        import_pyplot(f"{cls.__name__}.from_estimator")
        result = pruning_curve(
            estimator,
            pruners,
            X,
            y,
            keep=keep,
            cv=cv,
            scoring=scoring,
            n_repeats=n_repeats,
            per_class=metric == "worst_class",
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        return cls.from_results(
            result,
            ax=ax,
            score_name=score_name,
            kind=kind,
            metric=metric,
            std_display_style=std_display_style,
            show_counts=show_counts,
            line_kw=line_kw,
            fill_between_kw=fill_between_kw,
            errorbar_kw=errorbar_kw,
        )
