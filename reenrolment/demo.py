"""Demo data of the Réinscription tab: next season's courses, an open campaign, and an open
pré-inscription period for new families."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from reenrolment.models import Campaign, Requirement, requirement_document_name
from students.models import Course, Discipline, Season

PARIS = ZoneInfo("Europe/Paris")


def _attach_reglement(requirement: Requirement, season: Season) -> None:
    """A one-page règlement PDF (WeasyPrint, as the invoices), so that the demo's consent
    links one. Its file is written once the rows are committed: `--dry-run` leaves none."""
    if requirement.document:
        return
    import weasyprint  # only when seeding: it is slow to import

    html = render_to_string("reenrolment/demo_reglement.html", {"season": season})
    content = weasyprint.HTML(string=html).write_pdf()
    name = requirement_document_name(requirement, "reglement.pdf")
    transaction.on_commit(lambda: default_storage.save(name, ContentFile(content)))
    requirement.document = name
    requirement.document_size = len(content)
    requirement.save(update_fields=["document", "document_size"])


def seed_demo(family=None, *, now=None) -> list[str]:
    """Idempotent: the 2027-2028 season with a copy of the current season's courses, and a
    réinscription campaign open now until 30 June 2027 at 23:59 (or a month from now, if
    later)."""
    now = now or timezone.now()
    season, _ = Season.objects.get_or_create(
        name="2027-2028",
        defaults={"starts_on": date(2027, 9, 1), "ends_on": date(2028, 6, 30)},
    )
    current = Season.objects.current()
    if current is not None and current.pk != season.pk:
        for course in Course.objects.filter(season=current):
            Course.objects.get_or_create(
                season=season,
                name=course.name,
                defaults={
                    "discipline": course.discipline,
                    "teacher": course.teacher,
                    "weekday": course.weekday,
                    "start_time": course.start_time,
                    "end_time": course.end_time,
                },
            )
    requirements = [
        Requirement.objects.get_or_create(name=name, defaults={"text": text})[0]
        for name, text in [
            (
                "Règlement intérieur",
                "J'ai lu et j'accepte le règlement intérieur du conservatoire.",
            ),
            (
                "Droit à l'image",
                "J'ai pris connaissance des conditions d'utilisation des photos et vidéos "
                "des élèves (spectacles, site du centre).",
            ),
        ]
    ]
    _attach_reglement(requirements[0], season)
    closes_at = max(datetime(2027, 6, 30, 23, 59, tzinfo=PARIS), now + timedelta(days=30))
    campaign, _ = Campaign.objects.get_or_create(
        season=season,
        kind=Campaign.Kind.REENROLMENT,
        defaults={
            "name": f"Réinscriptions {season.name}",
            "opens_at": now - timedelta(days=1),
            "closes_at": closes_at,
            "instructions": (
                "Indiquez pour chaque élève les disciplines poursuivies l'an prochain et vos "
                "nouveaux vœux. Les places sont attribuées après la clôture ; vous recevrez "
                "la réponse par e-mail."
            ),
        },
    )
    if not campaign.is_open(now):
        campaign.opens_at, campaign.closes_at = now - timedelta(days=1), closes_at
        campaign.save(update_fields=["opens_at", "closes_at"])
    campaign.disciplines.set(Discipline.objects.all())
    campaign.requirements.set(requirements)
    deadline = timezone.localtime(campaign.closes_at, PARIS)
    preregistration = _open_preregistration(season, requirements[:1], now, closes_at)
    return [
        f"Campagne ouverte : {campaign.name} (jusqu'au {deadline:%d/%m/%Y %H:%M})",
        f"Pré-inscription ouverte : {preregistration.name} (page d'accueil, sans compte)",
    ]


def _open_preregistration(season, requirements, now, closes_at) -> Campaign:
    """The landing page's "Pré-inscription" entry: new families apply for the same season."""
    campaign, _ = Campaign.objects.get_or_create(
        season=season,
        kind=Campaign.Kind.PREREGISTRATION,
        defaults={
            "name": f"Pré-inscriptions {season.name}",
            "opens_at": now - timedelta(days=1),
            "closes_at": closes_at,
            "instructions": (
                "Indiquez vos vœux par ordre de préférence. Les places sont attribuées après la "
                "clôture selon les places disponibles ; vous recevrez la réponse par e-mail."
            ),
        },
    )
    if not campaign.is_open(now):
        campaign.opens_at, campaign.closes_at = now - timedelta(days=1), closes_at
        campaign.save(update_fields=["opens_at", "closes_at"])
    campaign.disciplines.set(Discipline.objects.all())
    campaign.requirements.set(requirements)
    return campaign
