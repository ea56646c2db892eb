"""A verdict's nomination, kept by statement-level triggers instead of a foreign key's check per row
(migration 0132): the same guarantees, on PostgreSQL, concurrent writers included."""

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from enterprises.models import EnterpriseNomination, Verdict
from tests.enterprises.factories import EnterpriseNominationFactory, VerdictFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")

FLAGS = {"eligible": True}


def missing_nomination_id():
    return (EnterpriseNomination.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def test_a_verdict_for_a_nomination_that_does_not_exist_is_refused(db):
    kept = VerdictFactory()
    missing = missing_nomination_id()
    with pytest.raises(IntegrityError, match="nomination_id"), transaction.atomic():
        Verdict.objects.create(nomination_id=missing, **FLAGS)
    other = EnterpriseNominationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():  # one bad row refuses the whole statement
        Verdict.objects.bulk_create([Verdict(nomination=other, **FLAGS), Verdict(nomination_id=missing, **FLAGS)])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE enterprises_verdict SET nomination_id = %s WHERE nomination_id = %s",
                       [missing, kept.pk])
    assert list(Verdict.objects.values_list("pk", flat=True)) == [kept.pk]
    Verdict.objects.create(nomination=other, **FLAGS)  # an existing nomination is accepted
    assert Verdict.objects.count() == 2


def test_deleting_nominations_in_sql_deletes_their_verdicts(db):
    kept, gone = VerdictFactory(), VerdictFactory()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM enterprises_enterprisenomination WHERE id = %s", [gone.pk])
    assert list(Verdict.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_orm_deletes_a_nominations_verdict(db):
    verdict = VerdictFactory()
    verdict.nomination.delete()
    assert not Verdict.objects.exists()


@pytest.fixture
def second_connection(transactional_db):
    """A second session on the test database, with a short lock timeout: waiting shows as an error."""
    raw = connection.get_new_connection(connection.get_connection_params())
    with raw.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    raw.commit()
    yield raw
    raw.rollback()
    raw.close()


def test_a_nomination_is_not_deleted_while_a_verdict_for_it_is_being_written(second_connection):
    import psycopg2.errors

    nomination = EnterpriseNominationFactory()
    with transaction.atomic():
        Verdict.objects.create(nomination=nomination, **FLAGS)
        with second_connection.cursor() as cursor, pytest.raises(psycopg2.errors.LockNotAvailable):
            cursor.execute("DELETE FROM enterprises_enterprisenomination WHERE id = %s", [nomination.pk])
        second_connection.rollback()
    assert Verdict.objects.filter(pk=nomination.pk).exists()


def test_a_verdict_waits_for_a_deletion_of_nominations_in_progress(second_connection):
    nomination = EnterpriseNominationFactory()
    with second_connection.cursor() as cursor:
        cursor.execute("DELETE FROM enterprises_enterprisenomination WHERE id = %s", [nomination.pk])  # not committed
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    try:
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            Verdict.objects.create(nomination=nomination, **FLAGS)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
        second_connection.rollback()
    Verdict.objects.create(nomination=nomination, **FLAGS)  # the deletion rolled back: the nomination is there
    assert Verdict.objects.filter(pk=nomination.pk).exists()
