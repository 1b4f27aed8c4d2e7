"""What can go wrong in a pull, by what the connector does about it (retry, refresh once, fail)."""

from __future__ import annotations


class Retryable(Exception):
    """Trying the same request again later may succeed; `wait` is the platform's own delay (seconds) if it said."""

    rate_limited = False

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


class RateLimited(Retryable):
    """The platform asked us to slow down (HTTP 429, Ocean Engine 40100, Meta 4/17/32/613/80000-80008, ...)."""

    rate_limited = True


class Transient(Retryable):
    """A server or network failure (HTTP 5xx, a timeout, Ocean Engine 50000, Baidu status 1/3)."""


class TokenExpired(Exception):
    """The access token expired or was refused: refresh it once (when the platform can) and retry, else fail."""


class PlatformError(Exception):
    """The platform refused the request for a reason retrying cannot fix (bad parameter, no permission)."""


class NotConfigured(Exception):
    """A connector's environment variables are not set (the source stays file-based)."""


class ConnectorError(Exception):
    """A pull failed for good: names the source, the day, the page and the platform's message."""

    def __init__(self, source: str, day: str, page: str, message: str):
        self.source, self.day, self.page = source, day, page
        super().__init__(f"source {source!r}, day {day}, {page}: {message}")
