"""Errors raised by the client: each carries the server's code and message."""

from __future__ import annotations

from typing import Any, Dict, Optional


class GatewayError(Exception):
    """An error answered by the gateway.

    ``code`` is the server's ``extensions.code`` (``UNAUTHENTICATED``, ``FORBIDDEN``,
    ``BAD_USER_INPUT``, ``LICENSE_REQUIRED``, ``LICENSE_INACTIVE``, ``OUT_OF_LICENSE_SCOPE``,
    ``QUOTA_EXCEEDED``, ``QUERY_TOO_COMPLEX``, ``SERVICE_UNAVAILABLE``, ...), or ``HTTP_<status>``
    when the answer was not GraphQL at all. ``message`` is the server's message, which says what
    to do next. ``extensions`` holds the rest (e.g. ``validChoices``).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: Optional[int] = None,
        extensions: Optional[Dict[str, Any]] = None,
        path: Optional[list] = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extensions = dict(extensions or {})
        self.path = path


class Unauthenticated(GatewayError):
    """UNAUTHENTICATED: the API key is unknown, revoked or expired."""


class Forbidden(GatewayError):
    """FORBIDDEN: your role may not do this."""


class BadUserInput(GatewayError):
    """BAD_USER_INPUT: the query names something that does not exist or is malformed."""


class LicenseError(GatewayError):
    """LICENSE_REQUIRED, LICENSE_INACTIVE or OUT_OF_LICENSE_SCOPE."""


class QuotaExceeded(GatewayError):
    """QUOTA_EXCEEDED: the licence's daily quota or the disclosure budget is spent."""


class QueryTooComplex(GatewayError):
    """QUERY_TOO_COMPLEX: too many cells, too deep, or too slow; narrow the query."""


class ServiceUnavailable(GatewayError):
    """SERVICE_UNAVAILABLE: retry shortly."""


class RateLimited(GatewayError):
    """HTTP 429: too many requests; ``retry_after`` says how many seconds to wait."""

    retry_after: Optional[float] = None


_BY_CODE = {
    "UNAUTHENTICATED": Unauthenticated,
    "FORBIDDEN": Forbidden,
    "BAD_USER_INPUT": BadUserInput,
    "GRAPHQL_VALIDATION_FAILED": BadUserInput,
    "GRAPHQL_PARSE_FAILED": BadUserInput,
    "LICENSE_REQUIRED": LicenseError,
    "LICENSE_INACTIVE": LicenseError,
    "OUT_OF_LICENSE_SCOPE": LicenseError,
    "QUOTA_EXCEEDED": QuotaExceeded,
    "QUERY_TOO_COMPLEX": QueryTooComplex,
    "SERVICE_UNAVAILABLE": ServiceUnavailable,
    "RATE_LIMITED": RateLimited,
}


def error_for(code: str, message: str, **kwargs: Any) -> GatewayError:
    """The most specific exception class for a server code (GatewayError for codes it does not know)."""
    return _BY_CODE.get(code, GatewayError)(code, message, **kwargs)
