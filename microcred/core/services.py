from __future__ import annotations

from typing import Any

from django.db import models

from .actors import is_system
from .models import ActorKind, AuditLog


def audit_record(*, actor: Any, action: str, target: models.Model, **data: Any) -> AuditLog:
    """Append an audit row in the caller's transaction, so it commits or rolls back with the change."""
    system = is_system(actor)
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        actor_id=actor_id,
        actor_kind=ActorKind.SYSTEM if system else ActorKind.PERSON,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data,
    )
