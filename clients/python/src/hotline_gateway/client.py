"""A small client for hotline-gateway's GraphQL API: aggregates come back as pandas DataFrames."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

from .errors import GatewayError, RateLimited, error_for

__all__ = ["Client"]

GroupBy = Union[str, Tuple[str, str], Mapping[str, str]]
Filter = Mapping[str, Any]

_AGGREGATE = """query Aggregate($q: AggregateQueryInput!) { aggregate(query: $q) {
  dataset columns
  rows { keys labels labelsEn cells { measure value flags } }
  disclosure { method threshold suppressedCells budgetRemaining }
  licenseId auditEventId citation } }"""

_DATASETS = """{ datasets { slug titleZh titleEn descriptionEn publisher versionDate classification
  licenseRequired source yourAccess disclosure { method threshold } } }"""

_DATASET = """query Dataset($slug: String!) { dataset(slug: $slug) {
  slug titleZh titleEn descriptionZh descriptionEn publisher versionDate classification termsOfUse
  licenseRequired source yourAccess disclosure { method threshold }
  dimensions { code titleZh titleEn levels { code titleZh titleEn format } }
  measures { code titleZh titleEn unit definition } } }"""

_LICENSE_FIELDS = """id status statusReason statusChangedAt kind licenseeId purpose validFrom validTo dailyQuota
  requestedAt datasets { dataset dimensions { dimension level } cities departments periodFrom periodTo }
  obligations { code acceptedAt } usage { usedToday dailyQuota remainingToday resetsAt total }"""

_AUDIT_EVENTS = """query Audit($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    edges { node { id seq occurredAt principalId role organizationId apiKeyId licenseId operation datasetSlug
                   query resultSize cellsSuppressed decision reason target requestId } }
    pageInfo { hasNextPage endCursor } } }"""

#: The obligations a licence request accepts (all are required).
OBLIGATIONS = ["no-reidentification", "no-onward-sharing", "cite-source", "report-publications"]


def _group(spec: GroupBy) -> Dict[str, str]:
    """``"area.district"``, ``("area", "district")``, ``"channel"`` or a dict, as a GroupByInput."""
    if isinstance(spec, Mapping):
        return dict(spec)
    if isinstance(spec, tuple):
        dimension, level = spec
        return {"dimension": dimension, "level": level}
    dimension, _, level = spec.partition(".")
    return {"dimension": dimension, "level": level} if level else {"dimension": dimension}


def _filters(filters: Union[None, Mapping[str, Any], Sequence[Filter]]) -> Optional[List[Dict[str, Any]]]:
    """A list of FilterInput dicts, or the short form ``{"area.city": ["320500"], "time": ("2021-01", "2021-12")}``."""
    if filters is None:
        return None
    if not isinstance(filters, Mapping):
        return [dict(f) for f in filters]
    out = []
    for key, value in filters.items():
        f: Dict[str, Any] = _group(key)
        if isinstance(value, tuple):
            start, end = value
            if start is not None:
                f["from"] = start
            if end is not None:
                f["to"] = end
        elif isinstance(value, str):
            f["in"] = [value]
        else:
            f["in"] = list(value)
        out.append(f)
    return out


def _order(order_by: Union[None, str, Sequence[Any]]) -> Optional[List[Dict[str, str]]]:
    """``"-cases"`` (descending), ``"cases"``, or OrderByInput dicts."""
    if order_by is None:
        return None
    items = [order_by] if isinstance(order_by, str) else list(order_by)
    out = []
    for item in items:
        if isinstance(item, Mapping):
            out.append(dict(item))
        elif item.startswith("-"):
            out.append({"field": item[1:], "direction": "DESC"})
        else:
            out.append({"field": item, "direction": "ASC"})
    return out


class Client:
    """hotline-gateway over HTTP.

    ``Client("http://127.0.0.1:3000", api_key="hgw_...")``; without a key the client acts as the
    public (open datasets only). Every call raises a :class:`GatewayError` subclass carrying the
    server's ``code`` and ``message`` when the gateway refuses.
    """

    def __init__(self, url: str, api_key: Optional[str] = None, *, timeout: float = 60.0) -> None:
        base = url.rstrip("/")
        if base.endswith("/graphql"):
            base = base[: -len("/graphql")]
        self.url = base
        self.api_key = api_key
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"Client({self.url!r}, api_key={'set' if self.api_key else None})"

    # -- transport -------------------------------------------------------------------------

    def _request(self, path: str, body: Optional[bytes] = None) -> Tuple[int, Dict[str, str], bytes]:
        headers = {"Accept": "application/graphql-response+json, application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url + path, data=body, headers=headers, method="POST" if body else "GET")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers or {}), e.read()
        except urllib.error.URLError as e:
            raise GatewayError("UNREACHABLE", f"cannot reach {self.url}: {e.reason}") from e

    @staticmethod
    def _raise_for(status: int, headers: Mapping[str, str], payload: Any) -> None:
        """Raises the server's first error (GraphQL ``errors`` or REST ``error``), if any."""
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if not errors and isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            errors = [{"message": payload["error"].get("message", ""), "extensions": payload["error"]}]
        if errors:
            first = errors[0]
            extensions = first.get("extensions") or {}
            code = extensions.get("code") or f"HTTP_{status}"
            err = error_for(code, first.get("message", ""), status=status, extensions=extensions, path=first.get("path"))
        elif status >= 400:
            err = error_for(f"HTTP_{status}", f"the gateway answered HTTP {status}", status=status)
        else:
            return
        if status == 429:
            err = RateLimited(err.code, err.message, status=status, extensions=err.extensions)
            retry = headers.get("Retry-After") or headers.get("retry-after")
            err.retry_after = float(retry) if retry else None
        raise err

    def graphql(self, query: str, variables: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Runs any GraphQL operation and returns its ``data``; raises the first error the server sends."""
        body = json.dumps({"query": query, "variables": dict(variables or {})}).encode("utf-8")
        status, headers, raw = self._request("/graphql", body)
        try:
            payload = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise error_for(f"HTTP_{status}", raw[:200].decode("utf-8", "replace"), status=status) from None
        self._raise_for(status, headers, payload)
        return payload.get("data") or {}

    # -- catalog ---------------------------------------------------------------------------

    def datasets(self) -> pd.DataFrame:
        """The catalog: one row per dataset you may see (slug, titles, classification, your access ...)."""
        rows = self.graphql(_DATASETS)["datasets"]
        for r in rows:
            d = r.pop("disclosure")
            r["disclosureMethod"], r["disclosureThreshold"] = d["method"], d["threshold"]
        return pd.DataFrame(rows).set_index("slug", drop=False) if rows else pd.DataFrame(columns=["slug"])

    def dataset(self, slug: str) -> Dict[str, Any]:
        """One dataset with its dimensions, levels and measures (raises BadUserInput when you cannot see it)."""
        found = self.graphql(_DATASET, {"slug": slug})["dataset"]
        if found is None:
            raise error_for("BAD_USER_INPUT", f'There is no dataset "{slug}" you can see.')
        return found

    # -- aggregates ------------------------------------------------------------------------

    def aggregate(
        self,
        dataset: str,
        *,
        measures: Sequence[str],
        group_by: Optional[Sequence[GroupBy]] = None,
        filters: Union[None, Mapping[str, Any], Sequence[Filter]] = None,
        license_id: Optional[str] = None,
        order_by: Union[None, str, Sequence[Any]] = None,
        limit: Optional[int] = None,
    ) -> pd.DataFrame:
        """An aggregate as a DataFrame.

        Columns: each group's code (``area.district``) and labels (``area.district.label`` in
        Chinese, ``area.district.labelEn``), then each measure (NaN where disclosure control
        withheld it) followed by ``<measure>.flags``, the cell's flags as a list of strings
        (``suppressed``, ``perturbed``, ... : an open list). ``df.attrs`` holds ``disclosure``
        (method, threshold, suppressedCells, budgetRemaining), ``citation``, ``license_id``,
        ``audit_event_id``, ``dataset`` and ``columns`` (the server's column names).
        """
        query: Dict[str, Any] = {"dataset": dataset, "measures": list(measures)}
        if group_by:
            query["groupBy"] = [_group(g) for g in group_by]
        if filters:
            query["filters"] = _filters(filters)
        if license_id is not None:
            query["licenseId"] = license_id
        if order_by:
            query["orderBy"] = _order(order_by)
        if limit is not None:
            query["limit"] = limit
        result = self.graphql(_AGGREGATE, {"q": query})["aggregate"]
        return _frame(result, list(dict.fromkeys(measures)))

    # -- licences --------------------------------------------------------------------------

    def request_license(
        self,
        *,
        purpose: str,
        datasets: Sequence[Mapping[str, Any]],
        valid_from: str,
        valid_to: str,
        daily_quota: int,
        accept_obligations: Sequence[str] = tuple(OBLIGATIONS),
    ) -> Dict[str, Any]:
        """Asks for a data-use licence; a steward approves (maybe narrowed) or rejects it.

        ``datasets``: ``[{"dataset": "hotline-cases", "dimensions": [{"dimension": "area", "level":
        "district"}], "cities": ["320500"]}]``, or dimensions in the short form ``["area.district",
        "time.month"]``. Returns the licence (``id``, ``status`` = ``requested`` ...).
        """
        scopes = []
        for d in datasets:
            scope = dict(d)
            scope["dimensions"] = [
                {"dimension": g["dimension"], "level": g.get("level") or g["dimension"]}
                for g in (_group(x) for x in d.get("dimensions", []))
            ]
            scopes.append(scope)
        data = self.graphql(
            f"mutation Request($i: RequestLicenseInput!) {{ requestLicense(input: $i) {{ {_LICENSE_FIELDS} }} }}",
            {
                "i": {
                    "purpose": purpose,
                    "datasets": scopes,
                    "validFrom": valid_from,
                    "validTo": valid_to,
                    "dailyQuota": daily_quota,
                    "acceptObligations": list(accept_obligations),
                }
            },
        )
        return data["requestLicense"]

    def license(self, license_id: str) -> Dict[str, Any]:
        """A licence's status, scope and today's usage (raises BadUserInput when you may not see it)."""
        found = self.graphql(f"query L($id: ID!) {{ license(id: $id) {{ {_LICENSE_FIELDS} }} }}", {"id": license_id})[
            "license"
        ]
        if found is None:
            raise error_for("BAD_USER_INPUT", f"There is no licence {license_id} you can see.")
        return found

    def licenses(self, status: Optional[str] = None) -> List[Dict[str, Any]]:
        """Licences you may see (your own; all for stewards and auditors), optionally by status."""
        data = self.graphql(
            f"query Ls($s: String) {{ licenses(status: $s) {{ {_LICENSE_FIELDS} }} }}", {"s": status}
        )
        return data["licenses"]

    # -- audit (auditors and stewards) -------------------------------------------------------

    def iter_audit_events(
        self, filter: Optional[Mapping[str, Any]] = None, *, page_size: int = 200
    ) -> Iterator[Dict[str, Any]]:
        """Audit events, newest first, page after page (``first``/``after`` cursors) until the end."""
        after: Optional[str] = None
        while True:
            page = self.graphql(
                _AUDIT_EVENTS, {"filter": dict(filter) if filter else None, "first": page_size, "after": after}
            )["auditEvents"]
            for edge in page["edges"]:
                yield edge["node"]
            if not page["pageInfo"]["hasNextPage"]:
                return
            after = page["pageInfo"]["endCursor"]

    def audit_events(
        self,
        filter: Optional[Mapping[str, Any]] = None,
        *,
        page_size: int = 200,
        max_events: Optional[int] = None,
    ) -> pd.DataFrame:
        """Audit events as a DataFrame (every page, or the first ``max_events``); ``filter`` as in GraphQL,
        e.g. ``{"operation": "aggregate", "licenseId": "L-1", "decision": "denied"}``."""
        rows: List[Dict[str, Any]] = []
        for event in self.iter_audit_events(filter, page_size=page_size):
            rows.append(event)
            if max_events is not None and len(rows) >= max_events:
                break
        frame = pd.DataFrame(rows)
        if not frame.empty:
            frame["occurredAt"] = pd.to_datetime(frame["occurredAt"], utc=True)
        return frame


def _frame(result: Mapping[str, Any], requested: List[str]) -> pd.DataFrame:
    rows: List[Mapping[str, Any]] = list(result["rows"])
    # The last columns are the measures: as the rows' cells name them, else as requested.
    measures = [cell["measure"] for cell in rows[0]["cells"]] if rows else requested
    keys = result["columns"][: len(result["columns"]) - len(measures)]
    columns: List[str] = []
    for k in keys:
        columns += [k, f"{k}.label", f"{k}.labelEn"]
    for m in measures:
        columns += [m, f"{m}.flags"]
    records = []
    for row in result["rows"]:
        record: List[Any] = []
        for i in range(len(keys)):
            record += [row["keys"][i], row["labels"][i], row["labelsEn"][i]]
        for cell in row["cells"]:
            value = cell["value"]
            record += [math.nan if value is None else value, list(cell["flags"])]
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=columns)
    for m in measures:
        frame[m] = frame[m].astype("float64")
    frame.attrs.update(
        {
            "dataset": result["dataset"],
            "columns": list(result["columns"]),
            "disclosure": dict(result["disclosure"]),
            "citation": result["citation"],
            "license_id": result["licenseId"],
            "audit_event_id": result["auditEventId"],
        }
    )
    return frame
