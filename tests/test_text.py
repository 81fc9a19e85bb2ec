"""Text rows: pruners with an embedding take text and return it in the same type."""

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline as sk_make_pipeline

from sklearn_prune import (
    EL2NPruner,
    Pipeline,
    PrototypePruner,
    RandomPruner,
    ScorePruner,
    SemDedupPruner,
)
from sklearn_prune.datasets import make_near_duplicate_texts
from sklearn_prune.text import EncoderEmbedding


def tfidf_svd():
    return sk_make_pipeline(TfidfVectorizer(), TruncatedSVD(128, random_state=0))


@pytest.fixture(scope="module")
def texts():
    return make_near_duplicate_texts(300, random_state=0)


class FakeEncoder:
    """A sentence encoder's interface: encode(list of str) -> 2-D array.

    Letter counts (a bag of characters), so texts that differ by one word are
    close; records the batches it is given.
    """

    def __init__(self, dtype=np.float32):
        self.batches = []
        self.dtype = dtype

    def encode(self, texts, **kwargs):
        assert isinstance(texts, list) and all(isinstance(t, str) for t in texts)
        self.batches.append((len(texts), kwargs))
        letters = "abcdefghijklmnopqrstuvwxyz"
        return np.array(
            [[t.lower().count(c) for c in letters] for t in texts], dtype=self.dtype
        )


def _text_pruners():
    return [
        SemDedupPruner(embedding=tfidf_svd(), eps=0.3, random_state=0),
        PrototypePruner(embedding=tfidf_svd(), keep=0.5, n_clusters=4, random_state=0),
        ScorePruner(scores=lambda X, y: np.array([len(t) for t in X]), keep=0.5),
    ]


@pytest.mark.parametrize("pruner", _text_pruners(), ids=lambda p: type(p).__name__)
@pytest.mark.parametrize("container", ["list", "array", "series"])
def test_text_in_text_out(pruner, container, texts):
    rows, _ = texts
    labels = np.arange(len(rows)) % 2
    if container == "array":
        X = np.array(rows)
    elif container == "series":
        X = pd.Series(rows, index=np.arange(5000, 5000 + len(rows)), name="text")
    else:
        X = list(rows)
    pruner = clone(pruner)
    X_kept, y_kept = pruner.fit_resample(X, labels)
    idx = pruner.sample_indices_
    assert 0 < idx.size < len(rows)
    if container == "list":
        assert isinstance(X_kept, list)
        assert X_kept == [rows[i] for i in idx]
    elif container == "array":
        assert isinstance(X_kept, np.ndarray) and X_kept.dtype.kind == "U"
        np.testing.assert_array_equal(X_kept, np.array(rows)[idx])
    else:
        assert isinstance(X_kept, pd.Series) and X_kept.name == "text"
        np.testing.assert_array_equal(X_kept.index, X.index[idx])
        assert X_kept.tolist() == [rows[i] for i in idx]
    np.testing.assert_array_equal(y_kept, labels[idx])


def test_text_dedup_finds_the_planted_groups(texts):
    rows, groups = texts
    pruner = SemDedupPruner(embedding=tfidf_svd(), eps=0.3, random_state=0)
    X_kept, _ = pruner.fit_resample(rows)
    np.testing.assert_array_equal(pruner.duplicate_groups_, groups)
    kept = pruner.sample_indices_
    survivors = np.bincount(groups[kept][groups[kept] >= 0], minlength=groups.max() + 1)
    np.testing.assert_array_equal(survivors, 1)
    assert X_kept == [rows[i] for i in kept]
    assert not hasattr(pruner, "n_features_in_")


def test_fake_encoder_through_the_adapter(texts):
    rows, groups = texts
    encoder = FakeEncoder()
    embedding = EncoderEmbedding(encoder, batch_size=64, encode_kwargs={"flag": 1})
    E = embedding(rows)
    assert E.shape == (300, 26) and E.dtype == np.float32
    assert [b for b, _ in encoder.batches] == [64, 64, 64, 64, 44]
    assert all(kw == {"flag": 1} for _, kw in encoder.batches)
    pruner = SemDedupPruner(embedding=embedding, eps=0.02, random_state=0)
    X_kept, _ = pruner.fit_resample(pd.Series(rows))
    assert isinstance(X_kept, pd.Series)
    assert 0 < pruner.n_duplicates_ and len(X_kept) == 300 - pruner.n_duplicates_


def test_clone_shares_the_encoder():
    encoder = FakeEncoder()
    pruner = PrototypePruner(embedding=EncoderEmbedding(encoder, batch_size=8))
    copy = clone(pruner)
    assert copy.embedding is not pruner.embedding
    assert copy.embedding.encoder is encoder
    assert copy.embedding.batch_size == 8


def test_progress_bar_and_plain_fallback(monkeypatch, capsys):
    pytest.importorskip("tqdm")
    rows = [f"text {i}" for i in range(50)]
    EncoderEmbedding(FakeEncoder(), batch_size=10, verbose=True)(rows)
    assert "50/50" in capsys.readouterr().err  # tqdm's bar
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    EncoderEmbedding(FakeEncoder(), batch_size=10, verbose=True)(rows)
    err = capsys.readouterr().err
    assert "encoded 10/50 texts" in err and "encoded 50/50 texts" in err
    EncoderEmbedding(FakeEncoder(), batch_size=10)(rows)
    assert capsys.readouterr().err == ""


class WrongRows(FakeEncoder):
    def encode(self, texts, **kwargs):
        return super().encode(texts)[:-1]


class NotNumbers(FakeEncoder):
    def encode(self, texts, **kwargs):
        return np.array([[t] for t in texts], dtype=object)


class ChangingWidth(FakeEncoder):
    def encode(self, texts, **kwargs):
        out = super().encode(texts)
        return out if len(self.batches) == 1 else out[:, :5]


class OneDimensional(FakeEncoder):
    def encode(self, texts, **kwargs):
        return super().encode(texts)[:, 0]


@pytest.mark.parametrize(
    "encoder, error, match",
    [
        (
            WrongRows(),
            ValueError,
            r"`encoder.encode` must return a 2-D array with one row per text; "
            r"got shape \(3, 26\) for a batch of 4",
        ),
        (
            NotNumbers(),
            TypeError,
            "`encoder.encode` must return numbers; got an array of dtype object",
        ),
        (
            ChangingWidth(),
            ValueError,
            "`encoder.encode` returned 5 columns for the batch at row 4 but 26",
        ),
        (OneDimensional(), ValueError, "`encoder.encode` must return a 2-D array"),
        ("a str has .encode", TypeError, "`encoder` must have an `encode"),
        (object(), TypeError, "`encoder` must have an `encode"),
    ],
)
def test_bad_encoders_are_named(encoder, error, match):
    pruner = SemDedupPruner(embedding=EncoderEmbedding(encoder, batch_size=4))
    with pytest.raises(error, match=match):
        pruner.fit([f"text number {i}" for i in range(10)])


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_batch_size(bad):
    with pytest.raises(
        ValueError,
        match=r"'batch_size' parameter of EncoderEmbedding must be an int in the "
        r"range \[1, inf\)",
    ):
        EncoderEmbedding(FakeEncoder(), batch_size=bad)(["a", "b"])


@pytest.mark.parametrize(
    "pruner",
    [SemDedupPruner(), PrototypePruner(n_clusters=2)],
    ids=lambda p: type(p).__name__,
)
def test_text_without_an_embedding_says_to_pass_one(pruner):
    with pytest.raises(
        ValueError,
        match="text rows as `X` but `embedding` is None: pass an `embedding`",
    ):
        pruner.fit(["one text", "another text", "a third one"])


@pytest.mark.parametrize(
    "pruner",
    [RandomPruner(keep=2), EL2NPruner(keep=2, n_estimators=2)],
    ids=lambda p: type(p).__name__,
)
def test_pruners_without_an_embedding_refuse_text(pruner):
    with pytest.raises(ValueError, match="needs numeric rows but got text as `X`"):
        pruner.fit(["one text", "another text", "a third one"], [0, 1, 0])


@pytest.mark.parametrize(
    "X", [["a text", 3, "more"], np.array(["a text", None, "x"], dtype=object)]
)
def test_mixed_rows_are_refused(X):
    pruner = SemDedupPruner(embedding=EncoderEmbedding(FakeEncoder()))
    with pytest.raises(TypeError, match="`X` mixes text and other values: row 1"):
        pruner.fit(X)


def test_sparse_embedding_output_says_what_to_add():
    pruner = SemDedupPruner(embedding=TfidfVectorizer())
    with pytest.raises(TypeError, match="sparse matrix.*TruncatedSVD"):
        pruner.fit(["one text", "another text", "a third one"])


def test_text_labels_of_wrong_length():
    pruner = SemDedupPruner(embedding=EncoderEmbedding(FakeEncoder()))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        pruner.fit(["a", "b", "c"], [0, 1])


def test_text_pipeline_dedup_then_classify(texts):
    rows, groups = texts
    y = np.arange(len(rows)) % 2
    pipe = Pipeline(
        [
            ("dedup", SemDedupPruner(embedding=tfidf_svd(), eps=0.3, random_state=0)),
            ("clf", sk_make_pipeline(TfidfVectorizer(), LogisticRegression())),
        ]
    ).fit(rows, y)
    n_planted = int(np.sum(groups >= 0)) - (groups.max() + 1)
    assert pipe.named_steps["dedup"].n_duplicates_ == n_planted
    assert pipe.predict(rows).shape == (len(rows),)


def test_class_balance_on_text(texts):
    rows, _ = texts
    y = np.array(["a", "b", "c"])[np.arange(len(rows)) % 3]
    pruner = PrototypePruner(
        embedding=tfidf_svd(),
        keep=0.2,
        n_clusters=3,
        class_balance=True,
        random_state=0,
    )
    _, y_kept = pruner.fit_resample(rows, y)
    assert sorted(np.unique(y_kept, return_counts=True)[1].tolist()) == [20, 20, 20]
