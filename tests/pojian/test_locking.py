"""Optimistic locking: two people edit the same record; the stale save changes nothing and says
what changed since, and by whom (a finance institution's edit page; an enterprise in the admin)."""

import re

import pytest
from django.urls import reverse

from enterprises.models import Enterprise
from finance.models import FinanceInstitution
from tests import factories as core
from tests.enterprises import factories as ef
from tests.finance.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def hidden(content, name):
    return re.search(rf'name="{name}" value="([^"]*)"', content).group(1)


def institution_data(page, institution, **changes):
    data = {"name": institution.name, "uscc": institution.uscc, "kind": institution.kind,
            "region": institution.region_id, "registered_capital": institution.registered_capital or "",
            "address": institution.address, "contact_person": institution.contact_person,
            "contact_phone": institution.contact_phone, "contact_email": institution.contact_email,
            "edit_token": hidden(page, "edit_token")}
    data.update(changes)
    return data


def test_a_stale_save_of_a_finance_institution_changes_nothing_and_says_who_changed_what(client_for, office):
    institution = InstitutionFactory(name="长春北湖天使投资有限公司")
    other = core.OfficeFactory(username="office-2", full_name="李四")
    first, second = client_for(office), client_for(other)
    url = reverse("finance:institution_edit", args=[institution.pk])
    page_1 = first.get(url).content.decode()
    page_2 = second.get(url).content.decode()

    saved = second.post(url, institution_data(page_2, institution, contact_person="李四"))
    assert saved.status_code == 302
    stale = first.post(url, institution_data(page_1, institution, contact_person="张三", address="新地址"))

    assert stale.status_code == 200
    institution.refresh_from_db()
    assert (institution.contact_person, institution.address) != ("张三", "新地址")
    assert institution.contact_person == "李四"
    text = stale.content.decode()
    assert "没有保存" in text
    assert "李四修改了联系人：“王五”→“李四”" in text


def test_a_fresh_save_after_a_reload_goes_through(client_for, office):
    institution = InstitutionFactory()
    client = client_for(office)
    url = reverse("finance:institution_edit", args=[institution.pk])
    for person in ("王五", "赵六"):
        page = client.get(url).content.decode()
        assert client.post(url, institution_data(page, institution, contact_person=person)).status_code == 302
    assert FinanceInstitution.objects.get(pk=institution.pk).contact_person == "赵六"


def test_a_save_without_the_token_is_refused(client_for, office):
    institution = InstitutionFactory()
    url = reverse("finance:institution_edit", args=[institution.pk])
    page = client_for(office).get(url).content.decode()
    data = institution_data(page, institution, contact_person="钱七")
    del data["edit_token"]
    assert client_for(office).post(url, data).status_code == 200
    assert FinanceInstitution.objects.get(pk=institution.pk).contact_person != "钱七"


def admin_form(page):
    """Every named input, select and textarea of the admin change form with its current value."""
    data = {}
    for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*>', page):
        tag, name = m.group(0), m.group(1)
        if 'type="checkbox"' in tag and "checked" not in tag or 'type="submit"' in tag or 'type="file"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name] = value.group(1) if value else ""
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        data[m.group(1)] = m.group(2).strip()
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        data[m.group(1)] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    return data


def test_a_stale_admin_save_of_an_enterprise_changes_nothing(client_for, office):
    enterprise = ef.EnterpriseFactory(name="长春光谷精密光电科技有限公司")
    other = core.OfficeFactory(username="office-2", full_name="李四")
    for user in (office, other):  # the admin's office staff
        user.is_staff = user.is_superuser = True
        user.save()
    url = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
    first, second = client_for(office), client_for(other)
    form_1 = admin_form(first.get(url).content.decode())
    form_2 = admin_form(second.get(url).content.decode())
    assert "edit_token" in form_1

    assert second.post(url, {**form_2, "contact_person": "李四"}).status_code == 302
    stale = first.post(url, {**form_1, "contact_person": "张三", "address": "长春市新地址"})

    assert stale.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.contact_person == "李四" and enterprise.address != "长春市新地址"
    assert "李四修改了联系人：“张三”→“李四”" in stale.content.decode()
    # After a reload the first person's edit goes through.
    fresh = admin_form(first.get(url).content.decode())
    assert first.post(url, {**fresh, "contact_person": "张三"}).status_code == 302
    assert Enterprise.objects.get(pk=enterprise.pk).contact_person == "张三"
