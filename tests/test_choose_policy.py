"""choose_policy: a pilot pruning curve at one kept size, random as a candidate."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from sklearn_prune import EL2NPruner, PrototypePruner, RandomPruner
from sklearn_prune.model_selection import (
    PolicyChoice,
    PruningCurveResult,
    choose_policy,
)


@pytest.fixture(scope="module")
def noisy():
    """Two clean, separable classes whose training labels are 30% flipped."""
    X, y = make_classification(
        n_samples=400,
        n_features=5,
        n_informative=3,
        class_sep=2.0,
        flip_y=0,
        random_state=0,
    )
    y = y.copy()
    flip = np.random.RandomState(0).choice(400, 120, replace=False)
    y[flip] = 1 - y[flip]
    return X, y


def test_random_wins_when_every_candidate_keeps_the_noise(noisy):
    X, y = noisy
    # keep-hard EL2N keeps the flipped labels: far below random pruning
    choice = choose_policy(
        LogisticRegression(),
        EL2NPruner(n_estimators=2),
        X,
        y,
        keep=0.2,
        candidates={"keep hard": {"strategy": "hard"}},
        random_state=0,
    )
    assert isinstance(choice, PolicyChoice)
    assert choice.random_is_best and choice.name == "random"
    assert isinstance(choice.pruner, RandomPruner) and choice.pruner.keep == 0.2
    assert "random pruning is the best choice" in repr(choice)
    hard = choice.table.set_index("curve").loc["keep hard"]
    assert hard["difference"] < 0 and hard["losses"] > hard["wins"]


def test_the_winner_is_ready_to_use():
    # a pilot whose "keep easy" curve beats random on every split
    from sklearn_prune.model_selection._choose import _decide

    scores = {
        "keep easy": np.array([[0.90, 0.92, 0.91]]),
        "keep hard": np.array([[0.70, 0.72, 0.69]]),
        "random, class-balanced": np.array([[0.85, 0.86, 0.88]]),
    }
    pruner = EL2NPruner(random_state=3)
    result = PruningCurveResult(
        keep=np.array([0.3], dtype=object),
        names=list(scores),
        baselines={name: "random, class-balanced" for name in scores},
        test_scores=scores,
        full_scores=np.array([0.95, 0.95, 0.95]),
        n_kept=np.array([[30, 30, 30]]),
        n_train=np.array([100, 100, 100]),
        n_repeats=1,
        score_name="accuracy",
        pruners={"keep easy": pruner, "keep hard": pruner},
    )
    candidates = {"keep easy": {"strategy": "easy"}, "keep hard": {"strategy": "hard"}}
    choice = _decide(result, pruner, candidates, 0.3, "score")
    assert choice.name == "keep easy" and not choice.random_is_best
    assert choice.pruner.get_params()["strategy"] == "easy"
    assert choice.pruner.keep == 0.3 and choice.pruner.random_state == 3
    assert choice.margin == pytest.approx(np.mean([0.05, 0.06, 0.03]))
    assert choice.margin_std == pytest.approx(np.std([0.05, 0.06, 0.03]))
    assert choice.table["curve"].tolist() == [
        "keep easy",
        "random, class-balanced",
        "keep hard",
    ]
    assert "'keep easy'" in repr(choice) and "+0.0467" in repr(choice)


def test_the_pilot_runs_on_a_stratified_subsample(noisy):
    X, y = noisy
    choice = choose_policy(
        LogisticRegression(),
        PrototypePruner(n_clusters=4),
        X,
        y,
        keep=0.3,
        candidates={"defaults": {}, "keep hard": {"strategy": "hard"}},
        max_samples=300,
        n_repeats=1,
        random_state=0,
    )
    assert set(choice.table["curve"]) == {"defaults", "keep hard", "random"}
    # 3 folds of 300 rows: every row trains in two of them
    assert choice.result.n_train.sum() == 2 * 300


def test_bad_candidates(noisy):
    X, y = noisy
    with pytest.raises(ValueError, match="parameters of PrototypePruner"):
        choose_policy(
            LogisticRegression(),
            PrototypePruner(),
            X,
            y,
            keep=0.3,
            candidates={"bad": {"n_trees": 3}},
        )
    with pytest.raises(TypeError, match="`pruner` must be a pruner"):
        choose_policy(LogisticRegression(), "prototype", X, y, keep=0.3)


def test_pilot_cuts_pred_probs_to_its_rows():
    # the pilot subsample must take the rows of pred_probs it takes of X; the
    # chosen pruner keeps the user's full pred_probs
    from sklearn.datasets import make_blobs

    X, y = make_blobs(400, n_features=4, centers=3, random_state=0)
    proba = np.full((400, 3), 0.02)
    proba[np.arange(400), y] = 0.96
    pruner = EL2NPruner(pred_probs=proba, drop_mislabeled=True, random_state=0)
    choice = choose_policy(
        LogisticRegression(),
        pruner,
        X,
        y,
        keep=0.5,
        cv=2,
        n_repeats=1,
        max_samples=150,
        random_state=0,
    )
    assert choice.name == "random" or choice.pruner.pred_probs is proba
    assert len(choice.table) > 1
