"""Computing, recomputing on change, commending and publishing a year's assessment."""

import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.domain import compute, results
from assessment.models import Assessment, IndicatorResult, RegionResult
from pojian.models import Job, Notification, Region
from tests import factories as core
from tests.assessment.factories import IndicatorFactory, OfficeEntryFactory
from tests.enterprises.factories import EnterpriseFactory, RegistrationFactory


@pytest.fixture
def small(db, cycle, office):
    """Three active regions, one computed and one typed indicator."""
    Region.objects.exclude(code__in=["220100", "220200", "220300"]).update(active=False)
    registered = IndicatorFactory(cycle=cycle, code="registered", source="computed", computation="registered",
                                  weight=Decimal(1))
    typed = IndicatorFactory(cycle=cycle, code="opinion", weight=Decimal(1))
    for code, value in (("220100", 90), ("220200", 60), ("220300", 30)):
        OfficeEntryFactory(indicator=typed, region=core.region(code), value=Decimal(value), entered_by=office)
    RegistrationFactory(enterprise=EnterpriseFactory(region=core.region("220200")), year=cycle.year)
    return {"registered": registered, "typed": typed}


@pytest.mark.django_db
def test_compute_fills_every_region_times_indicator_with_time(small, cycle, office):
    assessment = compute.compute_assessment(cycle=cycle, by=office)
    assert assessment.computed_at is not None and assessment.computed_by == office
    assert IndicatorResult.objects.filter(assessment=assessment).count() == 3 * 2
    ranks = dict(RegionResult.objects.filter(assessment=assessment).values_list("region__code", "rank"))
    # 吉林: registered 1 → 100, opinion 60 → 66.67: 83.34 ; 长春: 0 + 100 → 50.00 ; 四平: 0 + 33.33 → 16.67
    assert ranks == {"220200": 1, "220100": 2, "220300": 3}
    assert RegionResult.objects.get(assessment=assessment, region__code="220200").total == Decimal("83.34")


@pytest.mark.django_db
def test_recompute_keeps_the_commendation(small, cycle, office):
    assessment = compute.compute_assessment(cycle=cycle, by=office)
    result = RegionResult.objects.get(assessment=assessment, region__code="220200")
    results.commend(result, by=office, reason="入库工作突出")
    compute.compute_assessment(cycle=cycle, by=office)
    result.refresh_from_db()
    assert result.commended and result.commendation_reason == "入库工作突出"


@pytest.mark.django_db
def test_commendation_needs_a_reason_and_the_office(small, cycle, office, bureau):
    assessment = compute.compute_assessment(cycle=cycle, by=office)
    result = RegionResult.objects.get(assessment=assessment, region__code="220100")
    with pytest.raises(ValidationError):
        results.commend(result, by=office, reason=" ")
    with pytest.raises(PermissionDenied):
        results.commend(result, by=bureau, reason="自我表彰")
    assert not RegionResult.objects.get(pk=result.pk).commended


@pytest.mark.django_db
def test_stale_when_the_data_changes(small, cycle, office):
    assessment = compute.compute_assessment(cycle=cycle, by=office)
    assert not compute.is_stale(assessment)
    RegistrationFactory(enterprise=EnterpriseFactory(region=core.region("220100")), year=cycle.year)
    assert compute.is_stale(assessment)


@pytest.mark.django_db
def test_publish_refuses_before_computing_and_when_stale(small, cycle, office):
    assessment = Assessment.objects.create(cycle=cycle)
    with pytest.raises(ValidationError):
        results.publish(assessment, by=office)
    assessment = compute.compute_assessment(cycle=cycle, by=office)
    entry = small["typed"].entries.get(region__code="220100")
    entry.value = Decimal(10)
    entry.save()  # an audited change, as the office page makes
    with pytest.raises(ValidationError):
        results.publish(assessment, by=office)
    assert not Assessment.objects.get(pk=assessment.pk).is_published


@pytest.mark.django_db
def test_publish_freezes_the_result_and_tells_the_bureaus(small, cycle, office, bureau, other_bureau):
    assessment = compute.compute_assessment(cycle=cycle, by=office)
    results.publish(assessment, by=office, note="省科技厅通报")
    assessment.refresh_from_db()
    assert assessment.is_published and assessment.public_note == "省科技厅通报"
    assert Notification.objects.filter(user__in=[bureau, other_bureau]).count() == 2
    with pytest.raises(ValidationError):
        compute.compute_assessment(cycle=cycle, by=office)
    with pytest.raises(ValidationError):
        compute.request_computation(cycle=cycle, by=office)
    with pytest.raises(ValidationError):
        results.commend(RegionResult.objects.filter(assessment=assessment).first(), by=office, reason="迟到的表彰")
    with pytest.raises(ValidationError):
        results.unpublish(assessment, by=office, reason="")
    results.unpublish(assessment, by=office, reason="数据更正")
    assert not Assessment.objects.get(pk=assessment.pk).is_published


@pytest.mark.django_db
def test_office_values_are_entered_changed_and_cleared(small, cycle, office):
    cc, jl = core.region("220100"), core.region("220200")
    changed = results.enter_office_values(small["typed"], by=office, values={cc: (Decimal("95"), "意见"), jl: (None, "")})
    assert changed == 2
    assert dict(small["typed"].entries.values_list("region__code", "value")) == {"220100": Decimal("95"), "220300": Decimal("30")}
    assert results.enter_office_values(small["typed"], by=office, values={cc: (Decimal("95"), "意见")}) == 0


@pytest.mark.django_db
def test_request_computation_is_once_at_a_time_per_year(small, cycle, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created = compute.request_computation(cycle=cycle, by=office)
        second, created_again = compute.request_computation(cycle=cycle, by=office)
    assert created and not created_again and first.pk == second.pk
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_periodic_check_recomputes_only_what_changed(small, cycle, office, django_capture_on_commit_callbacks):
    assert compute.recompute_changed() == []  # never computed: the office starts it once
    compute.compute_assessment(cycle=cycle, by=office)
    assert compute.recompute_changed() == []  # nothing changed
    RegistrationFactory(enterprise=EnterpriseFactory(region=core.region("220300")), year=cycle.year)
    with django_capture_on_commit_callbacks(execute=True):
        jobs = compute.recompute_changed()
    assert len(jobs) == 1 and jobs[0].kind == compute.JOB_KIND
    assessment = Assessment.objects.get(cycle=cycle)
    job = Job.objects.get(pk=jobs[0].pk)
    if job.status == Job.Status.DONE:  # no broker: the task ran in-process
        assert not compute.is_stale(assessment)
        assert IndicatorResult.objects.get(indicator=small["registered"], region__code="220300").value == 1


@pytest.mark.django_db
def test_periodic_check_leaves_a_published_assessment_alone(small, cycle, office):
    assessment = compute.compute_assessment(cycle=cycle, by=office)
    results.publish(assessment, by=office)
    RegistrationFactory(enterprise=EnterpriseFactory(region=core.region("220300")), year=cycle.year)
    assert compute.recompute_changed() == []


@pytest.mark.django_db
def test_the_periodic_task_is_scheduled_in_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="assessment.tasks.recompute_changed_assessments")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "minutes")


@pytest.mark.worker
def test_compute_job_runs_on_a_real_worker(celery_worker_on_broker, office):
    cycle = core.CycleFactory()
    Region.objects.exclude(code__in=["220100", "220200"]).update(active=False)
    indicator = IndicatorFactory(cycle=cycle, code="opinion")
    OfficeEntryFactory(indicator=indicator, region=core.region("220100"), value=Decimal(7), entered_by=office)
    job, created = compute.request_computation(cycle=cycle, by=office)  # sent to Redis on commit (autocommit here)
    assert created
    for _ in range(600):
        job.refresh_from_db()
        if not job.is_active:
            break
        time.sleep(0.1)
    assert job.status == Job.Status.DONE, job.message
    assert job.progress == job.total == 2
    assert RegionResult.objects.get(assessment__cycle=cycle, region__code="220100").total == Decimal("100.00")
