from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path

from waishi.directory.models import Country


@login_not_required
def hello(request):
    """The cheapest page the stack serves: one query, no template (the throughput reference)."""
    return HttpResponse(f"hello {Country.objects.count()}", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello, name="bench_hello"),
    path("admin/", admin.site.urls),
    path("", include("config.urls")),
]
