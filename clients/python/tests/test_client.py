"""The client against a real gateway (conftest.py): DataFrames, attributes, errors, licences, audit paging."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from hotline_gateway import BadUserInput, Client, Forbidden, GatewayError, LicenseError, Unauthenticated

SUZHOU = {"area.city": ["320500"], "time": ("2021-01", "2022-12")}


def test_an_unknown_key_raises_unauthenticated_with_the_servers_message(url):
    with pytest.raises(Unauthenticated) as caught:
        Client(url, api_key="hgw_notARealKey0000000000000000").datasets()
    assert caught.value.code == "UNAUTHENTICATED"
    assert caught.value.message  # the server's own words
    assert isinstance(caught.value, GatewayError)


def test_the_public_sees_only_open_datasets(url):
    catalog = Client(url).datasets()
    assert "hotline-cases-open" in catalog.index
    assert "hotline-cases" not in catalog.index
    assert set(catalog["classification"]) == {"open"}


def test_a_dataset_lists_its_dimensions_and_measures(url, keys):
    dataset = Client(url, keys["researcher"]).dataset("hotline-cases")
    assert {d["code"] for d in dataset["dimensions"]} >= {"area", "time", "category", "kind"}
    assert any(m["code"] == "avgHandlingDays" and m["unit"] for m in dataset["measures"])


def test_aggregate_is_a_dataframe_with_flags_per_measure_and_the_disclosure_and_citation(url, keys):
    client = Client(url, keys["researcher"])
    df = client.aggregate(
        "hotline-cases",
        license_id="L-1",
        group_by=["area.district", "time.year"],
        filters=SUZHOU,
        measures=["cases", "avgHandlingDays"],
    )
    assert list(df.columns) == [
        "area.district",
        "area.district.label",
        "area.district.labelEn",
        "time.year",
        "time.year.label",
        "time.year.labelEn",
        "cases",
        "cases.flags",
        "avgHandlingDays",
        "avgHandlingDays.flags",
    ]
    assert len(df) > 0
    assert df["cases"].dtype == "float64"
    assert all(isinstance(f, list) and all(isinstance(x, str) for x in f) for f in df["cases.flags"])
    assert set(df["time.year"]) <= {"2021", "2022"}
    assert df.attrs["license_id"] == "L-1"
    assert df.attrs["dataset"] == "hotline-cases"
    assert "L-1" in df.attrs["citation"]
    assert set(df.attrs["disclosure"]) == {"method", "threshold", "suppressedCells", "budgetRemaining"}
    assert df.attrs["audit_event_id"]

    # The same numbers as the GraphQL answer, cell by cell: suppressed cells are NaN and flagged.
    raw = client.graphql(
        """query($q: AggregateQueryInput!) { aggregate(query: $q) { rows { keys cells { measure value flags } }
             disclosure { suppressedCells } } }""",
        {
            "q": {
                "dataset": "hotline-cases",
                "licenseId": "L-1",
                "groupBy": [{"dimension": "area", "level": "district"}, {"dimension": "time", "level": "year"}],
                "filters": [
                    {"dimension": "area", "level": "city", "in": ["320500"]},
                    {"dimension": "time", "from": "2021-01", "to": "2022-12"},
                ],
                "measures": ["cases", "avgHandlingDays"],
            }
        },
    )["aggregate"]
    by_key = {tuple(r["keys"]): r["cells"] for r in raw["rows"]}
    assert len(by_key) == len(df)
    for _, row in df.iterrows():
        cells = by_key[(row["area.district"], row["time.year"])]
        for cell in cells:
            value = row[cell["measure"]]
            assert row[f"{cell['measure']}.flags"] == cell["flags"]
            if cell["value"] is None:  # withheld (flagged) or undefined
                assert math.isnan(value)
            else:
                assert value == pytest.approx(cell["value"])
    assert df.attrs["disclosure"]["suppressedCells"] == raw["disclosure"]["suppressedCells"]


def test_an_empty_result_keeps_its_columns(url, keys):
    df = Client(url, keys["researcher"]).aggregate(
        "hotline-cases",
        license_id="L-1",
        group_by=["kind"],
        filters={"time": ("1999-01", "1999-12")},
        measures=["cases"],
    )
    assert len(df) == 0
    assert list(df.columns) == ["kind", "kind.label", "kind.labelEn", "cases", "cases.flags"]


def test_asking_beyond_the_licence_raises_its_code_and_the_rule(url, keys):
    with pytest.raises(LicenseError) as caught:
        Client(url, keys["researcher"]).aggregate(
            "hotline-cases", license_id="L-1", group_by=["area.street"], measures=["cases"]
        )
    assert caught.value.code == "OUT_OF_LICENSE_SCOPE"
    assert "L-1" in caught.value.message


def test_a_misspelt_measure_raises_bad_user_input_with_the_valid_choices(url, keys):
    with pytest.raises(BadUserInput) as caught:
        Client(url, keys["researcher"]).aggregate("hotline-cases", license_id="L-1", measures=["casess"])
    assert caught.value.code == "BAD_USER_INPUT"
    assert "cases" in caught.value.message


def test_auditors_may_not_query_data(url, keys):
    with pytest.raises(Forbidden) as caught:
        Client(url, keys["auditor"]).aggregate("hotline-cases-open", measures=["cases"])
    assert caught.value.code == "FORBIDDEN"


def test_a_licence_request_and_its_status(url, keys):
    researcher = Client(url, keys["researcher"])
    requested = researcher.request_license(
        purpose="Seasonality of noise complaints in Suzhou districts, 2021",
        datasets=[{"dataset": "hotline-cases", "dimensions": ["area.district", "time.month"], "cities": ["320500"]}],
        valid_from="2026-01-01",
        valid_to="2027-12-31",
        daily_quota=50,
    )
    assert requested["status"] == "requested"
    assert researcher.license(requested["id"])["status"] == "requested"
    assert requested["id"] in {lic["id"] for lic in researcher.licenses(status="requested")}

    Client(url, keys["steward"]).graphql(
        "mutation($id: ID!) { approveLicense(id: $id) { id status } }", {"id": requested["id"]}
    )
    approved = researcher.license(requested["id"])
    assert approved["status"] == "active"
    assert approved["usage"]["dailyQuota"] == 50

    with pytest.raises(Forbidden):
        Client(url, keys["auditor"]).request_license(
            purpose="An auditor may not hold a data licence at all, ever",
            datasets=[{"dataset": "hotline-cases", "dimensions": ["area.city"]}],
            valid_from="2026-01-01",
            valid_to="2026-12-31",
            daily_quota=1,
        )


def test_audit_events_page_through_the_whole_log(url, keys):
    researcher = Client(url, keys["researcher"])
    for kind in ("complaint", "consultation", "help"):
        researcher.aggregate("hotline-cases", license_id="L-1", group_by=["kind"], filters={"kind": [kind]}, measures=["cases"])
    auditor = Client(url, keys["auditor"])
    whole = auditor.audit_events({"operation": "aggregate", "licenseId": "L-1"}, page_size=500)
    paged = auditor.audit_events({"operation": "aggregate", "licenseId": "L-1"}, page_size=2)
    assert len(whole) >= 3
    assert list(paged["seq"]) == list(whole["seq"])
    assert paged["seq"].is_monotonic_decreasing  # newest first
    assert pd.api.types.is_datetime64_any_dtype(paged["occurredAt"])
    assert set(paged["decision"]) <= {"allowed", "denied"}
    first_two = auditor.audit_events({"operation": "aggregate"}, page_size=1, max_events=2)
    assert len(first_two) == 2
    # Others see only their own events; the public none.
    mine = researcher.audit_events(max_events=50)
    assert len(mine) > 0 and mine["principalId"].nunique() == 1
    with pytest.raises(GatewayError) as caught:
        Client(url).audit_events()
    assert caught.value.code in {"FORBIDDEN", "UNAUTHENTICATED"}
