from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mairie.models import Role
from mairie.scoping import agent_required


@agent_required(Role.RECENSEMENT)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "recensement/index.html")
