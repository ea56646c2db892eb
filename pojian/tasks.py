from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from .models import Notification


@shared_task
def send_notification_emails(notification_ids):
    """E-mail notifications not yet e-mailed; running it twice sends each only once."""
    from .domain.notifications import email_text

    with translation.override(settings.LANGUAGE_CODE):
        for n in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related("user"):
            if n.user.email_digest:
                continue  # the daily digest lists it
            if n.user.email:
                send_mail(n.subject, email_text(n), settings.DEFAULT_FROM_EMAIL, [n.user.email])
            Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())


@shared_task
def send_daily_digests():
    """Celery beat, once a day: one e-mail per digest user listing the notifications of the day."""
    from .domain.notifications import send_daily_digests as send

    return send()


@shared_task
def ping():
    """Used by the health page to see that a worker answers."""
    return "pong"


@shared_task
def resend_queued_jobs():
    """Beat: send again the jobs queued but never started (their message was lost, e.g. the broker was away)."""
    from .domain.jobs import resend_queued_jobs as resend

    return resend()
