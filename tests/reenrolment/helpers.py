from html import unescape

from django.urls import reverse


def form_url(campaign, student) -> str:
    return reverse("reenrolment:request_form", args=[campaign.pk, student.pk])


def form_data(campaign, *, revision=0, keep=None, wishes=(), comment="", consents=True) -> dict:
    data = {"revision": revision, "comment": comment}
    for discipline, choice in (keep or {}).items():
        data[f"keep_{discipline.pk}"] = choice
    for i, wish in enumerate(wishes):
        for part, value in wish.items():
            data[f"wish_{i}_{part}"] = getattr(value, "pk", value)
    if consents:
        for requirement in campaign.requirements.all():
            data[f"consent_{requirement.pk}"] = "on"
    return data


def text(response) -> str:
    return unescape(response.content.decode())
