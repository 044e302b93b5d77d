"""Importing Open Referral UK services: good records in, bad ones reported,
whole-document errors leave nothing behind; from a file and from a real HTTP
server on 127.0.0.1 through the safe fetcher."""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from ourlondon.support import openreferral
from ourlondon.support.directory import import_file, import_services, import_url
from ourlondon.support.models import (
    DirectoryImport,
    Location,
    Organization,
    Service,
)
from ourlondon.support.openreferral import DocumentError, RecordError
from ourlondon.support.queries import find_services

FIXTURES = Path(__file__).parent / "fixtures"
SERVICES = FIXTURES / "london_services.json"
E8_3AA = (51.54333, -0.066532)


def nothing_stored() -> bool:
    return not (
        Service.objects.exists()
        or Organization.objects.exists()
        or Location.objects.exists()
    )


@pytest.mark.django_db
def test_sample_with_bad_records_imports_the_good_and_reports_the_bad():
    report = import_file(SERVICES)
    assert len(report.imported) == 4
    reasons = {r.name: r.reason for r in report.rejected}
    assert reasons == {
        "Peckham Peer Mentoring": "minimum_age 25 is above maximum_age 11.",
        "Community Counselling": (
            "service_at_locations[0].location.latitude 100 is outside -90 to 90."
        ),
    }
    assert set(Service.objects.values_list("name", flat=True)) == {
        "Youth Counselling Drop-in",
        "Exploitation Support Team",
        "Lambeth Housing Advice for Young People",
        "Family Mediation North",
    }
    # The rejected record left nothing behind, not even its organisation.
    assert not Organization.objects.filter(name="Peckham Mentors").exists()
    assert not Organization.objects.filter(name="Example Organization Inc.").exists()
    run = DirectoryImport.objects.get()
    assert (run.outcome, run.imported, run.rejected) == ("done", 4, 2)
    assert {r["name"] for r in run.report["rejected"]} == set(reasons)


@pytest.mark.django_db
def test_imported_services_are_searchable_by_need_place_and_age():
    import_file(SERVICES)

    def names(**kwargs):
        return [hit.service.name for hit in find_services(**kwargs)]

    assert names(need="counselling") == ["Youth Counselling Drop-in"]
    assert names(need="county lines") == ["Exploitation Support Team"]
    # Near E8 3AA: the Hackney service (0.6 km), then Whitechapel (2.9 km).
    near = find_services(point=E8_3AA, radius_km=3)
    assert [h.service.name for h in near] == [
        "Youth Counselling Drop-in",
        "Exploitation Support Team",
    ]
    assert near[0].distance_km == pytest.approx(0.63, abs=0.05)
    # Age 14: housing (16 to 25) is out; family (age not stated) stays.
    assert "Lambeth Housing Advice for Young People" not in names(age=14)
    assert "Family Mediation North" in names(age=14)
    assert names(need="housing", age=17) == ["Lambeth Housing Advice for Young People"]


@pytest.mark.django_db
def test_importing_twice_updates_rather_than_duplicates():
    import_file(SERVICES)
    counts = (Service.objects.count(), Location.objects.count())
    import_file(SERVICES)
    assert (Service.objects.count(), Location.objects.count()) == counts
    service = Service.objects.get(name="Youth Counselling Drop-in")
    assert service.contacts.count() == 1 and service.schedules.count() == 1


@pytest.mark.django_db
def test_malformed_json_is_a_clear_error_and_nothing_is_imported(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_bytes(SERVICES.read_bytes()[:5000])
    with pytest.raises(DocumentError, match="not valid JSON"):
        import_file(broken)
    assert nothing_stored()
    assert DirectoryImport.objects.get().outcome == "failed"


@pytest.mark.django_db
def test_the_old_schema_version_is_refused_whole():
    with pytest.raises(DocumentError, match="Open Referral UK 1.0"):
        import_file(FIXTURES / "oruk_1_0_services.json")
    assert nothing_stored()


@pytest.mark.django_db
def test_a_page_declaring_another_version_is_refused_whole(tmp_path):
    page = json.loads(SERVICES.read_text())
    page["version"] = "2.0.1"
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(page))
    with pytest.raises(DocumentError, match="version '2.0.1'"):
        import_file(path)
    assert nothing_stored()


@pytest.mark.django_db
def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as out:
        out.truncate(50 * 1024 * 1024)
    with pytest.raises(DocumentError, match=r"50\.0 MB; the limit is 20 MB"):
        import_file(big)
    assert nothing_stored()


@pytest.mark.django_db
def test_json_that_is_not_services_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(DocumentError, match="not Open Referral UK services"):
        import_file(path)


@pytest.mark.django_db
def test_the_command_prints_the_report_and_fails_clearly(tmp_path, capsys):
    call_command("import_openreferral", file=str(SERVICES))
    out = capsys.readouterr().out
    assert "4 imported, 2 rejected" in out
    assert "Peckham Peer Mentoring: minimum_age 25 is above maximum_age 11." in out
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(CommandError, match="Nothing imported: bad.json is not valid"):
        call_command("import_openreferral", file=str(tmp_path / "bad.json"))


# From an API on 127.0.0.1 ---------------------------------------------------------


@contextmanager
def oruk_api(services: list, *, per_page: int = 2, version: str = "HSDS-UK-3.0"):
    """A small Open Referral UK API: `/`, `/services?page=N` (list items without
    their locations, as the standard says) and `/services/{id}` in full."""
    seen: list[str] = []
    by_id = {s["id"]: s for s in services}
    pages = [services[i : i + per_page] for i in range(0, len(services), per_page)]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 (http.server's name)
            seen.append(self.path)
            parts = urlsplit(self.path)
            body: object
            if parts.path == "/":
                body = {"version": version, "profile": "https://example.org"}
            elif parts.path == "/services":
                number = int(parse_qs(parts.query).get("page", ["1"])[0])
                contents = [
                    {k: v for k, v in s.items() if k not in ("service_at_locations",)}
                    for s in pages[number - 1]
                ]
                body = {
                    "total_items": len(services),
                    "total_pages": len(pages),
                    "page_number": number,
                    "size": per_page,
                    "first_page": number == 1,
                    "last_page": number == len(pages),
                    "empty": False,
                    "contents": contents,
                }
            elif parts.path.startswith("/services/"):
                body = by_id[parts.path.rsplit("/", 1)[1]]
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def sample_services() -> list:
    return json.loads(SERVICES.read_text())["contents"]


@pytest.mark.django_db
def test_import_from_an_api_pages_through_the_safe_fetcher():
    with oruk_api(sample_services()) as (base, seen):
        report = import_url(base + "/", allow_private=True)
    assert len(report.imported) == 4
    assert {r.name for r in report.rejected} == {
        "Peckham Peer Mentoring",
        "Community Counselling",
    }
    assert [p for p in seen if p.startswith("/services?")] == [
        "/services?page=1&per_page=100",
        "/services?page=2&per_page=100",
        "/services?page=3&per_page=100",
    ]
    assert sum(p.startswith("/services/") for p in seen) == 6
    assert Service.objects.get(name="Youth Counselling Drop-in").service_at_locations


@pytest.mark.django_db
def test_a_local_api_is_refused_unless_private_addresses_are_allowed():
    with (
        oruk_api(sample_services()) as (base, seen),
        pytest.raises(DocumentError, match="loopback"),
    ):
        import_url(base)
    assert seen == []
    assert nothing_stored()


@pytest.mark.django_db
def test_an_api_of_another_version_is_refused_before_any_service(settings):
    settings.SAFE_FETCH_ALLOW_PRIVATE = True
    with (
        oruk_api(sample_services(), version="1.0") as (base, seen),
        pytest.raises(CommandError, match="version '1.0'"),
    ):
        call_command("import_openreferral", url=base)
    assert seen == ["/"]
    assert nothing_stored()


# The parser on its own ---------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
service_keys = st.sampled_from(
    [
        "id",
        "name",
        "status",
        "organization",
        "minimum_age",
        "maximum_age",
        "service_at_locations",
        "schedules",
        "attributes",
        "contacts",
        "url",
        "last_modified",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(service_keys, json_values, max_size=12) | json_values)
def test_a_junk_record_is_a_record_error_never_a_crash(raw):
    try:
        openreferral.parse_service(raw)
    except RecordError as exc:
        assert str(exc)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_junk_bytes_are_a_document_error_never_a_crash(data):
    try:
        openreferral.parse_document(data)
    except DocumentError as exc:
        assert str(exc)


@pytest.mark.django_db
def test_a_record_the_database_refuses_is_reported_not_raised():
    raw = sample_services()[0]
    raw["url"] = "http://nowhere"  # passes the parser; the model's URL check fails
    report = import_services([raw], source="test")
    assert report.imported == []
    assert [r.reason for r in report.rejected] == ["url: Enter a valid URL."]
    assert nothing_stored()


def test_a_record_with_locations_that_are_not_a_list_is_a_record_error():
    # Found by the property test above: this crashed the 1.0-shape check.
    raw = {"id": "x", "name": "y", "service_at_locations": 1}
    with pytest.raises(RecordError, match="status is missing"):
        openreferral.parse_service(raw)
    openreferral.parse_document(json.dumps([raw]).encode())
