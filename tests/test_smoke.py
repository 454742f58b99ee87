import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


def test_pages_render_for_officer(client, users):
    client.force_login(users.officer)
    for url in ["/", reverse("intake:record"), reverse("intake:record-telephone"), reverse("intake:list"), reverse("people:search")]:
        response = client.get(url)
        assert response.status_code == 200, url
