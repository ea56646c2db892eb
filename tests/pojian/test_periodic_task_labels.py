"""Periodic tasks (django-celery-beat) are shown by what they do, in Chinese, not by their code names."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from pojian.third_party import PERIODIC_TASK_LABELS, periodic_task_label
from tests import factories as core

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_has_a_label():
    from django_celery_beat.models import PeriodicTask

    scheduled = set(PeriodicTask.objects.values_list("task", flat=True))  # installed by the apps' migrations
    scheduled |= {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    scheduled |= {"reports.scheduled_annual_report", "celery.backend_cleanup"}
    assert scheduled, "the migrations schedule periodic tasks"
    assert scheduled <= set(PERIODIC_TASK_LABELS), scheduled - set(PERIODIC_TASK_LABELS)


def test_labels_are_chinese_and_name_a_report_schedule():
    from django_celery_beat.models import PeriodicTask

    with translation.override("zh-hans"):
        assert str(periodic_task_label("reviews.tasks.send_deadline_reminders")) == "评分截止提醒"
        assert str(periodic_task_label("finance.tasks.prepare_digests")) == "生成合作机构优质企业信息推送"
        named = PeriodicTask(name="每月全省报告", task="reports.scheduled_annual_report")
        assert str(periodic_task_label(named)) == "定时生成年度报告：每月全省报告"
        # A task the portal does not know keeps its name: nothing is hidden.
        assert periodic_task_label(PeriodicTask(name="x", task="other.task")) == "x"
        assert str(PeriodicTask.objects.get(task="reviews.tasks.send_deadline_reminders")).startswith("评分截止提醒：")
    with translation.override("en"):
        assert str(periodic_task_label("reviews.tasks.send_deadline_reminders")) == "Reminders of the scoring deadline"


def test_admin_lists_periodic_tasks_by_label_not_code_name(client_for):
    admin = core.OfficeFactory(username="office-admin-beat", is_staff=True, is_superuser=True)
    client = client_for(admin)
    with translation.override("zh-hans"):
        html = client.get(reverse("admin:django_celery_beat_periodictask_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "评分截止提醒" in html
    for code in ("finance.prepare_digests", "reviews: scoring deadline reminders", "funding: project report reminders"):
        assert code not in html, code
    assert "项目报告和验收到期提醒" in html
    # The filter by task offers labels too.
    assert "?task=reviews.tasks.send_deadline_reminders" in html.replace("&amp;", "&")
    add = client.get(reverse("admin:django_celery_beat_periodictask_add")).content.decode()
    assert "评分截止提醒（reviews.tasks.send_deadline_reminders）" in add
