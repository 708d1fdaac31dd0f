"""hotline-gateway: governed, anonymized aggregates of 12345 hotline records, as pandas DataFrames.

    >>> from hotline_gateway import Client
    >>> client = Client("http://127.0.0.1:3000", api_key="hgw_...")
    >>> df = client.aggregate("hotline-cases-open", group_by=["area.city"], measures=["cases"])
    >>> df.attrs["citation"]
"""

from .client import OBLIGATIONS, Client
from .errors import (
    BadUserInput,
    Forbidden,
    GatewayError,
    LicenseError,
    QueryTooComplex,
    QuotaExceeded,
    RateLimited,
    ServiceUnavailable,
    Unauthenticated,
)

__all__ = [
    "Client",
    "OBLIGATIONS",
    "GatewayError",
    "Unauthenticated",
    "Forbidden",
    "BadUserInput",
    "LicenseError",
    "QuotaExceeded",
    "QueryTooComplex",
    "ServiceUnavailable",
    "RateLimited",
]
__version__ = "0.1.0"
