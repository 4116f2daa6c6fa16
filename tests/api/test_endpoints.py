"""Every endpoint of the API, read by each kind of reader: a token of the street, none, an expired
one, a revoked one, a token of another street. ENDPOINTS must name every path the API serves."""

import base64
import json
import re

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from api import selectors
from api import services as api_services
from api.models import ApiRequest, ApiToken
from api.v1.docs import REDOC_LOAD_STYLE_HASHES
from decisions.models import Ballot, Participation, Voice
from decisions.permissions import ballot_for_viewer_or_404
from decisions.selectors import can_see_result
from members.permissions import can_manage_committee, can_view_street, street_reader
from tests.api.scene import expire, make_scene
from tests.factories import make_street

pytestmark = pytest.mark.django_db

# path in the OpenAPI schema → (how to fill it from the scene, what anonymous readers get: "public"
# for what anyone reads on the site, "empty" for a list a signed-in page holds, 404 for the rest)
ENDPOINTS = {
    "/api/v1/hearings/": (lambda s: {}, "public"),
    "/api/v1/hearings/{pk}": (lambda s: {"pk": s.hearing.pk}, "public"),
    "/api/v1/ballots/": (lambda s: {}, "empty"),
    "/api/v1/ballots/{pk}": (lambda s: {"pk": s.ballot.pk}, 404),
    "/api/v1/ballots/{pk}/receipts": (lambda s: {"pk": s.ballot.pk}, 404),
    "/api/v1/ballots/{pk}/papers": (lambda s: {"pk": s.ballot.pk}, 404),
    "/api/v1/ballots/{pk}/anchors": (lambda s: {"pk": s.ballot.pk}, 404),
    "/api/v1/ballots/{pk}/bulletin": (lambda s: {"pk": s.ballot.pk}, 404),
    "/api/v1/evaluations": (lambda s: {}, "empty"),
    "/api/v1/evaluations/{pk}": (lambda s: {"pk": s.campaign.pk}, 404),
    "/api/v1/streets/{pk}/evaluations": (lambda s: {"pk": s.street.pk}, 404),
    "/api/v1/streets/{pk}/requests": (lambda s: {"pk": s.street.pk}, 404),
}


def _url(path: str, scene) -> str:
    return path.format(**ENDPOINTS[path][0](scene))


def _get(client, url: str, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(url, **headers)


def _mentions_street(body: dict | list, scene) -> bool:
    """Whether an answer holds anything of the scene's street (its id as a street, or its objects)."""
    text = json.dumps(body, ensure_ascii=False)
    return any(marker in text for marker in (f'"street_id": {scene.street.pk}', scene.ballot.snapshot_hash,
                                             scene.hearing.title, scene.campaign.title))


def test_the_served_schema_is_valid_openapi_and_every_path_is_tested(client):
    schema = client.get("/api/v1/openapi.json").json()
    validate(schema)
    assert set(schema["paths"]) == set(ENDPOINTS)


def test_the_docs_page_loads_nothing_from_another_site(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/redoc.standalone.js" in html and "/static/js/api-docs.js" in html
    assert "http://" not in html and "https://" not in html


def test_the_docs_page_speaks_the_sites_language_and_lets_in_only_redocs_styles(client):
    """Redoc's styles carry the request's nonce, which the page's policy names (with the hashes of the
    sheet Redoc adds before it has the nonce); scripts stay 'self' only."""
    page = client.get("/api/v1/docs")
    assert '<html lang="zh-hans">' in page.text and "<title>接口文档 · Sanhui open data" in page.text
    settings = re.search(r'<script id="redoc-settings" type="application/json">(.*?)</script>', page.text)[1]
    nonce = json.loads(settings)["nonce"]
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["style-src"].split() == ["'self'", f"'nonce-{nonce}'", *REDOC_LOAD_STYLE_HASHES]
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in page["Content-Security-Policy"]
    english = client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in english.text and "<title>API documentation · Sanhui open data" in english.text
    assert client.get("/api/v1/docs")["Content-Security-Policy"] != page["Content-Security-Policy"]  # a new nonce


# Each reader below asks every endpoint of ENDPOINTS in turn, on one scene (building a scene costs
# seconds, asking an endpoint milliseconds); a failure names the endpoint. A path the API serves
# without an entry in ENDPOINTS fails the schema test above.


def test_with_the_streets_token_every_endpoint_gives_the_streets_public_data(client):
    scene = make_scene()
    for path in ENDPOINTS:
        answer = _get(client, _url(path, scene), scene.token)
        assert answer.status_code == 200, path
        assert _mentions_street(answer.json(), scene) or answer.json().get("items"), path
        row = ApiRequest.objects.latest("pk")
        assert (row.token.prefix, row.path, row.status) == (scene.token.split(".")[0], _url(path, scene), 200), path
    assert ApiRequest.objects.count() == len(ENDPOINTS)


def test_without_a_token_every_endpoint_gives_what_anonymous_visitors_see(client):
    scene = make_scene()
    for path, (_fill, anonymous) in ENDPOINTS.items():
        answer = _get(client, _url(path, scene))
        if anonymous == "public":
            assert answer.status_code == 200 and _mentions_street(answer.json(), scene), path
            assert scene.draft.title not in answer.content.decode(), path
        elif anonymous == "empty":
            assert answer.status_code == 200 and answer.json() == {"items": [], "count": 0}, path
        else:
            assert answer.status_code == 404, path
    assert not ApiRequest.objects.exists()


def test_an_expired_token_is_refused_and_logged_at_every_endpoint(client):
    scene = make_scene()
    expire(scene.token)
    for path in ENDPOINTS:
        answer = _get(client, _url(path, scene), scene.token)
        assert answer.status_code == 401 and not _mentions_street(answer.json(), scene), path
        assert ApiRequest.objects.latest("pk").status == 401, path
    assert ApiRequest.objects.count() == len(ENDPOINTS)


def test_a_revoked_token_is_refused_and_logged_at_every_endpoint(client):
    scene = make_scene()
    api_services.token_revoke(token=ApiToken.objects.get(prefix=scene.token.split(".")[0]), by=scene.officer)
    for path in ENDPOINTS:
        answer = _get(client, _url(path, scene), scene.token)
        assert answer.status_code == 401 and not _mentions_street(answer.json(), scene), path
        assert ApiRequest.objects.latest("pk").status == 401, path
    assert ApiRequest.objects.count() == len(ENDPOINTS)


def test_a_token_of_another_street_gets_nothing_of_this_street_at_any_endpoint(client):
    scene = make_scene()
    for path in ENDPOINTS:
        answer = _get(client, _url(path, scene), scene.other_token)
        assert answer.status_code in (200, 404), path
        assert not _mentions_street(answer.json(), scene), path


def test_a_token_that_is_not_one_is_refused_with_a_reason(client):
    scene = make_scene()
    for raw in ("nonsense", scene.token[:-2] + "xx", "Basic abc"):
        answer = client.get("/api/v1/hearings/", HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert answer.status_code == 401 and answer.json()["detail"]
    assert client.get("/api/v1/hearings/", HTTP_AUTHORIZATION="Basic abc").status_code == 401


def test_no_answer_names_a_voter_or_a_phone_or_holds_a_paper(client):
    scene = make_scene()
    bodies = "".join(_get(client, _url(path, scene), scene.token).content.decode() for path in ENDPOINTS)
    for voter in scene.voters:
        assert voter.full_name not in bodies and voter.username not in bodies
        assert not voter.phone or voter.phone not in bodies
    for paper in Participation.objects.filter(ballot=scene.ballot).values_list("paper", flat=True):
        assert bytes(paper).hex() not in bodies and base64.b64encode(bytes(paper)).decode() not in bodies


def test_an_evaluations_ballot_is_read_only_through_its_results_which_hide_small_breakdowns(client):
    scene = make_scene()
    assert _get(client, f"/api/v1/ballots/{scene.campaign.ballot_id}", scene.token).status_code == 404
    listed = _get(client, "/api/v1/ballots/", scene.token).json()["items"]
    assert [b["id"] for b in listed] == [scene.ballot.pk]


def test_every_listed_ballot_passes_the_rules_the_ballot_pages_ask():
    scene = make_scene()
    reader = selectors.Reader.of(ApiToken.objects.get(prefix=scene.token.split(".")[0]))
    listed = list(selectors.ballot_list(reader))
    assert listed and all(ballot_for_viewer_or_404(reader.user, b.pk) and can_see_result(reader.user, b)
                          for b in listed)
    published = Ballot.objects.filter(status=Ballot.Status.PUBLISHED, committee__street=scene.street)
    assert {b.pk for b in published} - {b.pk for b in listed} == {scene.campaign.ballot_id}


def test_the_street_reader_is_nobodys_resident_voter_or_organizer():
    scene = make_scene()
    reader = street_reader(scene.street)
    assert can_view_street(reader, scene.street) and not can_view_street(reader, make_street())
    assert not can_manage_committee(reader, scene.ballot.committee)
    assert not Voice.objects.filter(ballot=scene.ballot, holders__user=reader).exists()


def test_bad_parameters_get_a_clear_refusal_not_an_error(client):
    scene = make_scene()
    answer = _get(client, "/api/v1/hearings/?limit=-3", scene.token)
    assert answer.status_code == 422 and "limit" in answer.json()["detail"]
    assert _get(client, f"/api/v1/streets/{scene.street.pk}/evaluations?year=abc", scene.token).status_code == 422


def test_requests_past_the_limit_get_429_and_are_logged(client, settings):
    settings.API_THROTTLE = "2/60"
    scene = make_scene()
    statuses = [_get(client, "/api/v1/hearings/", scene.token).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert sorted(ApiRequest.objects.values_list("status", flat=True)) == [200, 200, 429]
    assert _get(client, "/api/v1/hearings/").status_code == 200  # anonymous reading is not counted per token


def test_the_token_list_page_links_to_the_docs(client):
    scene = make_scene()
    client.force_login(scene.officer)
    page = client.get(reverse("api:token_list", args=[scene.street.pk]))
    assert reverse("api_v1:openapi-view") in page.content.decode()
