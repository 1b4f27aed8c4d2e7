"""The opt-in Spark tests: too long for `make test`, run when their environment variable is 1."""

from __future__ import annotations

import os

import pytest


def opt_in(variable: str, minutes: int, what: str) -> list:
    """pytest marks of a module that runs only with `variable`=1: `spark`, and a skip saying how to run it."""
    return [
        pytest.mark.spark,
        pytest.mark.skipif(
            os.environ.get(variable) != "1",
            reason=f"opt-in (about {minutes} minutes on 2 busy cores): set {variable}=1 to {what}",
        ),
    ]
