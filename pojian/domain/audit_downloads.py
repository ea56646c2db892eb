"""The download audit: who fetched which file or list, and when (the office reads it; nobody edits it)."""

from django.db.models import Q


def record_download(*, user, subject, file_name, category, path, obj=None):
    from pojian.models import Download

    return Download.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        username=getattr(user, "username", "") or "",
        subject=str(subject)[:300], file_name=file_name[:200], category=category, path=path[:400],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
    )


def search(queryset, text):
    """Rows whose user, subject or file name holds `text`."""
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(Q(username__icontains=text) | Q(subject__icontains=text) | Q(file_name__icontains=text))
