from django.urls import path, re_path

from billing import views

app_name = "billing"

NUMBER = r"(?P<number>\d{4}(?:FAC|AV|REG|ANN|RMB)\d{4,6})"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("attestation/", views.attestation, name="attestation"),
    path("prelevement/", views.mandate, name="mandate"),
    path("prelevement/<str:rum>/revoquer/", views.mandate_revoke, name="mandate_revoke"),
    path("prelevement/<str:rum>.pdf", views.mandate_pdf, name="mandate_pdf"),
    re_path(rf"^factures/{NUMBER}/$", views.invoice_detail, name="invoice"),
    re_path(rf"^factures/{NUMBER}/echeancier/$", views.invoice_plan, name="invoice_plan"),
    re_path(rf"^{NUMBER}\.pdf$", views.document_pdf, name="pdf"),
]
