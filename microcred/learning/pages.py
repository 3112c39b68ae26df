"""What learning adds to lower apps' pages (listed in ``config/pages.py``): the visitor's
enrolment on catalog's micro-credential page."""

from __future__ import annotations

from typing import Any

from microcred.catalog.models import MicroCredential
from microcred.catalog.parts import MicroCredentialContext

from .models import EnrolmentStatus
from .selectors import enrolment_for


def _visitor_enrolment(visitor: Any, microcredential: MicroCredential) -> dict[str, Any]:
    enrolment = enrolment_for(actor=visitor, microcredential_id=microcredential.pk)
    if enrolment is not None and enrolment.status == EnrolmentStatus.WITHDRAWN:
        enrolment = None
    return {"enrolment": enrolment}


VISITOR_ENROLMENT = MicroCredentialContext(context=_visitor_enrolment)
