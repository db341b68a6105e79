"""Fixtures of the accounts tests: a real window behind the sign-in gate."""

from tests.accounts.gate_helpers import gated  # noqa: F401 (pytest fixture)
