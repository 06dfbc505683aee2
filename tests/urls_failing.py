"""The project's URLs plus one view that always fails, to see what a server error shows."""

from django.http import HttpRequest
from django.urls import path

from mairie.urls import urlpatterns as project_urlpatterns


def failing_view(request: HttpRequest):
    request.POST  # noqa: B018  (the body is read, as a form view would)
    raise RuntimeError("échec provoqué pour le test")


urlpatterns = [path("test/echec/", failing_view), *project_urlpatterns]
