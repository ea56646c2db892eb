"""History and audit views speak the user's language and local time (portal and admin)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from pojian.history import change_reason_display
from tests.enterprises import factories as ef


@pytest.mark.parametrize(("raw", "words"), [
    ("create", "已创建"),
    ("submit", "已提交"),
    ("accept", "已受理"),
    ("demo", "演示数据"),
    ("return: 请补充材料", "已退回：请补充材料"),
    ("select (quota 60)", "在60个名额内入选"),
    ("管理员手工修正", "管理员手工修正"),  # free text stays as written
    ("", ""),
])
def test_change_reason_is_shown_in_words(raw, words):
    with translation.override("zh-hans"):
        assert change_reason_display(raw) == words


def test_change_reason_in_english():
    with translation.override("en"):
        assert change_reason_display("return: missing proof") == "returned: missing proof"


def test_change_reason_falls_back_to_the_models_choices():
    from reviews.models import Conflict

    code = Conflict.Status.choices[-1][0]
    with translation.override("zh-hans"):
        shown = change_reason_display(f"{code}: 同单位", Conflict)
    assert shown.endswith("：同单位") and not shown.startswith(code)


@pytest.fixture
def returned_nomination(cycle, bureau, office, settings, tmp_path):
    from enterprises.domain import workflow
    from enterprises.models import EnterpriseNomination

    settings.MEDIA_ROOT = str(tmp_path)
    n = ef.EnterpriseNominationFactory(enterprise=ef.EnterpriseFactory(region=bureau.region), cycle=cycle,
                                       created_by=bureau)
    EnterpriseNomination.objects.filter(pk=n.pk).update(letter="letters/enterprises/x.pdf")
    n.refresh_from_db()
    workflow.submit(n, by=bureau)
    workflow.return_for_changes(n, by=office, reason="请补充证明材料")
    return n


@pytest.mark.django_db
def test_office_nomination_page_history_in_words(returned_nomination, office, client_for):
    html = client_for(office).get(reverse("enterprises:office_nomination", args=[returned_nomination.pk])).content.decode()
    assert "已退回：请补充证明材料" in html and "已提交" in html
    assert "return:" not in html and ">submit<" not in html


@pytest.mark.django_db
def test_admin_history_shows_state_labels_local_time_and_reason_words(returned_nomination, client_for):
    from tests import factories as core

    admin = core.OfficeFactory(username="office-admin-h", is_staff=True, full_name="王主任")
    # A known instant: 2026-03-02 01:30 UTC is 09:30 in Changchun (Asia/Shanghai).
    when = datetime.datetime(2026, 3, 2, 1, 30, tzinfo=datetime.UTC)
    returned_nomination.history.filter(history_change_reason__startswith="return").update(history_date=when)
    html = client_for(admin).get(
        reverse("admin:enterprises_enterprisenomination_history", args=[returned_nomination.pk])).content.decode()
    assert "已退回：请补充证明材料" in html
    assert "submitted" not in html and "returned" not in html  # no raw state codes in the changes
    assert "已退回" in html and "&rarr;" in html
    assert "09:30" in html and "01:30" not in html
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


@pytest.mark.django_db
def test_admin_greets_by_full_name_not_upper_cased_username(client_for):
    from tests import factories as core

    admin = core.OfficeFactory(username="office-admin-g", is_staff=True, full_name="王主任")
    html = client_for(admin).get(reverse("admin:index")).content.decode()
    assert '<strong class="portal-user-name">王主任</strong>' in html
    assert "css/admin.css" in html


@pytest.mark.django_db
def test_admin_labels_of_third_party_models_are_chinese(client_for):
    from tests import factories as core

    admin = core.OfficeFactory(username="office-admin-t", is_staff=True, is_superuser=True)
    client = client_for(admin)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Access attempts" not in index and "登录尝试" in index
    assert "登录日志" in index and "登录失败" in index
    tasks = client.get(reverse("admin:django_celery_beat_periodictask_changelist")).content.decode()
    assert "Scheduler" not in tasks and "计划" in tasks
    add = client.get(reverse("admin:django_celery_beat_periodictask_add")).content.decode()
    assert "Task Name" not in add
    from django_celery_beat.models import PeriodicTask

    with translation.override("zh-hans"):
        assert str(PeriodicTask._meta.get_field("task").verbose_name) == "任务名称"


@pytest.mark.django_db
def test_annual_report_page_does_not_tell_users_to_run_commands(office, client_for):
    html = client_for(office).get(reverse("reports:reports")).content.decode()
    assert "celery" not in html.lower()
