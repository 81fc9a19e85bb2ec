"""Warnings raised by sklearn_prune."""

# SPDX-License-Identifier: BSD-3-Clause

__all__ = ["PruningWarning"]


class PruningWarning(UserWarning):
    """Warning about the rows a pruner keeps.

    Raised, for example, when ``class_balance=True`` leaves a class with no
    kept row because its share of the budget rounds to zero.

    Examples
    --------
    >>> import warnings
    >>> from sklearn_prune.exceptions import PruningWarning
    >>> issubclass(PruningWarning, UserWarning)
    True
    """
