"""The whole year through the pages: indicators in the admin, summaries filed, returned, resubmitted and
accepted, typed values entered, the assessment computed, a region commended, the ranking published."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.demo import tiny_pdf
from assessment.domain.compute import run_compute_job
from assessment.models import Assessment, BureauSummary, Indicator
from pojian.models import Job, Region
from pojian.models import NominationState as S

pytestmark = pytest.mark.django_db


def summary_form(summary, policies):
    data = {
        "version": summary.version, "work_done": f"{summary.region.name}开展入库宣讲", "experience": "经验",
        "problems": "问题", "report": SimpleUploadedFile("总结.pdf", tiny_pdf("s")),
        "policies-TOTAL_FORMS": str(len(policies)), "policies-INITIAL_FORMS": "0",
        "policies-MIN_NUM_FORMS": "0", "policies-MAX_NUM_FORMS": "1000",
    }
    for i, number in enumerate(policies):
        data.update({f"policies-{i}-title": f"配套政策{number}", f"policies-{i}-number": number,
                     f"policies-{i}-issued_on": "2025-03-01", f"policies-{i}-link": f"https://gov.example.cn/{i}"})
    return data


def file_summary(client, region, policies, *, submit=True):
    client.post(reverse("assessment:my_summary"))
    summary = BureauSummary.objects.get(region=region)
    data = summary_form(summary, policies)
    if submit:
        data["submit"] = "1"
    assert client.post(reverse("assessment:summary_edit", args=[summary.pk]), data).status_code == 302
    return BureauSummary.objects.get(pk=summary.pk)


def act(client, summary, action, reason=""):
    summary.refresh_from_db()
    client.post(reverse("assessment:summary_action", args=[summary.pk]),
                {"action": action, "reason": reason, "version": summary.version})
    summary.refresh_from_db()
    return summary


def test_from_summaries_to_the_published_ranking(client_for, cycle, office, bureau, other_bureau):
    office.is_staff = office.is_superuser = True
    office.save()
    Region.objects.exclude(code__in=["220100", "220200"]).update(active=False)
    o, cc, jl = client_for(office), client_for(bureau), client_for(other_bureau)

    # The office defines the year's indicators in the admin (bands typed as lines).
    admin_add = reverse("admin:assessment_indicator_add")
    response = o.post(admin_add, {"cycle": cycle.pk, "order": 1, "code": "policies", "name": "地方配套政策",
                                  "weight": "1", "source": "computed", "computation": "local_policies",
                                  "scoring": "bands", "bands": "1: 50\n2: 100"})
    assert response.status_code == 302, response.content.decode()[:2000]
    o.post(admin_add, {"cycle": cycle.pk, "order": 2, "code": "opinion", "name": "处室意见", "weight": "1",
                       "source": "office", "computation": "", "scoring": "scaled", "bands": ""})
    policies, opinion = Indicator.objects.get(code="policies"), Indicator.objects.get(code="opinion")
    assert policies.bands == [{"min": "1", "points": "50"}, {"min": "2", "points": "100"}]

    # Both bureaus file; 长春 is returned once, resubmits; both are accepted.
    summary_cc = file_summary(cc, bureau.region, ["长府发〔2025〕1号", "长府发〔2025〕2号"])
    summary_jl = file_summary(jl, other_bureau.region, ["吉市发〔2025〕9号"])
    assert summary_cc.state == summary_jl.state == S.SUBMITTED
    assert act(o, summary_cc, "return", "请上传盖章版").state == S.RETURNED
    assert "请上传盖章版" in cc.get(reverse("assessment:summary", args=[summary_cc.pk])).content.decode()
    assert act(cc, summary_cc, "submit").state == S.SUBMITTED
    assert act(o, summary_cc, "accept").state == S.ACCEPTED
    assert act(o, summary_jl, "accept").state == S.ACCEPTED
    history = o.get(reverse("assessment:summary", args=[summary_cc.pk])).content.decode()
    assert 'data-event="resubmitted"' in history

    # The office types the divisions' opinion.
    o.post(reverse("assessment:office_values", args=[cycle.year, opinion.pk]), {
        f"value_{bureau.region.pk}": "80", f"note_{bureau.region.pk}": "",
        f"value_{other_bureau.region.pk}": "100", f"note_{other_bureau.region.pk}": "",
    })

    # Compute (a job); with a broker the test runs the job's work itself.
    response = o.post(reverse("assessment:compute", args=[cycle.year]))
    job = Job.objects.get(kind="assessment.compute")
    assert response["Location"] == reverse("job", args=[job.pk])
    if job.is_active:
        run_compute_job(job.pk)
    table = o.get(reverse("assessment:table", args=[cycle.year])).content.decode()
    assert 'data-testid="computed-at"' in table
    # 长春: policies 2 → 100, opinion 80 → 80 → 90.00;  吉林: 1 → 50, 100 → 100 → 75.00
    assessment = Assessment.objects.get(cycle=cycle)
    totals = {r.region.code: (r.total, r.rank) for r in assessment.results.all()}
    assert totals == {"220100": (Decimal("90.00"), 1), "220200": (Decimal("75.00"), 2)}

    # 长春's bureau sees how its figures came about, what was counted, but not yet its rank.
    region_page = cc.get(reverse("assessment:region", args=[cycle.year, "220100"])).content.decode()
    assert "90" in region_page and 'data-testid="region-rank"' not in region_page
    items = cc.get(reverse("assessment:items", args=[cycle.year, "220100", policies.pk])).content.decode()
    assert "长府发〔2025〕1号" in items and "长府发〔2025〕2号" in items

    # Commend 长春, publish.
    o.post(reverse("assessment:commend", args=[cycle.year, "220100"]),
           {"reason": "入库培育成效突出", "version": assessment.results.get(region__code="220100").version})
    public_url = reverse("public_assessment", args=[cycle.year])
    assert client_for(None).get(public_url).status_code == 404
    o.post(reverse("assessment:publish", args=[cycle.year]), {"note": "特此通报"})
    assessment.refresh_from_db()
    assert assessment.is_published

    public = client_for(None).get(public_url).content.decode()
    assert "入库培育成效突出" in public and "长春市科学技术局" in public and "特此通报" in public
    ranking = public.split('data-testid="public-ranking"')[1]
    assert ranking.index("长春市") < ranking.index("吉林市")
    assert 'data-testid="region-rank"' in cc.get(reverse("assessment:region", args=[cycle.year, "220100"])).content.decode()
