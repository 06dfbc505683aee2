"""French error pages whatever DEBUG says: `make run` serves with DEBUG on, where Django answers
a missing page with its English debug page (listing every address of the site), and a view
refusing a method (GET on a button's address) answers with an empty body the browser shows
blank."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class FrenchErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        # Without DEBUG, Django's own handler already renders 404.html.
        if response.status_code == 404 and settings.DEBUG:
            return render(request, "404.html", status=404)
        return response
