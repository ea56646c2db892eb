"""Telling people: a Notification row for their home page, an e-mail sent by Celery on commit.

A notification says what happened (subject), to what and why (body), by whom, and what to do
next, with a link. The e-mail carries all of it with the link made absolute (settings.SITE_URL),
so it is never empty and works from a mail client. A user who chose the daily digest
(User.email_digest) gets one e-mail a day listing them instead (`send_daily_digests`, Celery beat).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Notification, User


def notify(users, *, subject: str, body: str = "", url: str = "", by=None, next_step: str = ""):
    """Record a notification for each user and e-mail it once the transaction commits.

    `by` (who did it) and `next_step` (what the reader should do now) are added to the body.
    """
    lines = [str(body).strip()] if body and str(body).strip() else []
    if by is not None:
        lines.append(_("By: %(who)s") % {"who": actor_name(by)})
    if next_step:
        lines.append(_("Next step: %(step)s") % {"step": next_step})
    text = "\n".join(lines)
    rows = Notification.objects.bulk_create(
        [Notification(user=u, subject=str(subject)[:200], body=text, url=url) for u in users if u is not None]
    )
    ids = [n.pk for n in rows if not n.user.email_digest]
    if ids:
        from ..tasks import send_notification_emails
        from .jobs import send_on_commit

        send_on_commit(send_notification_emails, ids)
    return rows


def actor_name(user):
    """“王明（长春市科学技术局）”: the person and, for a bureau, the bureau."""
    name = user.full_name or user.get_username()
    if getattr(user, "region_id", None) and user.region is not None:
        return _("%(name)s (%(unit)s)") % {"name": name, "unit": user.region.bureau_name}
    if user.role == User.Role.OFFICE:
        return _("%(name)s (provincial office)") % {"name": name}
    return name


def absolute_url(url: str) -> str:
    """The portal's address + a path: links in e-mails must work outside the portal."""
    base = settings.SITE_URL.rstrip("/")
    if not url:
        return base + reverse("home")
    if url.startswith(("http://", "https://")):
        return url
    return base + "/" + url.lstrip("/")


def email_text(notification) -> str:
    """The e-mail's text: greeting, what happened, details, the link, and where to change e-mails."""
    user = notification.user
    parts = [
        _("Dear %(name)s,") % {"name": user.full_name or user.get_username()},
        "",
        str(notification.subject),
    ]
    if notification.body:
        parts += ["", notification.body]
    parts += [
        "",
        _("Open it in the portal: %(url)s") % {"url": absolute_url(notification.url)},
        "",
        "-- ",
        _("%(portal)s. This e-mail was sent automatically; to receive one daily digest instead, "
          "change your notification settings: %(url)s")
        % {"portal": settings.PORTAL_NAME, "url": absolute_url(reverse("notification_settings"))},
    ]
    return "\n".join(parts)


def digest_text(user, notifications) -> tuple[str, str]:
    """(subject, text) of one user's daily digest."""
    subject = _("%(portal)s: %(count)s notifications") % {"portal": settings.PORTAL_NAME, "count": len(notifications)}
    parts = [_("Dear %(name)s,") % {"name": user.full_name or user.get_username()}, "",
             _("Here is what happened in the portal since your last digest:"), ""]
    for i, n in enumerate(notifications, start=1):
        when = timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M")
        parts.append(f"{i}. {when}  {n.subject}")
        if n.body:
            parts += ["   " + line for line in n.body.splitlines()]
        parts.append("   " + absolute_url(n.url))
        parts.append("")
    parts += ["-- ", _("%(portal)s. Change how you receive e-mails: %(url)s")
              % {"portal": settings.PORTAL_NAME, "url": absolute_url(reverse("notification_settings"))}]
    return subject, "\n".join(parts)


def send_daily_digests(*, now=None):
    """E-mail each digest user one list of their notifications not yet e-mailed. Returns how many e-mails."""
    from django.core.mail import send_mail

    now = now or timezone.now()
    pending = (Notification.objects.filter(user__email_digest=True, emailed_at__isnull=True, created_at__lte=now)
               .select_related("user", "user__region").order_by("user_id", "created_at"))
    by_user = {}
    for n in pending:
        by_user.setdefault(n.user, []).append(n)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user, rows in by_user.items():
            if user.email and user.is_active:
                subject, text = digest_text(user, rows)
                send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
                sent += 1
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
    return sent


def region_bureau_users(region_id):
    return User.objects.filter(role=User.Role.BUREAU, region_id=region_id, is_active=True)


def office_users():
    return User.objects.filter(role=User.Role.OFFICE, is_active=True)

