from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mairie.scoping import agent_required


@agent_required()
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "exports/index.html")
