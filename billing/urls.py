from django.urls import path, re_path

from billing import views

app_name = "billing"

NUMBER = r"(?P<number>\d{4}(?:FAC|AV|REG|ANN|RMB)\d{4,6})"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("attestation/", views.attestation, name="attestation"),
    re_path(rf"^factures/{NUMBER}/$", views.invoice_detail, name="invoice"),
    re_path(rf"^{NUMBER}\.pdf$", views.document_pdf, name="pdf"),
]
