from django.conf import settings

from .models import Cycle
from .panels import nav_items


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "current_cycle": Cycle.objects.current,  # lazy: only queried where a template uses it
        "nav_items": lambda: nav_items(request.user) if request.user.is_authenticated else [],
        "SESSION_IDLE_SECONDS": settings.POJIAN_SESSION_IDLE_MINUTES * 60,
        "SESSION_WARN_SECONDS": settings.POJIAN_SESSION_WARN_MINUTES * 60,
    }
