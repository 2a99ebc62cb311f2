"""Applications made through the real form."""

from preinscription.models import Application
from tests.preinscription.conftest import form_data


def apply(client, school, **overrides) -> Application:
    response = client.post("/preinscription/", form_data(school, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Application.objects.order_by("-pk").first()


def status_path(application) -> str:
    return f"/preinscription/suivi/{application.status_token}/"
