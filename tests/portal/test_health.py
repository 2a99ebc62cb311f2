from django.db import DatabaseError


def test_it_answers_ok_when_the_database_answers(client, db):
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_answers_503_when_the_database_does_not(client, db, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("portal.views.connection", BrokenConnection())
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
