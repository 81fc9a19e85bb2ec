"""Issue 17, everyday use: threads, integer keep, clear messages, verbose output."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_prune import (
    EL2NPruner,
    PrototypePruner,
    RandomPruner,
    SemDedupPruner,
    _el2n,
    make_pipeline,
    select_indices,
)
from sklearn_prune._threads import threads_per_worker
from sklearn_prune.datasets import make_near_duplicates
from sklearn_prune.exceptions import PruningWarning

SEEN_THREADS = []


class RecordingProbe(ClassifierMixin, BaseEstimator):
    """A logistic regression that records the BLAS threads it may use."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        SEEN_THREADS.append(max(blas, default=1))
        self.model_ = LogisticRegression(max_iter=200).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


def _has_blas():
    return any(p["user_api"] == "blas" for p in threadpool_info())


@pytest.mark.skipif(not _has_blas(), reason="no BLAS seen by threadpoolctl")
def test_the_default_probe_runs_one_blas_thread(monkeypatch):
    X, y = load_iris(return_X_y=True)
    monkeypatch.setattr(_el2n, "default_probe", lambda n: RecordingProbe())
    SEEN_THREADS.clear()
    with threadpool_limits(limits=4):  # as if the machine had 4 BLAS threads
        EL2NPruner(n_estimators=2, random_state=0).fit(X, y)
    assert SEEN_THREADS == [1, 1]


@pytest.mark.skipif(not _has_blas(), reason="no BLAS seen by threadpoolctl")
def test_workers_times_threads_never_exceed_the_cores():
    from joblib import cpu_count

    X, y = load_iris(return_X_y=True)
    cores = cpu_count()
    SEEN_THREADS.clear()
    with threadpool_limits(limits=cores * 4):  # more BLAS threads than cores
        EL2NPruner(estimator=RecordingProbe(), n_estimators=2).fit(X, y)
    assert SEEN_THREADS == [cores, cores]  # one worker: every core, no more
    assert threads_per_worker(None, small=False) == cores
    assert threads_per_worker(2, small=False) == max(1, cores // 2)
    assert threads_per_worker(-1, small=False) == 1
    assert threads_per_worker(4, small=True) == 1


# -- keep=1 --------------------------------------------------------------------------
def test_integer_keep_one_warns_that_it_means_one_row():
    X = np.arange(20.0).reshape(10, 2)
    with pytest.warns(PruningWarning, match=r"keeps one row.*keep=1\.0"):
        pruner = RandomPruner(keep=1, random_state=0).fit(X)
    assert pruner.sample_indices_.shape == (1,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RandomPruner(keep=1.0).fit(X)  # keeps all, quietly
        RandomPruner(keep=2).fit(X)


def test_class_balance_warning_names_an_integer_keep():
    y = np.repeat([0, 1, 2], 10)
    with pytest.warns(PruningWarning, match="An int `keep` is a number of rows"):
        select_indices(np.arange(30.0), 2, y=y, class_balance=True)
    with pytest.warns(PruningWarning) as record:
        select_indices(np.arange(30.0), 0.05, y=y, class_balance=True)
    assert "Increase `keep`" in str(record[0].message)
    assert "An int" not in str(record[0].message)


# -- the Python API's messages --------------------------------------------------------
def test_a_text_column_is_named_with_its_dtype_and_a_value():
    frame = load_iris(as_frame=True).frame
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[frame.target]
    with pytest.raises(ValueError) as exc:
        PrototypePruner().fit(frame)
    message = str(exc.value)
    assert "column 'species' of X is not numeric" in message
    assert "e.g. 'setosa'" in message and "OneHotEncoder" in message
    assert "could not convert" not in message
    mixed = frame.drop(columns="species").astype(object)
    mixed.iloc[7, 1] = "n/a"
    with pytest.raises(ValueError, match=r"mixes numbers .*'n/a' in row 7"):
        RandomPruner().fit(mixed)
    numbers_as_objects = frame.drop(columns="species").astype(object)
    RandomPruner().fit(numbers_as_objects)  # numbers held as objects pass


@pytest.mark.parametrize("param, value", [("strategy", "easy"), ("drop_hardest", 0.1)])
def test_random_pruner_refuses_policies(param, value):
    X = np.arange(40.0).reshape(20, 2)
    with pytest.raises(ValueError, match=f"RandomPruner got `{param}`"):
        RandomPruner(**{param: value}).fit(X)
    RandomPruner(strategy="hard", drop_hardest=0.0).fit(X)  # the defaults


def test_prototype_pruner_warns_on_unscaled_features():
    X, _ = load_breast_cancer(return_X_y=True, as_frame=True)
    with pytest.warns(PruningWarning, match=r"column 'worst area'.*Scale the features"):
        PrototypePruner(n_clusters=5, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PrototypePruner(n_clusters=5, random_state=0).fit(
            StandardScaler().fit_transform(X)
        )
        scaled = PrototypePruner(
            n_clusters=5, embedding=StandardScaler(), random_state=0
        )
        scaled.fit(X)  # an embedding: its own business


# -- verbose ---------------------------------------------------------------------------
def test_semdedup_verbose_reports_pairs_groups_and_time(capsys):
    X, _ = make_near_duplicates(300, 16, noise=0.05, random_state=0)
    pruner = SemDedupPruner(eps=0.02, verbose=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "[SemDedupPruner]" in out
    assert "150 rows with a near-duplicate" in out
    assert f"53 groups of near-duplicates at eps=0.02: {pruner.n_duplicates_}" in out
    assert re.search(r"\(\d+\.\d s\)", out)
    SemDedupPruner(eps=0.02, random_state=0).fit(X)
    assert capsys.readouterr().out == ""


def test_pipeline_verbose_reports_rows_in_and_kept(capsys):
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(),
        RandomPruner(keep=0.5, random_state=0),
        RandomPruner(keep=30, random_state=0),
        LogisticRegression(),
        verbose=True,
    )
    pipe.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert any("randompruner-1, kept 75 of 150 rows" in line for line in lines)
    assert any("randompruner-2, kept 30 of 75 rows" in line for line in lines)
    assert sum("total=" in line for line in lines) == 4


def test_rethreshold_changes_eps_underscore_not_eps():
    X, _ = make_near_duplicates(200, 8, noise=0.05, random_state=0)
    pruner = SemDedupPruner(eps=0.02, max_eps=0.1, random_state=0).fit(X)
    pruner.rethreshold(0.05)
    assert pruner.eps_ == 0.05 and pruner.get_params()["eps"] == 0.02
    assert "not the ``eps`` parameter" in SemDedupPruner.rethreshold.__doc__


def test_frames_with_numbers_keep_their_index():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=["x", "y", "z"])
    kept, _ = RandomPruner(keep=2, random_state=0).fit_resample(frame)
    assert set(kept.index) <= {"x", "y", "z"}


# -- the project's papers: license, changelog, docs header, API landing page -----------
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _sp_docs():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "sp_docs", ROOT / "docs" / "sphinxext" / "sp_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_license_is_bsd_3_clause():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in text
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "BSD-3-Clause"


def test_changelog_has_an_unreleased_section_and_a_docs_page():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text and "keepachangelog.com" in text
    rst = _sp_docs().changelog_rst(text)
    assert "Unreleased\n----------\n" in rst and "Added\n~~~~~\n" in rst
    assert "](" not in rst and "#" not in rst.splitlines()[0]
    page = (ROOT / "docs" / "changelog.rst").read_text()
    assert "generated/changelog.inc" in page
    assert "changelog" in (ROOT / "docs" / "index.rst").read_text()


def test_api_landing_page_lists_every_object_with_its_summary():
    sp_docs = _sp_docs()
    api = {"sklearn_prune": {"Classes": ["EL2NPruner", "RandomPruner"]}}
    page = sp_docs.summary_page(api)
    assert ".. autosummary::" in page and "   EL2NPruner" in page
    assert ":toctree:" not in page  # a summary, not a second set of pages
    assert "generated/api_summary.inc" in (ROOT / "docs" / "api.rst").read_text()


def test_docs_header_shows_the_version():
    conf = (ROOT / "docs" / "conf.py").read_text()
    assert '"logo": {"text": f"sklearn_prune {release}"}' in conf
