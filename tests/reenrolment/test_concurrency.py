"""One request per student per campaign, whatever the double clicks: a database constraint,
proven with concurrent transactions on PostgreSQL."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from reenrolment import services
from reenrolment.models import Request
from tests.reenrolment.factories import RequestFactory


def submit(campaign, student, school):
    return services.submit_request(
        campaign=campaign,
        student=student,
        lines=[services.LineChoice(discipline=school.piano, kind="continue")],
        comment="",
        requirements=list(campaign.requirements.all()),
        revision=0,
    )


def test_the_database_refuses_a_second_request(campaign, lea):
    RequestFactory(campaign=campaign, student=lea)
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestFactory(campaign=campaign, student=lea)


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_leave_one_request(campaign, lea, school, outbox):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writing transactions (BEGIN IMMEDIATE): two submissions "
            "cannot overlap there; the race is proven on PostgreSQL."
        )
    first_inserted = threading.Event()
    second_started = threading.Event()
    results, errors = {}, []

    def first():
        try:
            # Inserts, then keeps its transaction open while the second one races it.
            with transaction.atomic():
                results["first"] = submit(campaign, lea, school)
                first_inserted.set()
                second_started.wait(5)
                # Give the second INSERT time to block on the unique index.
                threading.Event().wait(0.5)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
            first_inserted.set()
        finally:
            connection.close()

    def second():
        try:
            first_inserted.wait(5)
            second_started.set()
            # Its SELECT cannot see the uncommitted request: it INSERTs, waits for the first
            # transaction, then hits the constraint and answers with the existing request.
            results["second"] = submit(campaign, lea, school)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert results["first"].outcome is services.Outcome.CREATED
    assert results["second"].outcome is services.Outcome.DUPLICATE
    assert results["second"].request.pk == results["first"].request.pk
    assert Request.objects.count() == 1
    assert Request.objects.get().lines.count() == 1
    assert len(outbox()) == 1


@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_clicks_leave_one_request(campaign, lea, school, outbox):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serialises them).")
    barrier = threading.Barrier(5)
    outcomes, errors = [], []

    def click():
        try:
            barrier.wait(5)
            outcomes.append(submit(campaign, lea, school).outcome)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    assert sorted(o.value for o in outcomes) == ["created"] + ["duplicate"] * 4
    assert Request.objects.count() == 1
    assert len(outbox()) == 1
