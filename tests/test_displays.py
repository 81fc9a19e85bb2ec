"""PruningCurveDisplay and ScoresDisplay: artists, attributes, optional matplotlib."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from sklearn_prune import PrototypePruner, RandomPruner
from sklearn_prune.inspection import ScoresDisplay
from sklearn_prune.model_selection import PruningCurveDisplay, pruning_curve

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def result():
    X, y = make_classification(
        n_samples=120, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    pruners = {
        "easy": PrototypePruner(n_clusters=3, strategy="easy", class_balance=False),
        "hard": PrototypePruner(n_clusters=3, strategy="hard", class_balance=False),
        "balanced": PrototypePruner(n_clusters=3, class_balance=True),
    }
    return pruning_curve(
        LogisticRegression(max_iter=200),
        pruners,
        X,
        y,
        keep=[0.5, 0.2],
        cv=2,
        random_state=0,
    )


# -- PruningCurveDisplay -----------------------------------------------------------
def test_pruning_curve_display_draws_one_line_per_curve(result):
    display = PruningCurveDisplay.from_results(result)
    assert display.result is result
    assert isinstance(display.ax_, matplotlib.axes.Axes)
    assert display.figure_ is display.ax_.figure
    # three pruners, two random baselines (balanced and not)
    assert list(display.lines_) == result.names
    assert len(display.lines_) == 5
    assert set(display.fill_between_) == set(result.names)
    assert display.errorbar_ is None
    # x: the kept fractions, ascending; y: the mean score over splits
    line = display.lines_["hard"]
    np.testing.assert_allclose(line.get_xdata(), [0.2, 0.5])
    np.testing.assert_allclose(
        line.get_ydata(), result.test_scores["hard"][::-1].mean(axis=1)
    )
    assert display.lines_["random"].get_linestyle() == "--"
    assert display.lines_["hard"].get_linestyle() == "-"
    np.testing.assert_allclose(
        display.full_line_.get_ydata(), [result.full_scores.mean()] * 2
    )
    assert display.count_axis_ is not None
    assert display.ax_.get_ylabel() == "accuracy"
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == result.names + ["all rows"]


def test_pruning_curve_display_options(result):
    fig, ax = plt.subplots()
    display = PruningCurveDisplay(result=result, score_name="acc").plot(
        ax=ax, std_display_style="errorbar", show_counts=False
    )
    assert display.ax_ is ax and display.figure_ is fig
    assert display.fill_between_ is None
    assert len(display.errorbar_) == len(result.names)
    assert display.count_axis_ is None
    assert ax.get_ylabel() == "acc"
    display = PruningCurveDisplay(result=result).plot(std_display_style=None)
    assert display.fill_between_ is None and display.errorbar_ is None
    assert len(display.lines_) == 5
    with pytest.raises(ValueError, match="`std_display_style`"):
        PruningCurveDisplay(result=result).plot(std_display_style="band")
    with pytest.raises(TypeError, match="`result` must be a PruningCurveResult"):
        PruningCurveDisplay(result={"a": 1}).plot()


def test_pruning_curve_display_from_estimator():
    X, y = make_classification(n_samples=80, n_features=4, random_state=0)
    display = PruningCurveDisplay.from_estimator(
        LogisticRegression(),
        RandomPruner(),
        X,
        y,
        keep=[0.3, 0.6],
        cv=2,
        random_state=0,
    )
    assert display.result.names == ["RandomPruner", "random"]
    assert len(display.lines_) == 2


# -- ScoresDisplay ----------------------------------------------------------------
def test_scores_display_per_class_with_boundaries():
    scores = np.arange(20.0)
    y = np.repeat([0, 1], 10)
    kept = np.array([5, 6, 7, 15, 16, 17])  # a band in each class
    display = ScoresDisplay.from_scores(scores, y, kept)
    assert list(display.bars_) == [0, 1]
    assert set(display.bars_[0]) == {"kept", "pruned"}
    # pruned rows on both sides of the band: two boundary marks per class
    assert len(display.lines_) == 4
    np.testing.assert_allclose(
        sorted(line.get_xdata()[0] for line in display.lines_), [5, 7, 15, 17]
    )
    assert display.image_ax_ is None and display.image_rows_ is None
    assert display.ax_.get_xlabel() == "score (higher = harder)"
    assert isinstance(display.figure_, matplotlib.figure.Figure)


def test_scores_display_without_labels_or_kept_rows():
    scores = np.linspace(0, 1, 30)
    display = ScoresDisplay.from_scores(scores)
    assert list(display.bars_) == [None]
    assert list(display.bars_[None]) == ["all"]
    assert display.lines_ == []
    mask = scores > 0.5
    display = ScoresDisplay.from_scores(scores, kept=mask, score_name="EL2N")
    assert len(display.lines_) == 1  # keep-hard: one lower boundary
    assert display.lines_[0].get_xdata()[0] == scores[mask].min()
    assert display.ax_.get_xlabel() == "EL2N"


def test_scores_display_fits_an_unfitted_pruner_and_shows_images():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(40, 16))
    y = np.repeat([0, 1], 20)
    pruner = PrototypePruner(keep=0.5, n_clusters=2, random_state=0)
    display = ScoresDisplay.from_estimator(pruner, X, y, image_shape=(4, 4))
    assert hasattr(pruner, "scores_")  # fitted here
    order = np.argsort(pruner.scores_, kind="stable")
    np.testing.assert_array_equal(display.image_rows_[0], order[:8])
    np.testing.assert_array_equal(display.image_rows_[1], order[::-1][:8])
    assert display.image_ax_ is not None and display.image_ax_ is not display.ax_
    # a fitted pruner is not refitted: its scores are shown
    before = pruner.scores_
    ScoresDisplay.from_estimator(pruner, X, y)
    assert pruner.scores_ is before
    with pytest.raises(ValueError, match="fitted on 40 rows"):
        ScoresDisplay.from_estimator(pruner, X[:10], y[:10])


@pytest.mark.parametrize(
    "shape, image_shape, tile",
    [
        ((12, 5, 6), None, (5, 6)),  # (n, h, w)
        ((12, 3, 5, 6), None, (5, 6, 3)),  # (n, c, h, w)
        ((12, 5, 6, 3), None, (5, 6, 3)),  # (n, h, w, c)
        ((12, 1, 5, 6), None, (5, 6)),  # one channel first
        ((12, 30), (5, 6), (5, 6)),  # flat rows folded
        ((12, 90), (3, 5, 6), (5, 6, 3)),
    ],
)
def test_scores_display_recognises_images(shape, image_shape, tile):
    rng = np.random.RandomState(0)
    images = rng.uniform(size=shape)
    display = ScoresDisplay.from_scores(
        rng.uniform(size=12), images=images, image_shape=image_shape, n_images=3
    )
    mosaic = display.images_.get_array()
    assert mosaic.shape[2:] == tile[2:]
    assert mosaic.shape[0] > 2 * tile[0] and mosaic.shape[1] > 3 * tile[1]
    assert display.image_rows_.shape == (2, 3)


def test_flat_rows_are_not_images_without_image_shape():
    rng = np.random.RandomState(0)
    display = ScoresDisplay.from_scores(
        rng.uniform(size=10), images=rng.uniform(size=(10, 16))
    )
    assert display.image_ax_ is None


def test_scores_display_with_ax_draws_images_only_on_image_ax():
    rng = np.random.RandomState(0)
    images = rng.uniform(size=(10, 4, 4))
    fig, ax = plt.subplots()
    display = ScoresDisplay.from_scores(rng.uniform(size=10), images=images, ax=ax)
    assert display.ax_ is ax and display.image_ax_ is None
    fig, (ax, image_ax) = plt.subplots(1, 2)
    display = ScoresDisplay.from_scores(
        rng.uniform(size=10), images=images, ax=ax, image_ax=image_ax
    )
    assert display.image_ax_ is image_ax


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(scores=[0.0, np.nan]), "NaN"),
        (dict(scores=[[0.0, 1.0]]), "1-D"),
        (dict(scores=[0.0, 1.0], y=[0]), "`y`"),
        (dict(scores=[0.0, 1.0], kept=[2]), "`kept` holds positions"),
        (dict(scores=[0.0, 1.0], kept=[True]), "boolean `kept`"),
        (dict(scores=[0.0, 1.0], kept=[0.5]), "`kept` must be positions"),
        (dict(scores=[0.0, 1.0], image_shape=(1, 1)), "`image_shape`"),
        (
            dict(scores=[0.0, 1.0], images=np.zeros((2, 6)), image_shape=(2, 2)),
            "`image_shape`",
        ),
        (dict(scores=[0.0, 1.0], images=np.zeros((3, 2, 2))), "3 rows"),
        (dict(scores=[0.0, 1.0], images=np.zeros((2, 5, 4, 6))), "`X`"),
    ],
)
def test_scores_display_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ScoresDisplay(**kwargs).plot()


def test_scores_display_bad_plot_parameters():
    with pytest.raises(ValueError, match=r"'n_images' parameter of .*plot must be"):
        ScoresDisplay(scores=[0.0, 1.0]).plot(n_images=0)
    with pytest.raises(TypeError, match=r"'bins' parameter of .*plot must be an int"):
        ScoresDisplay(scores=[0.0, 1.0]).plot(bins=2.5)
    with pytest.raises(TypeError, match="`pruner` must be a pruner"):
        ScoresDisplay.from_estimator(LogisticRegression(), np.zeros((4, 2)))


# -- matplotlib stays optional -------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda r: PruningCurveDisplay.from_results(r),
        lambda r: PruningCurveDisplay(result=r).plot(),
        lambda r: PruningCurveDisplay.from_estimator(
            LogisticRegression(), RandomPruner(), np.zeros((4, 2)), [0, 1, 0, 1]
        ),
        lambda r: ScoresDisplay.from_scores([0.0, 1.0]),
        lambda r: ScoresDisplay(scores=[0.0, 1.0]).plot(),
        lambda r: ScoresDisplay.from_estimator(RandomPruner(), np.zeros((4, 2))),
    ],
)
def test_plots_without_matplotlib_say_what_to_install(result, monkeypatch, call):
    for name in [m for m in sys.modules if m.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        call(result)


def test_importing_the_subpackages_does_not_import_matplotlib():
    code = (
        "import sys, sklearn_prune, sklearn_prune.model_selection, "
        "sklearn_prune.inspection; print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False"]


def test_difference_view_plots_pruners_against_a_zero_random_line(result):
    display = PruningCurveDisplay.from_results(result, kind="difference")
    pruners = [n for n in result.names if result.baselines[n] != n]
    assert list(display.lines_) == pruners
    assert display.full_line_.get_ydata()[0] == 0.0
    assert display.full_line_.get_label() == "random"
    expected = (result.test_scores["hard"] - result.test_scores["random"]).mean(axis=1)
    np.testing.assert_allclose(display.lines_["hard"].get_ydata(), expected[::-1])
    assert display.ax_.get_ylabel() == "accuracy minus random"


def test_worst_class_view_needs_per_class_recall(result):
    with pytest.raises(ValueError, match="per_class=True"):
        PruningCurveDisplay.from_results(result, metric="worst_class")
    with pytest.raises(ValueError, match="`kind` must be"):
        PruningCurveDisplay.from_results(result, kind="ratio")


def test_worst_class_view_from_estimator():
    X, y = make_classification(
        n_samples=90, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    display = PruningCurveDisplay.from_estimator(
        LogisticRegression(max_iter=200),
        PrototypePruner(n_clusters=3),
        X,
        y,
        keep=[0.5],
        cv=2,
        metric="worst_class",
        random_state=0,
    )
    assert display.ax_.get_ylabel() == "worst-class recall"
    worst = display.result.worst_class_scores()["PrototypePruner"]
    np.testing.assert_allclose(
        display.lines_["PrototypePruner"].get_ydata(), worst.mean(axis=1)
    )
