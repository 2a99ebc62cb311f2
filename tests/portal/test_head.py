import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["portal:landing", "accounts:login"])
def test_head_is_answered_like_get(client, name):
    """Uptime monitors use HEAD."""
    response = client.head(reverse(name))
    assert response.status_code == 200
    assert response.content == b""
