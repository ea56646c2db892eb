"""Telling people: a Notification row for their home page, an e-mail sent by Celery on commit."""

from ..models import Notification, User


def notify(users, *, subject: str, body: str = "", url: str = ""):
    """Record a notification for each user and e-mail it once the transaction commits."""
    rows = Notification.objects.bulk_create(
        [Notification(user=u, subject=subject[:200], body=body, url=url) for u in users if u is not None]
    )
    ids = [n.pk for n in rows]
    if ids:
        from ..tasks import send_notification_emails
        from .jobs import send_on_commit

        send_on_commit(send_notification_emails, ids)
    return rows


def region_bureau_users(region_id):
    return User.objects.filter(role=User.Role.BUREAU, region_id=region_id, is_active=True)


def office_users():
    return User.objects.filter(role=User.Role.OFFICE, is_active=True)
