"""Training-dynamics scores: each equals a hand-written copy of its reference."""

import numpy as np
import pytest
from numpy import linalg as LA
from sklearn.datasets import load_digits, make_classification
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_prune import (
    RecordedDynamicsPruner,
    TrainingDynamics,
    TrainingDynamicsPruner,
)

N, C, T = 60, 4, 12  # rows, classes, epochs of the fixed trajectory


@pytest.fixture(scope="module")
def trajectory():
    """Logits of every row at every epoch, drifting towards the label or not."""
    rng = np.random.RandomState(0)
    y = rng.randint(C, size=N)
    pull = rng.uniform(-0.5, 1.0, size=N)  # negative: rows the model gets wrong
    logits = np.empty((T, N, C))
    for t in range(T):
        logits[t] = rng.normal(scale=1.5, size=(N, C))
        logits[t, np.arange(N), y] += pull * t / 3
    logits[:, :5, :] = np.round(logits[:, :5, :])  # ties in the argmax
    return logits, y


def record(logits, y, batch_size=7, seed=0, **kw):
    """Feed the trajectory in shuffled mini-batches, as a training loop does."""
    rec = TrainingDynamics(N, C, **kw)
    rng = np.random.RandomState(seed)
    for t in range(logits.shape[0]):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            batch = order[start : start + batch_size]
            rec.update(batch, logits[t, batch], y[batch])
    return rec


def reference_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# -- hand-written copies of the reference formulas, one row at a time ---------


def toneva_forgetting(logits, y):
    """Toneva et al.'s compute_forgetting_statistics + sort_examples_by_forgetting."""
    npresentations = logits.shape[0]
    counts = np.zeros(N)
    for i in range(N):
        presentation_acc = np.array(
            [int(np.argmax(logits[t, i]) == y[i]) for t in range(npresentations)]
        )
        transitions = presentation_acc[1:] - presentation_acc[:-1]
        unlearned = np.where(transitions == -1)[0] + 2
        if len(np.where(presentation_acc == 1)[0]) == 0:  # never learned
            counts[i] = npresentations
        else:
            counts[i] = len(unlearned)
    return counts


def aum_package(logits, y):
    """The aum package: mean over updates of target logit - largest other logit."""
    sums, counts = np.zeros(N), np.zeros(N)
    for t in range(logits.shape[0]):
        for i in range(N):
            masked = logits[t, i].copy()
            target = masked[y[i]]
            masked[y[i]] = -np.inf
            sums[i] += target - masked.max()
            counts[i] += 1
    return sums / counts


def cartography(logits, y):
    """allenai/cartography: mean and np.std of the gold-label probability."""
    confidence, variability = np.zeros(N), np.zeros(N)
    for i in range(N):
        gold = [reference_softmax(logits[t, i])[y[i]] for t in range(logits.shape[0])]
        confidence[i] = np.mean(gold)
        variability[i] = np.std(gold)
    return confidence, variability


def tdds_reference(logits, window_size, decay):
    """TDDS's importance_evaluation.py generate(), rows already in order."""
    trajectory_len = logits.shape[0]
    moving_averages = []
    k = 0
    while k < trajectory_len - window_size + 1:
        probs = reference_softmax(logits[k : k + window_size])
        kd = []
        for j in range(window_size - 1):
            log = np.log(probs[j + 1] + 1e-8) - np.log(probs[j] + 1e-8)
            kd.append(np.abs(probs[j + 1] * log).sum(axis=1))
        kd = np.array(kd)
        window_average = kd.sum(0) / (window_size - 1)
        diffdiff = [kd[ii] - window_average for ii in range(window_size - 1)]
        norm = LA.norm(np.array(diffdiff), axis=0)
        moving_averages.append(
            norm * decay * (1 - decay) ** (trajectory_len - window_size - k)
        )
        k += 1
    return np.squeeze(sum(np.array(moving_averages), 0))


def el2n(logits, y, epoch):
    error = reference_softmax(logits[epoch - 1])
    error[np.arange(N), y] -= 1.0
    return np.linalg.norm(error, axis=1)


# -- equivalence -----------------------------------------------------------------


def test_forgetting_equals_toneva(trajectory):
    logits, y = trajectory
    expected = toneva_forgetting(logits, y)
    assert (expected == T).any() and (0 < expected[expected < T]).any()  # both cases
    np.testing.assert_allclose(
        record(logits, y).score("forgetting"), expected, 0, 1e-12
    )


def test_aum_equals_the_aum_package(trajectory):
    logits, y = trajectory
    got = record(logits, y).score("aum")
    np.testing.assert_allclose(got, -aum_package(logits, y), rtol=0, atol=1e-12)


def test_confidence_and_variability_equal_cartography(trajectory):
    logits, y = trajectory
    confidence, variability = cartography(logits, y)
    rec = record(logits, y)
    np.testing.assert_allclose(rec.score("confidence"), 1 - confidence, 0, 1e-12)
    np.testing.assert_allclose(rec.score("variability"), variability, 0, 1e-12)


@pytest.mark.parametrize("window, decay", [(10, 0.9), (4, 0.5), (2, 0.3), (T, 0.9)])
def test_tdds_equals_importance_evaluation(trajectory, window, decay):
    logits, y = trajectory
    rec = record(logits, y, tdds_window=window, tdds_decay=decay)
    expected = tdds_reference(logits, window, decay)
    np.testing.assert_allclose(rec.score("tdds"), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("epoch", [1, 5, "last"])
def test_el2n_at_an_epoch(trajectory, epoch):
    logits, y = trajectory
    rec = record(logits, y, el2n_epoch=epoch)
    expected = el2n(logits, y, T if epoch == "last" else epoch)
    np.testing.assert_allclose(rec.score("el2n"), expected, rtol=0, atol=1e-12)


def test_probabilities_as_outputs(trajectory):
    logits, y = trajectory
    proba = reference_softmax(logits)
    rec = record(proba, y, outputs="proba", keep_proba=True)
    from_logits = record(logits, y)
    for name in ("forgetting", "confidence", "variability"):
        np.testing.assert_allclose(rec.score(name), from_logits.score(name), 0, 1e-12)
    # margins are taken on the probabilities themselves (a variant)
    np.testing.assert_allclose(rec.score("aum"), -aum_package(proba, y), 0, 1e-12)
    np.testing.assert_allclose(rec.mean_proba(), proba.mean(axis=0), 0, 1e-12)


def test_batches_and_order_do_not_matter(trajectory):
    logits, y = trajectory
    a = record(logits, y, batch_size=N, tdds_window=3, seed=1)
    b = record(logits, y, batch_size=1, tdds_window=3, seed=2)
    for name in ("aum", "forgetting", "confidence", "variability", "tdds"):
        np.testing.assert_allclose(a.score(name), b.score(name), 0, 1e-12)


def test_memory_is_four_float64_per_row_without_windows(trajectory):
    rec = TrainingDynamics(1000, 10)
    assert rec.nbytes == 1000 * 4 * 8
    windowed = TrainingDynamics(1000, 10, tdds_window=5)
    assert windowed.nbytes == 1000 * 8 * (4 + 10 + 4 + 1)


def test_torch_tensors_are_recorded_like_numpy(trajectory):
    torch = pytest.importorskip("torch")
    logits, y = trajectory
    rec = TrainingDynamics(N, C, tdds_window=3)
    for t in range(T):
        rec.update(
            torch.arange(N),
            torch.tensor(logits[t], dtype=torch.float64, requires_grad=True),
            torch.tensor(y),
        )
    ref = record(logits, y, tdds_window=3)
    for name in ("aum", "forgetting", "tdds"):
        np.testing.assert_allclose(rec.score(name), ref.score(name), 0, 1e-12)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(indices=[0, 0], outputs=np.zeros((2, C)), y=[0, 1]), "repeats"),
        (  # a whole epoch with one row twice: counted, not sorted
            dict(indices=np.r_[1:N, 1], outputs=np.zeros((N, C)), y=np.zeros(N, int)),
            "repeats",
        ),
        (dict(indices=[0, N], outputs=np.zeros((2, C)), y=[0, 1]), "indices"),
        (dict(indices=[0.0], outputs=np.zeros((1, C)), y=[0]), "indices"),
        (dict(indices=[0], outputs=np.zeros((1, C + 1)), y=[0]), "outputs"),
        (dict(indices=[0], outputs=np.full((1, C), np.nan), y=[0]), "NaN"),
        (dict(indices=[0], outputs=np.zeros((1, C)), y=[C]), "y"),
        (dict(indices=[0], outputs=np.zeros((1, C)), y=[0.5]), "y"),
    ],
)
def test_bad_updates_are_rejected(kwargs, match):
    rec = TrainingDynamics(N, C)
    with pytest.raises(ValueError, match=match):
        rec.update(**kwargs)
    assert rec.n_records_.sum() == 0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_samples=0, n_classes=2), ValueError, "n_samples"),
        (dict(n_samples=5, n_classes=1), ValueError, "n_classes"),
        (dict(n_samples=5, n_classes=2, outputs="scores"), ValueError, "outputs"),
        (dict(n_samples=5, n_classes=2, tdds_window=1), ValueError, "tdds_window"),
        (dict(n_samples=5, n_classes=2, tdds_decay=1.0), ValueError, "tdds_decay"),
        (dict(n_samples=5, n_classes=2, el2n_epoch=0), ValueError, "el2n_epoch"),
        (dict(n_samples=5.0, n_classes=2), TypeError, "n_samples"),
    ],
)
def test_bad_recorders_are_rejected(kwargs, error, match):
    with pytest.raises(error, match=match):
        TrainingDynamics(**kwargs)


def test_scores_need_enough_records(trajectory):
    logits, y = trajectory
    rec = TrainingDynamics(N, C, tdds_window=4, el2n_epoch=3)
    with pytest.raises(ValueError, match="no record"):
        rec.score("aum")
    for t in range(2):
        rec.update(np.arange(N), logits[t], y)
    with pytest.raises(ValueError, match="tdds_window"):
        rec.score("tdds")
    with pytest.raises(ValueError, match="el2n_epoch"):
        rec.score("el2n")
    with pytest.raises(ValueError, match="name"):
        rec.score("loss")
    plain = record(logits, y)
    for name, match in (("tdds", "tdds_window"), ("el2n", "el2n_epoch")):
        with pytest.raises(ValueError, match=match):
            plain.score(name)
    with pytest.raises(ValueError, match="keep_proba"):
        plain.mean_proba()


# -- the pruners -----------------------------------------------------------------


@pytest.fixture(scope="module")
def noisy_digits():
    X, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(0)
    flipped = rng.choice(len(y), len(y) // 5, replace=False)
    y_noisy = y.copy()
    y_noisy[flipped] = (y[flipped] + rng.randint(1, 10, flipped.size)) % 10
    return X, y_noisy, y_noisy != y


@pytest.mark.parametrize(
    "estimator, mode",
    [
        (SGDClassifier(loss="log_loss"), "partial_fit"),
        (None, "partial_fit"),
        (make_pipeline(StandardScaler(), SGDClassifier()), "partial_fit"),
        (GradientBoostingClassifier(n_estimators=5, max_depth=2), "staged"),
        (LogisticRegression(), "warm_start"),
        (RandomForestClassifier(n_estimators=6, max_depth=3), "warm_start"),
    ],
    ids=["sgd", "default", "pipeline", "boosting", "logistic", "forest"],
)
def test_every_training_mode_records_every_row(estimator, mode):
    X, y = make_classification(
        n_samples=120, n_features=6, n_classes=3, n_informative=4, random_state=0
    )
    pruner = TrainingDynamicsPruner(
        estimator=estimator, n_epochs=3, keep=0.5, random_state=0
    ).fit(X, y)
    assert pruner.training_ == mode
    expected = 5 if mode == "staged" else 3
    np.testing.assert_array_equal(pruner.recorder_.n_records_, expected)
    np.testing.assert_array_equal(pruner.scores_, pruner.recorder_.score("aum"))
    assert pruner.sample_indices_.shape == (60,)
    assert estimator is None or not hasattr(estimator, "classes_")  # cloned


def test_estimator_that_cannot_train_by_epochs_is_refused():
    X, y = make_classification(n_samples=50, random_state=0)
    with pytest.raises(ValueError, match="epoch by epoch"):
        TrainingDynamicsPruner(estimator=SVC()).fit(X, y)


# TDDS ranks how much a row's predictions move, not whether its label is wrong
@pytest.mark.parametrize("score", ["aum", "forgetting", "confidence", "el2n"])
def test_pruner_finds_flipped_labels(noisy_digits, score):
    from sklearn.metrics import roc_auc_score

    X, y_noisy, flipped = noisy_digits
    pruner = TrainingDynamicsPruner(metric=score, n_epochs=6, random_state=0)
    pruner.fit(X, y_noisy)
    assert roc_auc_score(flipped, pruner.scores_) > 0.9


def test_noise_estimates_from_the_recording(noisy_digits):
    X, y_noisy, flipped = noisy_digits
    kw = dict(n_epochs=6, random_state=0)
    # predicted != given: errs on the high side, finds nearly every flipped row
    p = TrainingDynamicsPruner(**kw).fit(X, y_noisy)
    assert 0.2 <= p.noise_rate_ < 0.3
    assert p.label_issues_[flipped].mean() > 0.9
    assert p.noise_rate_ == p.label_issues_.mean()
    # confident learning: close to the 20% flipped, nearly always right
    p = TrainingDynamicsPruner(label_noise="confident_learning", **kw).fit(X, y_noisy)
    assert abs(p.noise_rate_ - 0.2) < 0.05
    assert flipped[p.label_issues_].mean() > 0.9


def test_same_random_state_same_scores(noisy_digits):
    X, y, _ = noisy_digits
    a = TrainingDynamicsPruner(n_epochs=2, random_state=3).fit(X, y)
    b = TrainingDynamicsPruner(n_epochs=2, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.scores_, b.scores_)


def test_drop_mislabeled_never_keeps_a_flagged_row(noisy_digits):
    X, y, _ = noisy_digits
    p = TrainingDynamicsPruner(
        n_epochs=4, keep=0.5, strategy="hard", drop_mislabeled=True, random_state=0
    ).fit(X, y)
    assert p.label_issues_.sum() > 100
    assert not p.label_issues_[p.sample_indices_].any()
    assert p.sample_indices_.shape == (899,)  # floor(0.5 * 1797 + 0.5)
    counts = np.bincount(y[p.sample_indices_], minlength=10)
    remaining = np.bincount(y[~p.label_issues_], minlength=10)
    # class balance: every class keeps the same share of its remaining rows
    np.testing.assert_allclose(
        counts / remaining, 0.5 * len(y) / remaining.sum(), atol=0.02
    )


def test_drop_hardest_auto_is_the_estimated_noise_rate(noisy_digits):
    X, y, _ = noisy_digits
    kw = dict(n_epochs=4, keep=0.4, strategy="stratified", random_state=0)
    auto = TrainingDynamicsPruner(drop_hardest="noise_rate", **kw).fit(X, y)
    by_hand = TrainingDynamicsPruner(drop_hardest=auto.noise_rate_, **kw).fit(X, y)
    np.testing.assert_array_equal(auto.sample_indices_, by_hand.sample_indices_)


def test_drop_hardest_noise_rate_never_drops_more_than_the_budget_leaves(
    noisy_digits,
):
    X, y, _ = noisy_digits
    kw = dict(n_epochs=2, keep=0.95, random_state=0)
    pruner = TrainingDynamicsPruner(drop_hardest="noise_rate", **kw).fit(X, y)
    assert pruner.noise_rate_ > 0.05  # more than keep=0.95 leaves
    assert pruner.sample_indices_.shape == (round(0.95 * X.shape[0]),)
    capped = TrainingDynamicsPruner(drop_hardest=0.05, **kw).fit(X, y)
    np.testing.assert_array_equal(pruner.sample_indices_, capped.sample_indices_)


def test_user_pred_probs_replace_the_recorded_ones(noisy_digits):
    X, y, flipped = noisy_digits
    proba = np.eye(10)[y] * 0.9 + 0.01
    proba[flipped] = np.roll(proba[flipped], 1, axis=1)  # confident elsewhere
    p = TrainingDynamicsPruner(n_epochs=2, pred_probs=proba, random_state=0).fit(X, y)
    np.testing.assert_array_equal(p.label_issues_, flipped)
    assert p.noise_rate_ == pytest.approx(flipped.mean())
    with pytest.raises(ValueError, match="pred_probs"):
        TrainingDynamicsPruner(n_epochs=2, pred_probs=proba[:-1]).fit(X, y)


def test_recorded_pruner_prunes_with_the_users_recorder(trajectory):
    logits, y = trajectory
    rec = record(logits, y, keep_proba=True)
    X = np.zeros((N, 3))
    p = RecordedDynamicsPruner(recorder=rec, metric="forgetting", keep=20).fit(X, y)
    np.testing.assert_array_equal(p.scores_, toneva_forgetting(logits, y))
    assert p.sample_indices_.shape == (20,)
    assert not hasattr(p, "noise_rate_")  # label noise only where asked for
    p.set_params(drop_hardest="noise_rate", strategy="stratified").fit(X, y)
    assert 0 < p.noise_rate_ < 1 and p.label_issues_.shape == (N,)
    with pytest.raises(ValueError, match="recorder"):
        RecordedDynamicsPruner(recorder=rec).fit(np.zeros((N + 1, 3)), np.r_[y, 0])


def test_recorded_pruner_without_probabilities_needs_pred_probs(trajectory):
    logits, y = trajectory
    rec = record(logits, y)
    X = np.zeros((N, 3))
    RecordedDynamicsPruner(recorder=rec).fit(X, y)  # no noise option: fine
    with pytest.raises(ValueError, match="pred_probs"):
        RecordedDynamicsPruner(recorder=rec, drop_mislabeled=True).fit(X, y)
    proba = reference_softmax(logits).mean(axis=0)
    p = RecordedDynamicsPruner(
        recorder=rec, pred_probs=proba, drop_mislabeled=True, keep=10
    ).fit(X, y)
    assert not p.label_issues_[p.sample_indices_].any()


def test_recorded_pruner_takes_text_and_tensors(trajectory):
    logits, y = trajectory
    rec = record(logits, y)
    texts = [f"row {i}" for i in range(N)]
    X_kept, y_kept = RecordedDynamicsPruner(recorder=rec, keep=10).fit_resample(
        texts, y
    )
    assert len(X_kept) == 10 and y_kept.shape == (10,)
    torch = pytest.importorskip("torch")
    images = torch.zeros((N, 1, 4, 4))
    X_kept, _ = RecordedDynamicsPruner(recorder=rec, keep=10).fit_resample(images, y)
    assert tuple(X_kept.shape) == (10, 1, 4, 4)


# -- label issues: confident learning ----------------------------------------


def confident_learning_reference(labels, pred_probs):
    """cleanlab's compute_confident_joint (calibrated), one row at a time."""
    n, k = pred_probs.shape
    thresholds = [pred_probs[labels == j, j].mean() for j in range(k)]
    joint = np.zeros((k, k))
    issues = np.zeros(n, dtype=bool)
    for i in range(n):
        confident = [j for j in range(k) if pred_probs[i, j] >= thresholds[j] - 1e-6]
        if not confident:
            continue
        if len(confident) > 1:
            guess = max(confident, key=lambda j: pred_probs[i, j])
        else:
            guess = int(np.argmax(pred_probs[i]))
        joint[labels[i], guess] += 1
        issues[i] = guess != labels[i]
    counts = np.bincount(labels, minlength=k)
    calibrated = (joint.T / np.clip(joint.sum(axis=1), 1, None) * counts).T
    calibrated = calibrated / calibrated.sum() * counts.sum()
    return issues, 1 - np.trace(calibrated) / calibrated.sum()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_find_label_issues_equals_confident_learning(seed):
    from sklearn_prune import find_label_issues

    rng = np.random.RandomState(seed)
    labels = rng.randint(4, size=200)
    pred_probs = reference_softmax(rng.normal(size=(200, 4)) + 2 * np.eye(4)[labels])
    expected_issues, expected_rate = confident_learning_reference(labels, pred_probs)
    issues, rate = find_label_issues(labels, pred_probs)
    np.testing.assert_array_equal(issues, expected_issues)
    assert rate == pytest.approx(expected_rate, abs=1e-12)
    # string labels: columns follow the sorted classes
    names = np.array(["ant", "bee", "cat", "dog"])[labels]
    np.testing.assert_array_equal(find_label_issues(names, pred_probs)[0], issues)


def test_find_label_issues_rejects_bad_probabilities():
    from sklearn_prune import find_label_issues

    y = np.array([0, 1, 2, 0])
    with pytest.raises(ValueError, match="pred_probs"):
        find_label_issues(y, np.full((4, 2), 0.5))
    with pytest.raises(ValueError, match="pred_probs"):
        find_label_issues(y, np.full((3, 3), 0.3))
    with pytest.raises(ValueError, match="NaN"):
        find_label_issues(y, np.full((4, 3), np.nan))


# -- label noise on EL2NPruner ---------------------------------------------------


def test_el2n_finds_and_removes_mislabeled_rows(noisy_digits):
    from sklearn_prune import EL2NPruner

    X, y, flipped = noisy_digits
    p = EL2NPruner(
        n_estimators=1,
        cv=3,
        keep=0.4,
        strategy="stratified",
        drop_mislabeled=True,
        drop_hardest="noise_rate",
        label_noise="confident_learning",
        random_state=0,
    ).fit(X, y)
    assert abs(p.noise_rate_ - flipped.mean()) < 0.05
    assert flipped[p.label_issues_].mean() > 0.8  # out-of-fold, 3 folds: 0.88
    assert not p.label_issues_[p.sample_indices_].any()
    # user pred_probs take the place of the probes'
    proba = np.eye(10)[y]
    proba[flipped] = np.roll(proba[flipped], 1, axis=1)
    p.set_params(pred_probs=proba, drop_hardest=0.0).fit(X, y)
    np.testing.assert_array_equal(p.label_issues_, flipped)


def test_outputs_read_in_chunks_are_the_same(monkeypatch):
    from sklearn_prune import _training_dynamics_pruners

    X, y = make_classification(
        n_samples=100, n_classes=3, n_informative=4, random_state=0
    )
    whole = TrainingDynamicsPruner(n_epochs=2, random_state=0).fit(X, y).scores_
    monkeypatch.setattr(_training_dynamics_pruners, "_INFERENCE_ROWS", 7)
    chunked = TrainingDynamicsPruner(n_epochs=2, random_state=0).fit(X, y).scores_
    np.testing.assert_allclose(chunked, whole, rtol=0, atol=1e-12)
