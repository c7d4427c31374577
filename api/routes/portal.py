"""Placeholder; filled in by the portal issue."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
