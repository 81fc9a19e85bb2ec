"""Shared fixtures: small, generated data sets."""

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification


@pytest.fixture
def Xy():
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=4, random_state=0
    )
    return X, y


@pytest.fixture(scope="session")
def digits():
    return load_digits(return_X_y=True)


@pytest.fixture
def rng():
    return np.random.RandomState(0)
