"""ScoresDisplay: the distribution of a pruner's scores, and what it keeps."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numpy as np
from scipy import sparse

from .._arrays import n_rows, take_rows
from .._compat import Count, validate_params
from .._kinds import is_torch_tensor
from .._plotting import import_pyplot

__all__ = ["ScoresDisplay"]


def _check_scores(scores) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 1 or scores.shape[0] < 1:
        raise ValueError(
            f"`scores` must be a non-empty 1-D array. Got shape {scores.shape}."
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError("`scores` contains NaN or infinity.")
    return scores


def _kept_mask(kept, n: int) -> np.ndarray | None:
    """``kept`` (positions or a boolean mask) as a boolean mask of ``n`` rows."""
    if kept is None:
        return None
    kept = np.asarray(kept)
    if kept.dtype == bool:
        if kept.shape != (n,):
            raise ValueError(
                f"A boolean `kept` must have one entry per score ({n}). Got shape "
                f"{kept.shape}."
            )
        return kept
    if kept.ndim != 1 or (kept.size and not np.issubdtype(kept.dtype, np.integer)):
        raise ValueError(
            f"`kept` must be positions of kept rows (ints, such as a pruner's "
            f"`sample_indices_`) or a boolean mask. Got dtype {kept.dtype}, shape "
            f"{kept.shape}."
        )
    if kept.size and (kept.min() < 0 or kept.max() >= n):
        raise ValueError(
            f"`kept` holds positions outside [0, {n}): min {kept.min()}, max "
            f"{kept.max()}."
        )
    mask = np.zeros(n, dtype=bool)
    mask[kept] = True
    return mask


def _image_layout(shape: tuple, name: str) -> str:
    """``"hw"``, ``"chw"`` or ``"hwc"``: how one image of ``shape`` is laid out."""
    if len(shape) == 2:
        return "hw"
    if len(shape) == 3 and shape[0] in (1, 3):
        return "chw"
    if len(shape) == 3 and shape[2] in (1, 3, 4):
        return "hwc"
    raise ValueError(
        f"`{name}` must describe images as (height, width), (channels, height, "
        f"width) or (height, width, channels) with 1 or 3 channels (4 for RGBA "
        f"last). Got {shape}."
    )


def _check_images(images, image_shape, n: int):
    """Validate ``images`` against the scores; return the shape of one image."""
    if images is None:
        if image_shape is not None:
            raise ValueError("`image_shape` is given but there are no images (X).")
        return None
    if n_rows(images) != n:
        raise ValueError(
            f"The images have {n_rows(images)} rows but there are {n} scores."
        )
    shape = tuple(images.shape[1:]) if hasattr(images, "shape") else None
    if image_shape is not None:
        image_shape = tuple(int(s) for s in image_shape)
        size = int(np.prod(shape)) if shape is not None else None
        if size != int(np.prod(image_shape)):
            raise ValueError(
                f"`image_shape`={image_shape} needs {int(np.prod(image_shape))} "
                f"values per row, but each row has {size}."
            )
        _image_layout(image_shape, "image_shape")
        return image_shape
    if shape is None or len(shape) < 2:
        return None  # flat rows: not images unless image_shape says so
    _image_layout(shape, "X")
    return shape


def _rows_as_images(images, rows: np.ndarray, image_shape: tuple) -> np.ndarray:
    """Rows ``rows`` of ``images`` as (k, h, w[, c]) arrays, each scaled to [0, 1]."""
    block = take_rows(images, rows)
    if is_torch_tensor(block):
        block = block.detach().float().cpu().numpy()
    elif sparse.issparse(block):
        block = block.toarray()
    block = np.asarray(block, dtype=np.float64).reshape((rows.shape[0],) + image_shape)
    layout = _image_layout(image_shape, "image_shape")
    if layout == "chw":
        block = np.moveaxis(block, 1, -1)
    if block.ndim == 4 and block.shape[-1] == 1:
        block = block[..., 0]
    low = block.reshape(block.shape[0], -1).min(axis=1)
    high = block.reshape(block.shape[0], -1).max(axis=1)
    scale = np.where(high > low, high - low, 1.0)
    expand = (slice(None),) + (None,) * (block.ndim - 1)
    return (block - low[expand]) / scale[expand]


def _mosaic(tiles: np.ndarray, n_cols: int, gap: tuple[int, int]) -> np.ndarray:
    """Tiles (k, h, w[, c]) in rows of ``n_cols``, ``gap`` (rows, columns) apart.

    The gaps are NaN for one-channel tiles and white for colour tiles.
    """
    k, h, w = tiles.shape[:3]
    n_lines = -(-k // n_cols)
    extra = tiles.shape[3:]
    fill = np.nan if not extra else 1.0
    step_r, step_c = h + gap[0], w + gap[1]
    out = np.full((n_lines * step_r - gap[0], n_cols * step_c - gap[1]) + extra, fill)
    for i in range(k):
        r, c = divmod(i, n_cols)
        out[r * step_r : r * step_r + h, c * step_c : c * step_c + w] = tiles[i]
    return out


class ScoresDisplay:
    """Distribution of a pruner's scores per class, with what it keeps marked.

    The left panel shows, for every class (one row each, or one row for all
    rows without ``y``), a histogram of the difficulty scores (higher =
    harder), the kept rows stacked below the pruned ones in colour, and short
    vertical lines at the edges of the kept score range where pruned rows lie
    beyond them: the kept/pruned boundary. For image data, a second panel
    shows the easiest rows (top) and the hardest rows (bottom), each tile
    captioned with its class, pale if the row is pruned.

    Images are recognised as follows: ``X`` of shape (n_samples, height,
    width) is grayscale; of shape (n_samples, channels, height, width) with 1
    or 3 channels, or (n_samples, height, width, channels), colour (or
    grayscale with one channel); flattened rows (such as the 64 features of
    scikit-learn's digits) are images only when ``image_shape`` says how to
    fold them, e.g. ``image_shape=(8, 8)``. Each tile is scaled to its own
    value range.

    It is recommended to build it with :meth:`from_estimator` or
    :meth:`from_scores`; all parameters are stored as attributes.

    Read more in the :ref:`User Guide <ug_inspection>`.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Difficulty of every row (higher = harder), e.g. a pruner's
        ``scores_``.
    y : array-like of shape (n_samples,), default=None
        Class of every row; None draws one distribution for all rows.
    kept : array-like of int or bool, default=None
        The kept rows: positions (a pruner's ``sample_indices_``) or a boolean
        mask. None marks nothing as kept or pruned.
    images : array-like of shape (n_samples, ...), default=None
        The rows as images (see above for the recognised shapes).
    image_shape : tuple of int, default=None
        Shape of one image, to fold flat rows of ``images``: (height, width),
        (channels, height, width) or (height, width, channels).
    score_name : str, default=None
        Label of the score axis; None writes "score (higher = harder)".

    Attributes
    ----------
    ax_ : matplotlib Axes
        Axes with the score distributions.

    figure_ : matplotlib Figure
        Figure containing the plot.

    lines_ : list of matplotlib Line2D
        The kept/pruned boundary marks, one or two per class (none when
        ``kept`` is None).

    bars_ : dict
        For every class label (None without ``y``), the kept and the pruned
        histogram (``{"kept": artist, "pruned": artist}``), or all rows
        (``{"all": artist}``) when ``kept`` is None.

    image_ax_ : matplotlib Axes or None
        Axes with the easiest and hardest rows; None when there are no images
        or no axes for them.

    image_rows_ : ndarray of shape (2, n_images) or None
        Positions of the rows drawn: easiest first (top), then hardest first
        (bottom).

    See Also
    --------
    sklearn_prune.model_selection.PruningCurveDisplay : Does pruning pay?

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_prune import PrototypePruner
    >>> from sklearn_prune.inspection import ScoresDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> pruner = PrototypePruner(keep=0.3, n_clusters=10, random_state=0)
    >>> display = ScoresDisplay.from_estimator(pruner, X, y, image_shape=(8, 8))
    >>> len(display.bars_), display.image_rows_.shape
    (10, (2, 8))
    """

    def __init__(
        self,
        *,
        scores,
        y=None,
        kept=None,
        images=None,
        image_shape=None,
        score_name=None,
    ):
        self.scores = scores
        self.y = y
        self.kept = kept
        self.images = images
        self.image_shape = image_shape
        self.score_name = score_name

    @validate_params(
        {
            "n_images": [Count(1, None, closed="left")],
            "bins": [Count(1, None, closed="left")],
        },
        prefer_skip_nested_validation=True,
    )
    def plot(self, ax=None, *, image_ax=None, n_images=8, bins=30, cmap="gray_r"):
        """Plot the score distributions (and the easiest and hardest images).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes for the score distributions. None creates a new figure, with
            a second axes for the images when there are images.
        image_ax : matplotlib Axes, default=None
            Axes for the easiest and hardest images. Used only when there are
            images; when ``ax`` is given and ``image_ax`` is None, no images
            are drawn.
        n_images : int, default=8
            Number of easiest and of hardest rows shown.
        bins : int, default=30
            Number of histogram bins over the whole score range.
        cmap : str or matplotlib Colormap, default="gray_r"
            Colormap of one-channel images.

        Returns
        -------
        display : ScoresDisplay
            The display, with ``ax_``, ``figure_`` and the artists set.
        """
        plt = import_pyplot(f"{type(self).__name__}.plot")
        scores = _check_scores(self.scores)
        n = scores.shape[0]
        kept = _kept_mask(self.kept, n)
        if self.y is None:
            y = None
        else:
            y = np.asarray(self.y)
            if y.shape != (n,):
                raise ValueError(
                    f"`y` must have one label per score ({n}). Got shape {y.shape}."
                )
        image_shape = _check_images(self.images, self.image_shape, n)
        if ax is None:
            if image_shape is not None:
                _, (ax, image_ax) = plt.subplots(
                    1,
                    2,
                    figsize=(11, 4.5),
                    gridspec_kw=dict(width_ratios=[1, 1.2]),
                    layout="constrained",
                )
            else:
                _, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")

        self._plot_distributions(ax, scores, y, kept, bins)
        self.image_ax_, self.image_rows_ = None, None
        if image_shape is not None and image_ax is not None:
            self._plot_images(image_ax, scores, y, kept, image_shape, n_images, cmap)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _plot_distributions(self, ax, scores, y, kept, bins):
        classes = [None] if y is None else list(np.unique(y))
        edges = np.histogram_bin_edges(scores, bins=bins)
        counts = {}
        for label in classes:
            rows = np.ones_like(scores, dtype=bool) if label is None else y == label
            parts = (
                {"all": rows}
                if kept is None
                else {
                    "kept": rows & kept,
                    "pruned": rows & ~kept,
                }
            )
            counts[label] = {
                k: np.histogram(scores[m], edges)[0] for k, m in parts.items()
            }
        self.bars_, self.lines_ = {}, []
        colors = {"kept": "C0", "pruned": "0.7", "all": "C0"}
        for row, label in enumerate(classes):
            # bar height: square root of the count, scaled per class, so that
            # the tails stay visible next to a peak; a bar is split between
            # kept and pruned rows in proportion to their counts
            total = sum(counts[label].values())
            height = 0.85 * np.sqrt(total / max(total.max(), 1))
            share = np.divide(height, total, out=np.zeros_like(height), where=total > 0)
            base = np.full(edges.shape[0] - 1, float(row))
            self.bars_[label] = {}
            for part, values in counts[label].items():
                top = base + share * values
                self.bars_[label][part] = ax.stairs(
                    top,
                    edges,
                    baseline=base,
                    fill=True,
                    color=colors[part],
                    label=part if row == 0 else None,
                )
                base = top
            if kept is None:
                continue
            rows = np.ones_like(scores, dtype=bool) if label is None else y == label
            inside, outside = scores[rows & kept], scores[rows & ~kept]
            if inside.size == 0 or outside.size == 0:
                continue
            for edge, beyond in (
                (inside.min(), outside.min() < inside.min()),
                (inside.max(), outside.max() > inside.max()),
            ):
                if beyond:
                    (line,) = ax.plot(
                        [edge, edge], [row - 0.05, row + 0.95], color="C3", lw=1.5
                    )
                    self.lines_.append(line)
        ax.set_yticks(np.arange(len(classes)) + 0.4)
        ax.set_yticklabels(["all rows"] if y is None else [str(c) for c in classes])
        ax.set_ylim(-0.1, len(classes) + 0.5 * (kept is not None))
        ax.set_xlabel(self.score_name or "score (higher = harder)")
        ax.set_ylabel("class" if y is not None else "")
        if kept is not None:
            n_kept = int(kept.sum())
            ax.set_title(
                f"kept {n_kept} of {scores.shape[0]} rows (red: kept/pruned boundary)",
                fontsize="medium",
            )
            ax.legend(loc="upper right", fontsize="small", ncol=2)

    def _plot_images(self, ax, scores, y, kept, image_shape, n_images, cmap):
        n_images = min(n_images, scores.shape[0])
        order = np.argsort(scores, kind="stable")
        rows = np.vstack([order[:n_images], order[::-1][:n_images]])
        tiles = _rows_as_images(self.images, rows.ravel(), image_shape)
        from matplotlib.patches import Rectangle

        h, w = tiles.shape[1:3]
        gap = (max(2, int(np.ceil(0.3 * h))), max(1, w // 8))
        mosaic = _mosaic(tiles, n_images, gap)
        if mosaic.ndim == 2:
            self.images_ = ax.imshow(mosaic, cmap=_white_gaps(cmap), vmin=0, vmax=1)
        else:
            self.images_ = ax.imshow(mosaic)
        step_r, step_c = h + gap[0], w + gap[1]
        for i, row in enumerate(rows.ravel()):
            r, c = divmod(i, n_images)
            pruned = kept is not None and not kept[row]
            ax.text(
                c * step_c + (w - 1) / 2,
                r * step_r + h - 0.5,
                "" if y is None else str(y[row]),
                ha="center",
                va="top",
                fontsize="small",
                color="0.55" if pruned else "C0",
            )
            if pruned:  # a pale veil over the pruned rows
                ax.add_patch(
                    Rectangle(
                        (c * step_c - 0.5, r * step_r - 0.5),
                        w,
                        h,
                        facecolor="white",
                        alpha=0.55,
                        edgecolor="none",
                    )
                )
        ax.set_xticks([])
        ax.set_yticks([(h - 1) / 2, step_r + (h - 1) / 2])
        ax.set_yticklabels(["easiest", "hardest"])
        ax.set_ylim(step_r + h - 0.5 + gap[0], -0.5)
        title = f"the {n_images} easiest and hardest rows"
        if kept is not None:
            title += " (pale: pruned)"
        ax.set_title(title, fontsize="medium")
        self.image_ax_ = ax
        self.image_rows_ = rows

    @classmethod
    def from_scores(
        cls,
        scores,
        y=None,
        kept=None,
        *,
        images=None,
        image_shape=None,
        score_name=None,
        ax=None,
        image_ax=None,
        n_images=8,
        bins=30,
        cmap="gray_r",
    ):
        """Plot given difficulty scores.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
            Difficulty of every row (higher = harder).
        y : array-like of shape (n_samples,), default=None
            Class of every row.
        kept : array-like of int or bool, default=None
            Positions of the kept rows, or a boolean mask.
        images : array-like of shape (n_samples, ...), default=None
            The rows as images (see the class description).
        image_shape : tuple of int, default=None
            Shape of one image, to fold flat rows of ``images``.
        score_name : str, default=None
            Label of the score axis.
        ax, image_ax : matplotlib Axes, default=None
            Axes to plot on, as in :meth:`plot`.
        n_images : int, default=8
            Number of easiest and of hardest rows shown.
        bins : int, default=30
            Number of histogram bins.
        cmap : str or matplotlib Colormap, default="gray_r"
            Colormap of one-channel images.

        Returns
        -------
        display : ScoresDisplay
            The plotted display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from sklearn_prune.inspection import ScoresDisplay
        >>> rng = np.random.RandomState(0)
        >>> scores, y = rng.normal(size=100), np.repeat([0, 1], 50)
        >>> kept = np.flatnonzero(scores > 0)
        >>> display = ScoresDisplay.from_scores(scores, y, kept)
        >>> sorted(display.bars_[0])
        ['kept', 'pruned']
        """
        import_pyplot(f"{cls.__name__}.from_scores")
        return cls(
            scores=scores,
            y=y,
            kept=kept,
            images=images,
            image_shape=image_shape,
            score_name=score_name,
        ).plot(ax=ax, image_ax=image_ax, n_images=n_images, bins=bins, cmap=cmap)

    @classmethod
    def from_estimator(
        cls,
        pruner,
        X,
        y=None,
        *,
        image_shape=None,
        score_name=None,
        ax=None,
        image_ax=None,
        n_images=8,
        bins=30,
        cmap="gray_r",
        **fit_params,
    ):
        """Plot the scores of a pruner on ``X``, fitting it first if needed.

        Parameters
        ----------
        pruner : pruner
            A pruner (such as :class:`~sklearn_prune.EL2NPruner`). If it is not
            fitted yet (no ``scores_``), it is fitted on ``X`` and ``y`` here;
            otherwise ``X`` must be the data it was fitted on.
        X : array-like of shape (n_samples, ...)
            The pruner's training data. Shown as images when it has the shape
            of images or ``image_shape`` is given.
        y : array-like of shape (n_samples,), default=None
            Class of every row (and the pruner's target when it is fitted
            here).
        image_shape : tuple of int, default=None
            Shape of one image, to fold flat rows of ``X`` (``(8, 8)`` for
            scikit-learn's digits).
        score_name : str, default=None
            Label of the score axis; None names the pruner.
        ax, image_ax : matplotlib Axes, default=None
            Axes to plot on, as in :meth:`plot`.
        n_images : int, default=8
            Number of easiest and of hardest rows shown.
        bins : int, default=30
            Number of histogram bins.
        cmap : str or matplotlib Colormap, default="gray_r"
            Colormap of one-channel images.
        **fit_params : dict
            Passed to ``pruner.fit`` when it is fitted here.

        Returns
        -------
        display : ScoresDisplay
            The plotted display.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_prune import PrototypePruner
        >>> from sklearn_prune.inspection import ScoresDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> pruner = PrototypePruner(keep=0.5, n_clusters=10, random_state=0)
        >>> display = ScoresDisplay.from_estimator(pruner, X, y)
        >>> display.ax_.get_xlabel()
        'PrototypePruner score (higher = harder)'
        """
        import_pyplot(f"{cls.__name__}.from_estimator")
        if not (hasattr(pruner, "fit") and hasattr(pruner, "fit_resample")):
            raise TypeError(
                f"`pruner` must be a pruner (such as sklearn_prune.EL2NPruner). Got "
                f"{type(pruner).__name__} instead."
            )
        if not hasattr(pruner, "scores_"):
            pruner.fit(X, y, **fit_params)
        n = n_rows(X)
        if pruner.scores_.shape[0] != n:
            raise ValueError(
                f"`pruner` was fitted on {pruner.scores_.shape[0]} rows but `X` has "
                f"{n}: pass the data it was fitted on, or an unfitted pruner."
            )
        if score_name is None:
            score_name = f"{type(pruner).__name__} score (higher = harder)"
        return cls.from_scores(
            pruner.scores_,
            y,
            getattr(pruner, "sample_indices_", None),
            images=X,
            image_shape=image_shape,
            score_name=score_name,
            ax=ax,
            image_ax=image_ax,
            n_images=n_images,
            bins=bins,
            cmap=cmap,
        )


def _white_gaps(cmap):
    """A copy of ``cmap`` that draws NaN (the gaps between tiles) in white."""
    import matplotlib

    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    return cm.with_extremes(bad="white")
