"""Dependency aliases for the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from core.knowledge.live import KnowledgeView
from core.services import Services


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_view(request: Request) -> KnowledgeView:
    return get_services(request).knowledge.current()


ServicesDep = Annotated[Services, Depends(get_services)]
ViewDep = Annotated[KnowledgeView, Depends(get_view)]
