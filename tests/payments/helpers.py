"""Shared steps of the online payment tests: start a payment as the family would."""

from urllib.parse import parse_qs, urlsplit


def start(client, *numbers: str):
    """POSTs the payment page's form; returns the address the family is sent to."""
    response = client.post("/facturation/payer/", {"facture": list(numbers)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
