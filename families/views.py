from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import family_required


@family_required
@require_GET
def detail(request):
    return render(request, "families/detail.html", {"family": request.user.family})
