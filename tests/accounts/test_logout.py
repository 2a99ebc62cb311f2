from django.urls import reverse


def test_it_logs_out_on_post_and_says_so(family_client):
    response = family_client.post(reverse("accounts:logout"), follow=True)
    assert "Vous êtes déconnecté(e)" in response.content.decode()
    assert "_auth_user_id" not in family_client.session
    assert family_client.get(reverse("portal:home")).status_code == 302


def test_it_does_not_log_out_on_get(family_client):
    response = family_client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert family_client.get(reverse("portal:home")).status_code == 200
