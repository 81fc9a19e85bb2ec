"""Pipeline: pruners run while fitting only, per-row fit parameters follow the rows."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from sklearn_prune import (
    EL2NPruner,
    Pipeline,
    PrototypePruner,
    RandomPruner,
    make_pipeline,
)


class RecordingLR(LogisticRegression):
    """LogisticRegression that remembers what it was fitted on."""

    def fit(self, X, y, sample_weight=None):
        self.seen_X_, self.seen_y_, self.seen_w_ = X, y, sample_weight
        return super().fit(X, y, sample_weight=sample_weight)


def test_fit_prunes_and_predict_skips_the_pruner(Xy):
    X, y = Xy
    w = np.arange(len(y), dtype=float)
    pipe = Pipeline(
        [
            ("prune", PrototypePruner(keep=0.4, n_clusters=4, random_state=0)),
            ("clf", RecordingLR()),
        ]
    )
    pipe.fit(X, y, clf__sample_weight=w)
    idx = pipe.named_steps["prune"].sample_indices_
    clf = pipe.named_steps["clf"]
    assert clf.seen_X_.shape == (120, 8)
    np.testing.assert_array_equal(clf.seen_X_, X[idx])
    np.testing.assert_array_equal(clf.seen_y_, y[idx])
    np.testing.assert_array_equal(clf.seen_w_, w[idx])
    assert pipe.predict(X).shape == (300,)
    assert pipe.predict_proba(X).shape == (300, 2)
    assert pipe.decision_function(X).shape == (300,)
    assert 0.5 < pipe.score(X, y) <= 1.0


def test_pipeline_equals_fitting_on_fit_resample_output(Xy):
    X, y = Xy
    pruner = EL2NPruner(keep=0.5, estimator=LogisticRegression(), random_state=0)
    pipe = make_pipeline(StandardScaler(), pruner, LogisticRegression()).fit(X, y)
    Xs = StandardScaler().fit_transform(X)
    X_kept, y_kept = clone(pruner).fit_resample(Xs, y)
    direct = LogisticRegression().fit(X_kept, y_kept)
    np.testing.assert_allclose(pipe[-1].coef_, direct.coef_)
    np.testing.assert_allclose(pipe.predict_proba(X), direct.predict_proba(Xs))


def test_transformer_after_pruner_is_fitted_on_kept_rows(Xy):
    X, y = Xy
    pipe = make_pipeline(
        RandomPruner(keep=0.5, random_state=0), StandardScaler(), LogisticRegression()
    ).fit(X, y)
    idx = pipe[0].sample_indices_
    np.testing.assert_allclose(pipe[1].mean_, X[idx].mean(axis=0))
    # transform skips the pruner: all rows come out
    assert pipe[:-1].transform(X).shape == (300, 8)


def test_fit_transform_and_fit_resample_return_pruned_rows(Xy):
    X, y = Xy
    pipe = make_pipeline(RandomPruner(keep=0.5, random_state=0), PCA(n_components=2))
    assert pipe.fit_transform(X, y).shape == (150, 2)
    assert pipe.transform(X).shape == (300, 2)
    two = make_pipeline(StandardScaler(), RandomPruner(keep=0.5, random_state=0))
    X_kept, y_kept = two.fit_resample(X, y)
    assert X_kept.shape == (150, 8) and y_kept.shape == (150,)


def test_fit_predict_sees_pruned_rows(Xy):
    from sklearn.cluster import KMeans

    X, y = Xy
    pipe = make_pipeline(
        RandomPruner(keep=0.5, random_state=0),
        KMeans(n_clusters=2, n_init=1, random_state=0),
    )
    assert pipe.fit_predict(X).shape == (150,)


def test_grid_search_over_keep_and_cross_validate(Xy):
    X, y = Xy
    pipe = Pipeline(
        [
            ("prune", PrototypePruner(n_clusters=4, random_state=0)),
            ("clf", LogisticRegression()),
        ]
    )
    grid = GridSearchCV(pipe, {"prune__keep": [0.2, 0.4, 0.7, 1.0]}, cv=3).fit(X, y)
    assert grid.best_params_["prune__keep"] in (0.2, 0.4, 0.7, 1.0)
    assert grid.best_estimator_.named_steps["prune"].sample_indices_.shape[0] == round(
        grid.best_params_["prune__keep"] * 300
    )
    res = cross_validate(pipe, X, y, cv=3, return_estimator=True)
    # each fold's pruner saw only the 200 training rows, the test rows were scored whole
    for est in res["estimator"]:
        assert est[0].scores_.shape == (200,)
    assert np.all(res["test_score"] > 0.5)


def test_clone_set_params_and_params(Xy):
    pipe = make_pipeline(RandomPruner(keep=0.3), LogisticRegression())
    pipe.set_params(randompruner__keep=0.6)
    cloned = clone(pipe)
    assert cloned.get_params()["randompruner__keep"] == 0.6
    assert cloned[0] is not pipe[0]
    assert isinstance(pipe[:1], Pipeline)


def test_memory_caches_the_pruner(Xy, tmp_path):
    X, y = Xy
    pipe = Pipeline(
        [
            ("prune", RandomPruner(keep=0.5, random_state=0)),
            ("clf", LogisticRegression()),
        ],
        memory=str(tmp_path),
    )
    pipe.fit(X, y)
    first = pipe[0].sample_indices_
    pipe.fit(X, y)
    np.testing.assert_array_equal(first, pipe[0].sample_indices_)
    check_is_fitted(pipe)
    # the second fit loaded the pruner from the cache: one entry only
    assert len(list(tmp_path.rglob("output.pkl"))) == 1


def test_step_with_transform_and_fit_resample_is_rejected(Xy):
    X, y = Xy

    class Both(RandomPruner):
        def transform(self, X):
            return X

    with pytest.raises(TypeError, match="not both"):
        make_pipeline(Both(), LogisticRegression()).fit(X, y)
    with pytest.raises(TypeError, match="transformers .* or samplers"):
        make_pipeline(LogisticRegression(), LogisticRegression()).fit(X, y)


def test_passthrough_steps(Xy):
    X, y = Xy
    pipe = Pipeline([("prune", "passthrough"), ("clf", LogisticRegression())]).fit(X, y)
    assert pipe.predict(X).shape == (300,)


def test_metadata_routing_cuts_sample_weight(Xy):
    import sklearn

    X, y = Xy
    w = np.arange(len(y), dtype=float)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = RecordingLR().set_fit_request(sample_weight=True)
        pipe = make_pipeline(RandomPruner(keep=0.5, random_state=0), clf)
        pipe.fit(X, y, sample_weight=w)
        np.testing.assert_array_equal(pipe[-1].seen_w_, w[pipe[0].sample_indices_])


def test_imblearn_sampler_in_our_pipeline_and_our_pruner_in_theirs(Xy):
    pytest.importorskip("imblearn")
    from imblearn.base import is_sampler
    from imblearn.pipeline import Pipeline as ImbPipeline
    from imblearn.under_sampling import RandomUnderSampler

    X, y = Xy
    y = y.copy()
    y[:100] = 0
    w = np.arange(len(y), dtype=float)
    ours = make_pipeline(RandomUnderSampler(random_state=0), RecordingLR())
    ours.fit(X, y, recordinglr__sample_weight=w)
    idx = ours[0].sample_indices_
    np.testing.assert_array_equal(ours[-1].seen_w_, w[idx])
    np.testing.assert_array_equal(ours[-1].seen_X_, X[idx])
    theirs = ImbPipeline(
        [
            ("prune", PrototypePruner(keep=0.4, n_clusters=3, random_state=0)),
            ("clf", RecordingLR()),
        ]
    ).fit(X, y)
    kept = theirs.named_steps["prune"].sample_indices_
    np.testing.assert_array_equal(theirs.named_steps["clf"].seen_X_, X[kept])
    assert kept.shape == (120,)
    assert theirs.predict(X).shape == (300,)
    # imbalanced-learn recognises pruners as samplers, by their tags
    assert is_sampler(PrototypePruner()) and is_sampler(RandomPruner())


# -- regressions of issue 10 --------------------------------------------------


class RecordingFitParams(LogisticRegression):
    """LogisticRegression with an extra fit parameter that is not per row."""

    def fit(self, X, y, sample_weight=None, classes=None, sample_mask=None):
        self.seen_w_, self.seen_classes_, self.seen_mask_ = (
            sample_weight,
            classes,
            sample_mask,
        )
        return super().fit(X, y, sample_weight=sample_weight)


def test_only_declared_per_row_parameters_are_cut(Xy):
    X, y = Xy
    w = np.arange(300.0)
    classes = list(range(300))  # as long as X by chance: not per row
    mask = np.arange(300) % 2 == 0
    pipe = make_pipeline(RandomPruner(keep=0.5, random_state=0), RecordingFitParams())
    pipe.fit(
        X,
        y,
        recordingfitparams__sample_weight=w,
        recordingfitparams__classes=classes,
    )
    idx = pipe[0].sample_indices_
    np.testing.assert_array_equal(pipe[-1].seen_w_, w[idx])
    assert pipe[-1].seen_classes_ == classes
    # a per-row parameter of the user's own is declared
    pipe.set_params(per_row_params=("sample_weight", "sample_mask"))
    pipe.fit(X, y, recordingfitparams__sample_mask=mask)
    np.testing.assert_array_equal(pipe[-1].seen_mask_, mask[idx])
    assert pipe[:1].per_row_params == ("sample_weight", "sample_mask")
    with pytest.raises(ValueError, match="sample_weight has 299 values"):
        pipe.fit(X, y, recordingfitparams__sample_weight=w[:-1])


def test_estimator_classes_are_refused_on_every_scikit_learn_version(Xy):
    X, y = Xy
    with pytest.raises(TypeError, match="Expected an estimator instance"):
        Pipeline([("prune", RandomPruner), ("clf", LogisticRegression())]).fit(X, y)


def test_scikit_learn_pipeline_says_to_use_ours(Xy):
    from sklearn.pipeline import make_pipeline as sk_make_pipeline

    X, y = Xy
    with pytest.raises(TypeError, match="Use sklearn_prune.Pipeline"):
        sk_make_pipeline(RandomPruner(), LogisticRegression()).fit(X, y)
    last = sk_make_pipeline(StandardScaler(), RandomPruner(keep=0.5)).fit(X, y)
    assert not hasattr(last, "transform") and not hasattr(last, "fit_transform")
    with pytest.raises(AttributeError, match="has no attribute 'transform'") as err:
        last.transform(X)
    assert "Use sklearn_prune.Pipeline" in str(err.value.__cause__)
    # anywhere else a pruner simply has no transform
    assert not hasattr(RandomPruner(), "transform")
    with pytest.raises(AttributeError, match="has no attribute 'transform'"):
        getattr(RandomPruner(), "transform")  # noqa: B009


def test_the_frame_check_knows_scikit_learns_pipeline_methods():
    # _compat._asked_by_sklearn_pipeline recognises the methods with which
    # scikit-learn's Pipeline looks for `transform` by their code objects: if
    # a release renamed one, the clear error above would silently become
    # scikit-learn's generic one. CI runs this on the newest and the lowest
    # supported scikit-learn.
    from sklearn.pipeline import Pipeline as SkPipeline

    from sklearn_prune._compat import _SKLEARN_PIPELINE_CHECKS

    names = ("_validate_steps", "_can_transform", "_can_fit_transform")
    codes = {getattr(SkPipeline, name).__code__ for name in names}
    assert codes == set(_SKLEARN_PIPELINE_CHECKS)


def _recording_callback():
    """A fit callback (scikit-learn >= 1.9) that records its hook calls."""

    class Recorder:
        def __init__(self):
            self.calls = []

        def setup(self, estimator, context):
            self.calls.append(("setup", context.task_name))

        def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
            self.calls.append(("begin", context.task_name, len(X)))

        def on_fit_task_end(self, estimator, context, *, X=None, y=None):
            self.calls.append(("end", context.task_name, len(X)))

        def teardown(self, estimator, context):
            self.calls.append(("teardown", context.task_name))

    return Recorder()


def test_fit_callbacks_see_every_step(Xy):
    pytest.importorskip("sklearn.callback")
    X, y = Xy
    recorder = _recording_callback()
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("prune", RandomPruner(keep=0.5, random_state=0)),
            ("clf", LogisticRegression()),
        ]
    ).set_callbacks(recorder)
    pipe.fit(X, y)
    assert recorder.calls == [
        ("setup", "fit"),
        ("begin", "fit", 300),
        ("begin", "fit-transform-scale", 300),
        ("end", "fit-transform-scale", 300),
        ("begin", "fit-resample-prune", 300),
        ("end", "fit-resample-prune", 150),
        ("begin", "fit-final-estimator", 150),
        ("end", "fit-final-estimator", 150),
        ("end", "fit", 150),
        ("teardown", "fit"),
    ]
    recorder.calls.clear()
    pipe[:2].set_callbacks(recorder).fit_resample(X, y)
    assert [c[1] for c in recorder.calls if c[0] == "begin"] == [
        "fit-resample",
        "fit-transform-scale",
        "fit-resample-final-estimator",
    ]
