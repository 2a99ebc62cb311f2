"""A local fake of PayFiP's web service ("PaiementSecuriseService", SOAP 1.1, document/literal),
as its WSDL (shipped with eopayment) and DGFiP's documentation describe it:

- creerPaiementSecurise(numcli, exer, refdet, objet, montant in cents, mel, urlnotif,
  urlredirect, saisie) → idOp, the payment's identifier;
- the family then pays at paiementws.web?idop=…; PayFiP POSTs `idOp=…` to urlnotif and sends
  the family back to urlredirect;
- recupererDetailPaiementSecurise(idOp) → the payment's detail (resultrans P paid, R refused,
  A abandoned; dattrans/heurtrans; montant; refdet…), or the FonctionnelleErreur P5 while the
  payment is not finished.

It runs in a thread on 127.0.0.1 (a WSGI server started by the test); eopayment's SOAP client
is pointed at it through PAYMENT_PAYFIP_SOAP_URL.
"""

import threading
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server
from zoneinfo import ZoneInfo

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICE = (
    "http://securite.service.tpa.cp.finances.gouv.fr/services/mas_securite/"
    "contrat_paiement_securise/PaiementSecuriseService"
)
DETAIL_FIELDS = [
    "dattrans",
    "exer",
    "heurtrans",
    "idOp",
    "mel",
    "montant",
    "numauto",
    "numcli",
    "objet",
    "refdet",
    "resultrans",
    "saisie",
]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _envelope(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="{SOAP}"><S:Body>'
        f"{body}</S:Body></S:Envelope>"
    ).encode()


def _escape(value) -> str:
    return (
        str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if value is not None
        else ""
    )


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class FakePayFiP:
    def __init__(self):
        self.payments: dict[str, dict] = {}
        self.calls: list[str] = []
        self.server = make_server("127.0.0.1", 0, self.app, handler_class=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # The test's side: the service's URLs, the family's choice at PayFiP.
    @property
    def soap_url(self) -> str:
        return self.url + "/tpa/services/securite"

    @property
    def payment_url(self) -> str:
        return self.url + "/tpa/paiementws.web"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def pay(self, idop: str, result: str = "P", *, minutes_ago: int = 0) -> tuple[str, str]:
        """The family finishes at PayFiP with `result` (P paid, R refused, A abandoned): returns
        the notification PayFiP sends (the path of urlnotif, its form body)."""
        payment = self.payments[idop]
        moment = datetime.now(ZoneInfo("Europe/Paris")) - timedelta(minutes=minutes_ago)
        payment.update(
            resultrans=result,
            dattrans=moment.strftime("%d%m%Y"),
            heurtrans=moment.strftime("%H%M"),
            numauto="123456" if result == "P" else "",
        )
        return urlsplit(payment["urlnotif"]).path, f"idOp={idop}"

    def return_path(self, idop: str) -> str:
        return urlsplit(self.payments[idop]["urlredirect"]).path

    # The web service.
    def app(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = ET.fromstring(environ["wsgi.input"].read(length))
        body = next(child for child in request if _local(child.tag) == "Body")
        operation = body[0]
        name = _local(operation.tag)
        self.calls.append(name)
        arg = {_local(field.tag): field.text or "" for field in operation.find("arg0")}
        if name == "creerPaiementSecurise":
            answer = self.create(arg)
        elif name == "recupererDetailPaiementSecurise":
            answer = self.detail(arg["idOp"])
        else:
            answer = self.fault("P1", "Opération inconnue")
        status = "500 Internal Server Error" if "Fault>" in answer else "200 OK"
        start_response(status, [("Content-Type", "text/xml; charset=utf-8")])
        return [_envelope(answer)]

    def create(self, arg: dict) -> str:
        if not arg.get("numcli", "").isdigit() or not arg.get("refdet"):
            return self.fault("R3", "Paramètres invalides")
        idop = uuid.uuid4().hex
        self.payments[idop] = {**arg, "idOp": idop, "resultrans": ""}
        return (
            f'<ns2:creerPaiementSecuriseResponse xmlns:ns2="{SERVICE}"><return>'
            f"<idOp>{idop}</idOp></return></ns2:creerPaiementSecuriseResponse>"
        )

    def detail(self, idop: str) -> str:
        payment = self.payments.get(idop)
        if payment is None:
            return self.fault("P1", "IdOp incorrect")
        if not payment["resultrans"]:
            return self.fault("P5", "Résultat de la transaction non connu")
        fields = "".join(
            f"<{name}>{_escape(payment.get(name, ''))}</{name}>" for name in DETAIL_FIELDS
        )
        return (
            f'<ns2:recupererDetailPaiementSecuriseResponse xmlns:ns2="{SERVICE}"><return>'
            f"{fields}</return></ns2:recupererDetailPaiementSecuriseResponse>"
        )

    @staticmethod
    def fault(code: str, label: str) -> str:
        return (
            f"<S:Fault><faultcode>S:Server</faultcode>"
            f"<faultstring>fr.gouv.finances.cp.tpa.webservice.exceptions.FonctionnelleErreur"
            f'</faultstring><detail><ns2:FonctionnelleErreur xmlns:ns2="{SERVICE}">'
            f"<code>{code}</code><descriptif>{_escape(label)}</descriptif>"
            f"<libelle>{_escape(label)}</libelle><severite>2</severite>"
            f"</ns2:FonctionnelleErreur></detail></S:Fault>"
        )
