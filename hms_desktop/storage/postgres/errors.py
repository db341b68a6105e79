"""What a workstation is told when the server or another workstation gets in the way."""

from __future__ import annotations

from ..backend import ConcurrentEditError


class ServerUnavailableError(RuntimeError):
    """The PostgreSQL server could not be reached (after retrying); nothing was saved."""


__all__ = ["ConcurrentEditError", "ServerUnavailableError"]
