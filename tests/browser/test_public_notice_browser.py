"""In Chromium: a 公示 published before National Day runs five working days across the holiday, the
public page shows that period, and a visitor objects online; the office sees the objection."""

import datetime

import pytest
from django.urls import reverse

from pojian.domain.pdf import minimal_pdf
from reviews.domain import notices
from reviews.models import Objection, PublicNotice
from tests.browsing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(cycle, office):
    from tests.reviews.test_notices import make_selected_round

    return make_selected_round(cycle, office)


def _publish(round_, office, start):
    return notices.publish_notice(round_=round_, by=office, how_to_object="书面异议请寄省科技厅", starts=start, today=start)


def test_notice_across_national_day_shows_its_working_day_period(live_server, page, published, office):
    round_, its = published
    notice = _publish(round_, office, datetime.date(2026, 9, 29))
    page.goto(f"{live_server.url}{reverse('reviews:public_notice', args=[notice.pk])}")
    period = page.inner_text("[data-testid=period-dates]")
    assert "2026年9月29日" in period and "2026年10月10日" in period
    assert "5个工作日" in page.inner_text("[data-testid=period]")
    assert "企业名称" in page.inner_text("[data-testid=public-list]")
    assert page.get_attribute("[data-testid=pdf-link]", "href").endswith("/pdf/")


def test_public_objection_form_reaches_the_office(on_a_working_day, live_server, page, published, office, settings,
                                                 tmp_path):
    # The notice runs today only on a working day (on a weekend it starts on Monday).
    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path
    round_, its = published
    notice = _running = _publish(round_, office, timezone.localdate())
    assert PublicNotice.objects.get().pk == _running.pk
    page.goto(f"{live_server.url}{reverse('reviews:public_notice', args=[notice.pk])}")
    page.select_option("select[name=objection-item]", str(its[0].pk))
    page.fill("input[name=objection-objector]", "王五")
    page.fill("input[name=objection-unit]", "长春某研究所")
    page.fill("input[name=objection-phone]", "0431-85555555")
    page.fill("textarea[name=objection-content]", "该企业研发人员占比不实")
    pdf = tmp_path / "evidence.pdf"
    pdf.write_bytes(minimal_pdf("test"))
    page.set_input_files("input[name=objection-evidence]", str(pdf))
    page.click("[data-testid=objection-form] button[type=submit]")
    page.wait_for_selector(".alert-success")
    objection = Objection.objects.get()
    assert objection.source == Objection.Source.ONLINE and objection.evidence
    assert "该企业研发人员占比不实" not in page.content()  # the public never sees it

    log_in(page, live_server.url, office.username)
    page.goto(f"{live_server.url}{reverse('reviews:office_notice', args=[round_.pk])}")
    assert "该企业研发人员占比不实" in page.inner_text("[data-testid=objections]")
    assert page.is_disabled("[data-testid=confirm-results]")
