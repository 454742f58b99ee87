from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mash.partnership.services import current_partnership


def mash(request: HttpRequest) -> dict[str, Any]:
    return {"partnership": current_partnership()}
