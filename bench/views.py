"""The reference page of `make bench`, served only in bench runs (BENCH=1).

It goes through the same middleware as every portal page, renders the portal layout with a body
of a chosen size and runs a chosen number of simple indexed queries, so that each page's
throughput can be read as a ratio to "the same work, minus the page's own logic".
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from families.models import Family

FILLER = "Portail Familles — page de référence des mesures. "


@login_required
@require_GET
def reference(request):
    queries = min(int(request.GET.get("queries", "0")), 50)
    size = min(int(request.GET.get("bytes", "10000")), 500_000)
    for _ in range(queries):
        Family.objects.filter(pk=request.user.family_id).values_list("name", flat=True).first()
    body = (FILLER * (size // len(FILLER) + 1))[: max(size - 4000, 0)]
    return render(request, "bench/reference.html", {"body": body})
