"""Uploads: judged on their whole content, stored under a server-chosen name, served by one helper."""

import io
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import Workbook

from enterprises.models import EnterpriseNomination
from pojian.domain import uploads
from pojian.domain.pdf import minimal_pdf
from pojian.downloads import file_response
from pojian.models import Download
from tests.factories import minimal_docx

POLYGLOT = b"%PDF-1.4\n<html><body><script>fetch('/admin/').then(r => r.text())</script></body></html>\n%%EOF\n"
# A real, parseable PDF that also carries a script after its end: still refused.
PDF_WITH_SCRIPT = minimal_pdf("letter") + b"<script>alert(document.cookie)</script>\n"
PDF_WITH_JS = minimal_pdf("letter").replace(b"<< /Type /Catalog", b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> /Type /Catalog")

# Files the server writes itself (exports, reports), never taken from a user.
SERVER_WRITTEN = {("pojian.job", "result_file"), ("reports.annualreport", "pdf"), ("reports.annualreport", "xlsx"),
                  ("funding.project", "agreement")}  # the 任务书 PDF the portal generates


def xlsx_bytes():
    buffer = io.BytesIO()
    wb = Workbook()
    wb.active.append(["a", 1])
    wb.save(buffer)
    return buffer.getvalue()


def upload_fields():
    return [(m, f) for m in apps.get_models() for f in m._meta.get_fields()
            if isinstance(f, models.FileField) and (m._meta.label_lower, f.name) not in SERVER_WRITTEN]


@pytest.mark.parametrize("data,kind", [
    (minimal_pdf("x"), uploads.PDF), (minimal_docx(), uploads.DOCX), (xlsx_bytes(), uploads.XLSX),
    (POLYGLOT, None), (PDF_WITH_SCRIPT, None), (PDF_WITH_JS, None), (b"%PDF-1.4 just a header", None),
    (b"PK\x03\x04 not a zip", None), (b"<html><script>1</script></html>", None),
])
def test_sniff_judges_the_whole_content(data, kind):
    assert uploads.sniff_bytes(data) == kind


def office_zip(content_types, extra=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("word/document.xml", "<w:document/>")
        for name, text in extra:
            z.writestr(name, text)
    return buffer.getvalue()


def test_zip_must_declare_a_word_document_and_hold_no_web_page():
    assert uploads.sniff_bytes(office_zip("<Types/>")) is None
    good = zipfile.ZipFile(io.BytesIO(minimal_docx())).read("[Content_Types].xml")
    assert uploads.sniff_bytes(office_zip(good)) == uploads.DOCX
    assert uploads.sniff_bytes(office_zip(good, [("word/x.html", "<p>")])) is None
    assert uploads.sniff_bytes(office_zip(good, [("word/x.xml", "<html><script>1</script></html>")])) is None


def test_every_upload_field_is_a_safe_file_field():
    fields = upload_fields()
    assert len(fields) >= 5  # letters of three kinds of nomination, summary reports, policies, job inputs
    assert [(m._meta.label, f.name) for m, f in fields if not isinstance(f, uploads.SafeFileField)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("model,field", upload_fields(), ids=lambda v: getattr(v, "name", None) or v._meta.label)
def test_polyglot_refused_by_each_upload_field_and_at_worst_served_as_attachment(model, field):
    with pytest.raises(ValidationError):
        field.run_validators(SimpleUploadedFile("letter.html", POLYGLOT, content_type="text/html"))
    # Even if it got past the form, it is stored as .bin and served as an opaque attachment.
    instance = model()
    getattr(instance, field.attname).save("letter.html", ContentFile(POLYGLOT), save=False)
    stored = getattr(instance, field.attname)
    assert uploads.STORED_NAME.search(stored.name) and stored.name.endswith(".bin") and "letter." not in stored.name
    request = RequestFactory().get("/x/")
    request.user = AnonymousUser()
    response = file_response(request, stored, filename="letter.html", inline=True)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment") and ".html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]
    stored.delete(save=False)


def test_real_file_stored_under_a_random_name_with_its_detected_extension():
    nomination = EnterpriseNomination()
    nomination.letter.save("推荐函.html", ContentFile(minimal_pdf("x")), save=False)
    name = nomination.letter.name
    assert name.startswith("letters/enterprises/") and name.endswith(".pdf") and uploads.STORED_NAME.search(name)
    other = EnterpriseNomination()
    other.letter.save("推荐函.html", ContentFile(minimal_pdf("x")), save=False)
    assert other.letter.name != name
    nomination.letter.delete(save=False)
    other.letter.delete(save=False)


@pytest.mark.django_db
def test_bureau_upload_of_a_polyglot_named_html_is_refused(client_for, bureau, cycle):
    from tests.enterprises.test_bureau_pages import form_data

    data = form_data()
    data["nom-letter"] = SimpleUploadedFile("letter.html", POLYGLOT, content_type="text/html")
    response = client_for(bureau).post(reverse("enterprises:bureau_nomination_create"), data)
    assert response.status_code == 200 and response.context["nomination_form"].errors["letter"]
    assert not EnterpriseNomination.objects.exists()


@pytest.mark.django_db
def test_office_letter_real_pdf_inline_in_a_sandbox_and_polyglot_as_attachment(client_for, office, cycle):
    from tests.enterprises.test_office_pages import submitted

    n = submitted(cycle, letter=ContentFile(minimal_pdf("x"), name="letter.pdf"))
    url = reverse("enterprises:office_nomination_letter", args=[n.pk])
    response = client_for(office).get(url)
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"] == "sandbox" and response["X-Content-Type-Options"] == "nosniff"
    # A file stored before this check existed (or by someone bypassing the form) and still named .html:
    name = default_storage.save("letters/enterprises/old/letter.html", ContentFile(POLYGLOT))
    EnterpriseNomination.objects.filter(pk=n.pk).update(letter=name)
    response = client_for(office).get(url)
    assert response["Content-Type"] == "application/octet-stream" and "html" not in response["Content-Type"]
    assert response["Content-Disposition"].startswith("attachment") and ".html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Download.objects.filter(user=office, object_id=n.pk, category=Download.Category.FILE).count() == 2


@pytest.mark.django_db
def test_summary_report_polyglot_named_html_refused_and_never_served_as_html(client_for, bureau, office, cycle):
    from tests.assessment.factories import SummaryFactory

    summary = SummaryFactory(cycle=cycle, region=bureau.region, created_by=bureau)
    with pytest.raises(ValidationError):
        summary._meta.get_field("report").run_validators(
            SimpleUploadedFile("summary.html", POLYGLOT))
    name = default_storage.save("assessment/summaries/old/summary.html", ContentFile(POLYGLOT))
    type(summary).objects.filter(pk=summary.pk).update(report=name)
    response = client_for(office).get(reverse("assessment:summary_report", args=[summary.pk]))
    assert response.status_code == 200 and "html" not in response["Content-Type"]
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_rename_stored_files_gives_server_names_once(cycle):
    from enterprises.models import HistoricalEnterpriseNomination
    from tests.enterprises.test_office_pages import submitted

    n = submitted(cycle)
    old = default_storage.save("letters/enterprises/2026/推荐函.html", ContentFile(minimal_pdf("x")))
    EnterpriseNomination.objects.filter(pk=n.pk).update(letter=old)
    HistoricalEnterpriseNomination.objects.filter(id=n.pk).update(letter=old)
    assert uploads.rename_stored_files([EnterpriseNomination, HistoricalEnterpriseNomination], "letter") == 1
    n.refresh_from_db()
    assert n.letter.name.startswith("letters/enterprises/2026/") and n.letter.name.endswith(".pdf")
    assert uploads.STORED_NAME.search(n.letter.name) and not default_storage.exists(old)
    assert set(HistoricalEnterpriseNomination.objects.filter(id=n.pk).values_list("letter", flat=True)) == {n.letter.name}
    assert n.letter.read() == minimal_pdf("x")
    assert uploads.rename_stored_files([EnterpriseNomination, HistoricalEnterpriseNomination], "letter") == 0
