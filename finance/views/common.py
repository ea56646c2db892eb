import io

from django.http import HttpResponse

from pojian.models import Cycle

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def current_cycle():
    return Cycle.objects.current()


def xlsx_response(write, filename):
    """An .xlsx made in memory by `write(file)` (small sheets only; big ones are jobs)."""
    buf = io.BytesIO()
    write(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def is_office(user):
    return user.is_superuser or user.role == "office"
