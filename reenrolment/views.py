from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import family_required


@family_required
@require_GET
def index(request):
    return render(request, "reenrolment/index.html")
