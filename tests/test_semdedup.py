"""SemDedupPruner: one survivor per group of near-duplicates, as specified."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

import sklearn_prune._semdedup as semdedup
from sklearn_prune import (
    Pipeline,
    PrototypePruner,
    SemDedupPruner,
    select_indices,
)
from sklearn_prune._selection import n_kept
from sklearn_prune.cluster import l2_normalized
from sklearn_prune.datasets import make_near_duplicates


@pytest.fixture
def planted():
    return make_near_duplicates(
        400, 24, duplicate_fraction=0.5, noise=0.05, n_centers=4, random_state=0
    )


# -- a brute-force reference: full similarity matrix, union-find ------------
def reference(X, labels, eps, preference):
    """Scores, groups and survivors computed the obvious way, for small data."""
    n = X.shape[0]
    E = l2_normalized(X)
    S = E @ E.T
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    nearest = np.where(same, S, -np.inf).max(axis=1)
    scores = np.clip(1.0 - nearest.astype(np.float64), 0.0, 2.0)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    threshold = np.float32(1.0 - eps)
    for i, j in zip(*np.nonzero(same & (S > threshold))):
        parent[find(i)] = find(j)
    roots = np.array([find(i) for i in range(n)])
    members = {}
    for i, r in enumerate(roots):
        members.setdefault(r, []).append(i)
    groups = np.full(n, -1)
    kept = []
    next_id = 0
    for i in range(n):  # groups numbered by their first row
        rows = members[roots[i]]
        if rows[0] != i:
            continue
        # highest preference, ties to the first row
        kept.append(max(rows, key=lambda r: (preference[r], -r)))
        if len(rows) > 1:
            groups[rows] = next_id
            next_id += 1
    return scores, groups, np.sort(kept)


def awkward_data():
    """Exact duplicates (a big group), chains, near pairs and distinct rows."""
    rng = np.random.RandomState(3)
    X = [rng.normal(size=(60, 6))]
    X.append(np.repeat(rng.normal(size=(1, 6)), 40, axis=0))  # 40 identical rows
    base = rng.normal(size=(10, 6))
    X.append(base + 0.02 * rng.normal(size=(10, 6)))
    X.append(base + 0.02 * rng.normal(size=(10, 6)))
    # a chain: each row near the next, the ends far apart
    angles = np.linspace(0, 0.6, 7)
    chain = np.zeros((7, 6))
    chain[:, 0], chain[:, 1] = np.cos(angles), np.sin(angles)
    X.append(chain * 3)
    X = np.vstack(X)
    return X[rng.permutation(len(X))]


@pytest.mark.parametrize("n_clusters", [1, 3])
@pytest.mark.parametrize("keep_in_group", ["farthest", "nearest", "random"])
@pytest.mark.parametrize("block_rows, dense", [(7, 16), (7, 0), (2048, 16), (2048, 0)])
def test_block_wise_work_equals_brute_force(
    monkeypatch, n_clusters, keep_in_group, block_rows, dense
):
    # small blocks: many blocks, ragged last blocks, and the 40 identical rows
    # overflow the pair buffer, which is shrunk to a spanning forest; dense=0
    # grows every block's forest by Prim's algorithm instead of sorting pairs
    monkeypatch.setattr(semdedup, "BLOCK_ROWS", block_rows)
    monkeypatch.setattr(semdedup, "_DENSE_PAIRS_PER_ROW", dense)
    X = awkward_data()
    eps = 0.02
    pruner = SemDedupPruner(
        eps=eps, n_clusters=n_clusters, keep_in_group=keep_in_group, random_state=0
    ).fit(X)
    scores, groups, kept = reference(X, pruner.labels_, eps, pruner._preference)
    np.testing.assert_allclose(pruner.scores_, scores, atol=1e-6)
    np.testing.assert_array_equal(pruner.duplicate_groups_, groups)
    np.testing.assert_array_equal(pruner.sample_indices_, kept)
    assert pruner.n_duplicates_ == X.shape[0] - kept.size


def test_preference_follows_keep_in_group():
    X = awkward_data()
    distance = {}
    for rule in ("farthest", "nearest"):
        p = SemDedupPruner(eps=0.02, keep_in_group=rule, random_state=0).fit(X)
        E = l2_normalized(X)
        distance[rule] = 1 - np.einsum("ij,ij->i", E, p.cluster_centers_[p.labels_])
        np.testing.assert_allclose(
            p._preference, distance[rule] * (1 if rule == "farthest" else -1), atol=1e-5
        )


def test_exactly_one_survivor_per_planted_group(planted):
    X, groups = planted
    pruner = SemDedupPruner(eps=0.02, random_state=0).fit(X)
    kept = pruner.sample_indices_
    # every distinct row survives, every group keeps exactly one row
    assert np.all(np.isin(np.flatnonzero(groups < 0), kept))
    survivors = np.bincount(groups[kept][groups[kept] >= 0], minlength=groups.max() + 1)
    np.testing.assert_array_equal(survivors, 1)
    np.testing.assert_array_equal(pruner.duplicate_groups_, groups)
    n_planted = int(np.sum(groups >= 0)) - (groups.max() + 1)
    assert pruner.n_duplicates_ == n_planted
    assert kept.size == X.shape[0] - n_planted
    # duplicates have scores below eps, distinct rows above
    assert pruner.scores_[groups >= 0].max() < 0.02 < pruner.scores_[groups < 0].min()


def test_chain_is_one_group_with_one_survivor():
    # 0 ~ 1 ~ 2 but 0 and 2 are not near-duplicates: one connected group
    angles = np.array([0.0, 0.15, 0.30, 1.5])
    X = np.c_[np.cos(angles), np.sin(angles)]
    eps = 1 - np.cos(0.2)  # neighbours at 0.15 rad are within eps, 0.30 is not
    pruner = SemDedupPruner(eps=eps, n_clusters=1, random_state=0).fit(X)
    np.testing.assert_array_equal(pruner.duplicate_groups_, [0, 0, 0, -1])
    assert pruner.n_duplicates_ == 2
    assert pruner.sample_indices_.size == 2 and 3 in pruner.sample_indices_


@pytest.mark.parametrize("keep_in_group", ["farthest", "nearest"])
def test_survivor_is_farthest_or_nearest_to_prototype(planted, keep_in_group):
    X, groups = planted
    pruner = SemDedupPruner(eps=0.02, keep_in_group=keep_in_group, random_state=0)
    pruner.fit(X)
    E = l2_normalized(X)
    dist = 1 - np.einsum("ij,ij->i", E, pruner.cluster_centers_[pruner.labels_])
    pick = np.argmax if keep_in_group == "farthest" else np.argmin
    kept = set(pruner.sample_indices_.tolist())
    for g in range(groups.max() + 1):
        rows = np.flatnonzero(groups == g)
        assert rows[pick(dist[rows])] in kept


def test_random_survivor_depends_on_random_state(planted):
    X, _ = planted
    a = SemDedupPruner(eps=0.02, keep_in_group="random", random_state=0).fit(X)
    b = SemDedupPruner(eps=0.02, keep_in_group="random", random_state=0).fit(X)
    c = SemDedupPruner(eps=0.02, keep_in_group="random", random_state=1).fit(X)
    np.testing.assert_array_equal(a.sample_indices_, b.sample_indices_)
    assert a.sample_indices_.size == c.sample_indices_.size
    assert not np.array_equal(a.sample_indices_, c.sample_indices_)


@pytest.mark.parametrize("keep_in_group", ["farthest", "random"])
@pytest.mark.parametrize("dense", [16, 0])
def test_rethreshold_equals_a_fresh_fit(monkeypatch, keep_in_group, dense):
    monkeypatch.setattr(semdedup, "_DENSE_PAIRS_PER_ROW", dense)
    X, _ = make_near_duplicates(
        300, 16, noise=0.15, group_size=(2, 6), n_centers=3, random_state=1
    )
    params = dict(keep_in_group=keep_in_group, n_clusters=3, random_state=0)
    swept = SemDedupPruner(eps=0.05, max_eps=0.2, **params).fit(X)
    seen = set()
    for eps in (0.2, 0.002, 0.01, 0.03, 0.05, 0.1):
        swept.rethreshold(eps)
        fresh = SemDedupPruner(eps=eps, **params).fit(X)
        np.testing.assert_array_equal(swept.sample_indices_, fresh.sample_indices_)
        np.testing.assert_array_equal(swept.duplicate_groups_, fresh.duplicate_groups_)
        np.testing.assert_array_equal(swept.scores_, fresh.scores_)
        assert swept.n_duplicates_ == fresh.n_duplicates_
        assert swept.eps_ == eps and swept.eps == 0.05  # the parameter is kept
        seen.add(swept.n_duplicates_)
    assert len(seen) >= 4  # the thresholds really differ


def test_rethreshold_with_a_budget_changes_groups_not_rows(planted):
    X, _ = planted
    pruner = SemDedupPruner(eps=0.02, keep=0.5, random_state=0).fit(X)
    rows = pruner.sample_indices_.copy()
    before = pruner.n_duplicates_
    pruner.rethreshold(0.001)
    np.testing.assert_array_equal(pruner.sample_indices_, rows)
    assert pruner.n_duplicates_ < before


def test_rethreshold_errors(planted):
    X, _ = planted
    with pytest.raises(NotFittedError):
        SemDedupPruner().rethreshold(0.01)
    pruner = SemDedupPruner(eps=0.02, random_state=0).fit(X)
    for bad in (0.0, -0.1, 0.5, True, "0.01"):
        with pytest.raises(ValueError, match=r"`eps` must be a float in \(0, max_eps_"):
            pruner.rethreshold(bad)
    with pytest.raises(ValueError, match="larger `max_eps`"):
        pruner.rethreshold(0.03)


@pytest.mark.parametrize("strategy", ["hard", "easy", "moderate", "stratified"])
def test_keep_selects_by_novelty_with_the_shared_function(planted, strategy):
    X, groups = planted
    y = np.arange(X.shape[0]) % 3
    pruner = SemDedupPruner(
        eps=0.02, keep=0.3, strategy=strategy, class_balance=True, random_state=0
    ).fit(X, y)
    assert pruner.sample_indices_.size == n_kept(0.3, X.shape[0])
    expected = select_indices(
        pruner.scores_,
        0.3,
        strategy=strategy,
        drop_hardest=pruner._drop_fraction(X.shape[0]),
        y=y,
        class_balance=True,
        random_state=_rng_after_scoring(0),
    )
    np.testing.assert_array_equal(pruner.sample_indices_, expected)


def _rng_after_scoring(seed):
    # fit draws two seeds (k-means, random survivor) before selecting
    rng = np.random.RandomState(seed)
    rng.randint(np.iinfo(np.int32).max, size=1)
    rng.randint(np.iinfo(np.int32).max, size=1)
    return rng


def test_keep_hard_drops_duplicate_groups_first(planted):
    X, groups = planted
    n_distinct = int(np.sum(groups < 0))
    pruner = SemDedupPruner(eps=0.02, keep=n_distinct, strategy="hard", random_state=0)
    pruner.fit(X)
    np.testing.assert_array_equal(pruner.sample_indices_, np.flatnonzero(groups < 0))


@pytest.mark.parametrize(
    "params, name",
    [
        ({"strategy": "easy"}, "strategy"),
        ({"drop_hardest": 0.1}, "drop_hardest"),
        ({"class_balance": True}, "class_balance"),
    ],
)
def test_policies_without_a_budget_are_refused(planted, params, name):
    X, _ = planted
    y = np.arange(X.shape[0]) % 2
    with pytest.raises(ValueError, match=f"`{name}`=.* applies only with a `keep`"):
        SemDedupPruner(**params).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"eps": 0.0}, "'eps' parameter"),
        ({"eps": 2.0}, "'eps' parameter"),
        ({"eps": -0.1}, "'eps' parameter"),
        ({"eps": 3.5}, "'eps' parameter"),
        ({"eps": 1}, "'eps' parameter"),
        ({"keep_in_group": "first"}, "'keep_in_group' parameter"),
        ({"max_eps": 2.0}, "'max_eps' parameter"),
        ({"max_eps": 0.01, "eps": 0.05}, r"`max_eps`=0.01 is smaller than `eps`"),
        ({"n_clusters": 0}, "'n_clusters' parameter"),
        ({"n_clusters": 500}, "`n_clusters`=500"),
        ({"keep": 1.5}, "'keep' parameter"),
        ({"keep": 1000}, "`keep`=1000 rows cannot be kept"),
    ],
)
def test_bad_parameters_name_themselves(planted, params, match):
    X, _ = planted
    with pytest.raises(ValueError, match=match):
        SemDedupPruner(**params).fit(X)


def test_row_alone_in_its_cluster_scores_two():
    rng = np.random.RandomState(0)
    X = np.vstack([[1.0, 0.0] + 0.01 * rng.normal(size=(20, 2)), [[0.0, 1.0]]])
    pruner = SemDedupPruner(n_clusters=2, random_state=0).fit(X)
    assert pruner.scores_[20] == 2.0
    assert pruner.scores_[:20].max() < 0.01


def test_zero_rows_are_never_duplicates():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    pruner = SemDedupPruner(n_clusters=1, random_state=0).fit(X)
    np.testing.assert_array_equal(pruner.duplicate_groups_, [-1, -1, 0, 0])


def test_auto_clusters_aim_at_a_bounded_cluster_size(monkeypatch, planted):
    X, groups = planted
    monkeypatch.setattr(semdedup, "ROWS_PER_CLUSTER", 150)
    pruner = SemDedupPruner(eps=0.02, random_state=0).fit(X)
    assert pruner.cluster_centers_.shape[0] == 3  # ceil(400 / 150)
    # near-duplicates share a cluster: the groups are still all found
    np.testing.assert_array_equal(pruner.duplicate_groups_, groups)


def test_fitted_state_holds_no_rows(planted):
    X, _ = planted
    pruner = SemDedupPruner(eps=0.02, max_eps=0.5, random_state=0).fit(X)
    rows, cols, sims = pruner._forest
    assert rows.shape[0] <= X.shape[0] - 1  # a spanning forest, however dense
    for value in vars(pruner).values():
        assert not (
            isinstance(value, np.ndarray)
            and value.ndim == 2
            and value.shape[0] == X.shape[0]
        )


def test_dataframe_float32_and_no_mutation(planted):
    X, groups = planted
    df = pd.DataFrame(X.astype(np.float32), index=np.arange(1000, 1400))
    df.columns = [f"f{i}" for i in range(X.shape[1])]
    before = df.copy()
    X_kept, _ = SemDedupPruner(eps=0.02, random_state=0).fit_resample(df)
    assert isinstance(X_kept, pd.DataFrame) and (X_kept.dtypes == np.float32).all()
    assert X_kept.shape[0] == X.shape[0] - (int(np.sum(groups >= 0)) - groups.max() - 1)
    pd.testing.assert_frame_equal(df, before)


def test_embedding_is_used_and_fitted(planted):
    from sklearn.decomposition import PCA

    X, groups = planted
    pruner = SemDedupPruner(eps=0.02, embedding=PCA(12), random_state=0).fit(X)
    assert pruner.embedding_.n_components_ == 12
    assert pruner.cluster_centers_.shape[1] == 12
    assert pruner.n_duplicates_ == int(np.sum(groups >= 0)) - (groups.max() + 1)


def test_d4_in_one_pipeline(planted):
    X, groups = planted
    y = (X[:, 0] > 0).astype(int)
    pipe = Pipeline(
        [
            ("dedup", SemDedupPruner(eps=0.02, random_state=0)),
            ("prune", PrototypePruner(keep=0.5, n_clusters=4, random_state=0)),
            ("clf", LogisticRegression()),
        ]
    ).fit(X, y)
    dedup, prune = pipe.named_steps["dedup"], pipe.named_steps["prune"]
    n_unique = X.shape[0] - dedup.n_duplicates_
    assert prune.scores_.shape == (n_unique,)
    assert prune.sample_indices_.size == n_kept(0.5, n_unique)
    assert pipe.predict(X).shape == (X.shape[0],)  # pruners are skipped at predict
    clone(pipe).fit(X, y)


def test_max_samples_trains_on_a_sample_and_still_finds_every_group(planted):
    X, groups = planted
    for max_samples in ("auto", 50, 0.5, 1.0):
        pruner = SemDedupPruner(
            eps=0.02, n_clusters=4, max_samples=max_samples, random_state=0
        ).fit(X)
        np.testing.assert_array_equal(pruner.duplicate_groups_ >= 0, groups >= 0)
    with pytest.raises(ValueError, match="max_samples"):
        SemDedupPruner(n_clusters=4, max_samples=len(X) + 1).fit(X)
    with pytest.raises(ValueError, match="max_samples"):
        SemDedupPruner(max_samples=0).fit(X)
