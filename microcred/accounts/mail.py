"""E-mails to the owners of addresses, rendered from templates and sent by a background task, so
a slow mail server never holds up the page that caused them, nor shows in its timing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task


@task()
def send_email_task(to: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [to])


def site_url(viewname: str, *args: Any, query: str = "") -> str:
    """An absolute link for an e-mail: the reader's mail client knows no current site."""
    return settings.SITE_URL + reverse(viewname, args=args) + (f"?{query}" if query else "")


def email_send(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Render ``accounts/email/<template>_subject.txt`` and ``<template>.txt`` and queue them."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt", context).split())
    body = render_to_string(f"accounts/email/{template}.txt", context)
    send_email_task.enqueue(to, subject, body)
