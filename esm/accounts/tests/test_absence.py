"""Absence: who may register it, overlap and substitute checks, cancelling, reads, the page, and "mine"."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from esm.accounts.models import Absence, Role, User
from esm.accounts.queries import absent_user_ids, is_absent, people_substituted_by, substitutes_for
from esm.accounts.services import cancel_absence, record_absence
from esm.cases.queries import queue
from esm.cases.services import assign_case
from esm.core.errors import DomainError, ErrorCode

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=CPH)  # a Monday
MONDAY = date(2026, 11, 23)


def days(first: int, last: int) -> dict[str, date]:
    return {"starts": MONDAY + timedelta(days=first), "ends": MONDAY + timedelta(days=last)}


# --- who may ------------------------------------------------------------------------------


def test_a_technician_registers_her_own_absence(technician):
    absence = record_absence(technician, user=technician, reason="Ferie", now=NOW, **days(0, 4))

    assert (absence.user, absence.created_by, absence.reason) == (technician, technician, "Ferie")
    assert is_absent(technician, NOW)
    assert not is_absent(technician, NOW + timedelta(days=5))


def test_a_team_lead_registers_absence_for_a_member_of_her_team(team_lead, technician):
    record_absence(team_lead, user=technician, now=NOW, **days(1, 2))

    assert Absence.objects.get().created_by == team_lead


@pytest.mark.parametrize(
    ("actor", "user"),
    [
        ("technician", "other_technician"),  # a technician for someone else
        ("team_lead", "other_technician"),  # a team lead for another team
        ("customer", "technician"),
    ],
)
def test_nobody_else_registers_absence_for_a_person(request, actor, user):
    actor_user, absent_user = request.getfixturevalue(actor), request.getfixturevalue(user)

    with pytest.raises(DomainError) as refused:
        record_absence(actor_user, user=absent_user, now=NOW, **days(0, 1))

    assert refused.value.code == ErrorCode.PERMISSION_DENIED
    assert not Absence.objects.exists()


def test_an_administrator_registers_absence_for_anyone(administrator, other_technician):
    record_absence(administrator, user=other_technician, now=NOW, **days(0, 0))

    assert is_absent(other_technician, NOW)


def test_customers_cannot_be_registered_as_absent(administrator, customer):
    with pytest.raises(DomainError) as refused:
        record_absence(administrator, user=customer, now=NOW, **days(0, 0))

    assert refused.value.code == ErrorCode.VALIDATION


# --- checks -------------------------------------------------------------------------------


def test_an_overlapping_absence_is_refused_with_the_existing_period(technician):
    record_absence(technician, user=technician, now=NOW, **days(2, 4))

    with pytest.raises(DomainError) as refused:
        record_absence(technician, user=technician, now=NOW, **days(4, 6))

    assert refused.value.code == ErrorCode.CONFLICT
    assert "25.11.2026" in refused.value.message  # the period already registered
    record_absence(technician, user=technician, now=NOW, **days(5, 6))  # the day after is fine
    assert Absence.objects.count() == 2


@pytest.mark.parametrize(
    ("period", "field"),
    [((3, 1), "ends"), ((-5, -1), "ends")],  # last before first; over already
)
def test_impossible_periods_are_refused(technician, period, field):
    with pytest.raises(DomainError) as refused:
        record_absence(technician, user=technician, now=NOW, **days(*period))

    assert refused.value.field == field


def test_the_substitute_must_be_another_active_handler_who_is_not_away(
    technician, other_technician, team_lead, customer
):
    record_absence(other_technician, user=other_technician, now=NOW, **days(3, 3))

    for substitute in (technician, customer, other_technician):
        with pytest.raises(DomainError) as refused:
            record_absence(technician, user=technician, substitute=substitute, now=NOW, **days(0, 4))
        assert refused.value.field == "substitute"
    record_absence(technician, user=technician, substitute=team_lead, now=NOW, **days(0, 4))


def test_the_database_refuses_a_reversed_period_and_oneself_as_substitute(technician):
    for values in ({**days(2, 1)}, {**days(1, 2), "substitute": technician}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Absence.objects.create(user=technician, created_at=NOW, **values)


# --- cancelling ---------------------------------------------------------------------------


def test_cancelling_a_coming_absence_removes_it_and_one_under_way_ends_yesterday(technician, team_lead):
    coming = record_absence(technician, user=technician, now=NOW, **days(3, 4))
    under_way = record_absence(team_lead, user=technician, now=NOW - timedelta(days=2), **days(-2, 1))

    assert cancel_absence(technician, absence=coming, now=NOW) is None
    shortened = cancel_absence(team_lead, absence=under_way, now=NOW)

    assert not Absence.objects.filter(pk=coming.pk).exists()
    assert shortened is not None and shortened.ends == MONDAY - timedelta(days=1)
    assert not is_absent(technician, NOW)


def test_a_technician_cannot_cancel_someone_elses_absence(technician, other_technician):
    absence = record_absence(other_technician, user=other_technician, now=NOW, **days(0, 1))

    with pytest.raises(DomainError):
        cancel_absence(technician, absence=absence, now=NOW)

    assert Absence.objects.filter(pk=absence.pk).exists()


# --- reads --------------------------------------------------------------------------------


def test_substitutes_and_the_people_they_stand_in_for(technician, team_lead, other_technician):
    record_absence(team_lead, user=technician, substitute=team_lead, now=NOW, **days(0, 2))

    assert absent_user_ids(NOW) == {technician.pk}
    assert substitutes_for(technician, NOW) == [team_lead]
    assert list(people_substituted_by(team_lead, NOW)) == [technician]
    assert substitutes_for(technician, NOW + timedelta(days=3)) == []
    assert substitutes_for(other_technician, NOW) == []


def test_a_substitute_who_falls_ill_stands_in_for_nobody(technician, team_lead):
    record_absence(team_lead, user=technician, substitute=team_lead, now=NOW, **days(0, 4))
    record_absence(team_lead, user=team_lead, reason="Syg", now=NOW, **days(1, 1))

    assert substitutes_for(technician, NOW + timedelta(days=1)) == []
    assert substitutes_for(technician, NOW + timedelta(days=2)) == [team_lead]


def test_the_substitute_sees_the_absent_persons_open_cases_in_mine(make_case, technician, team_lead, other_technician):
    theirs = make_case(title="Teknikerens sag")
    own = make_case(title="Min egen sag")
    others = make_case(title="En andens sag")
    assign_case(team_lead, case=theirs, assignee=technician)
    assign_case(team_lead, case=own, assignee=team_lead)
    assign_case(team_lead, case=others, assignee=other_technician)
    today = timezone.localdate()
    record_absence(team_lead, user=technician, substitute=team_lead, starts=today, ends=today + timedelta(days=1))

    mine = set(queue(team_lead, "mine").values_list("number", flat=True))

    assert mine == {theirs.number, own.number}
    assert set(queue(team_lead, "mine", now=timezone.now() + timedelta(days=3)).values_list("number", flat=True)) == {
        own.number
    }
    assert set(queue(technician, "mine").values_list("number", flat=True)) == {theirs.number}


def test_mine_says_whose_cases_the_substitute_also_sees(client, make_case, technician, team_lead):
    today = timezone.localdate()
    record_absence(team_lead, user=technician, substitute=team_lead, starts=today, ends=today + timedelta(days=1))
    client.force_login(team_lead)

    mine = client.get(reverse("desk:queue"), {"queue": "mine"}).content.decode()
    everything = client.get(reverse("desk:queue"), {"queue": "open"}).content.decode()
    client.force_login(technician)
    absent_persons_own = client.get(reverse("desk:queue"), {"queue": "mine"}).content.decode()

    assert 'id="standing-in"' in mine and str(technician) in mine.split('id="standing-in"')[1].split("</p>")[0]
    assert 'id="standing-in"' not in everything
    assert 'id="standing-in"' not in absent_persons_own


# --- the page -----------------------------------------------------------------------------


def test_a_technician_registers_and_cancels_her_absence_on_the_page(client, technician, team_lead):
    client.force_login(technician)
    today = timezone.localdate()

    assert client.get(reverse("accounts:absence")).status_code == 200
    response = client.post(
        reverse("accounts:absence"),
        {
            "starts": today.isoformat(),
            "ends": (today + timedelta(days=2)).isoformat(),
            "substitute": team_lead.username,
            "reason": "Kursus",
        },
    )

    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.user, absence.substitute, absence.reason) == (technician, team_lead, "Kursus")
    page = client.get(reverse("accounts:absence")).content.decode()
    assert f'data-absence="{absence.pk}"' in page

    client.post(reverse("accounts:cancel_absence", args=[absence.pk]))
    assert not Absence.objects.exists()


def test_a_team_lead_registers_absence_for_a_member_on_the_page(client, team_lead, technician):
    client.force_login(team_lead)
    today = timezone.localdate()

    page = client.get(reverse("accounts:absence")).content.decode()
    client.post(
        reverse("accounts:absence"),
        {"user": technician.username, "starts": today.isoformat(), "ends": today.isoformat()},
    )

    assert 'id="id_absence_user"' in page
    assert Absence.objects.get().user == technician


def test_the_page_refuses_what_the_service_refuses_and_says_why(client, technician, other_technician):
    client.force_login(technician)
    today = timezone.localdate().isoformat()

    response = client.post(
        reverse("accounts:absence"), {"user": other_technician.username, "starts": today, "ends": today}
    )
    response_overlap_setup = client.post(reverse("accounts:absence"), {"starts": today, "ends": today})
    response_overlap = client.post(reverse("accounts:absence"), {"starts": today, "ends": today})

    assert response.status_code == 400  # not hers to choose
    assert response_overlap_setup.status_code == 302
    assert response_overlap.status_code == 400
    assert 'class="errorlist' in response_overlap.content.decode()
    assert list(Absence.objects.values_list("user__username", flat=True)) == [technician.username]


def test_another_technician_cannot_cancel_through_the_page(client, technician, other_technician):
    absence = record_absence(
        other_technician, user=other_technician, starts=timezone.localdate(), ends=timezone.localdate()
    )
    client.force_login(technician)

    assert client.post(reverse("accounts:cancel_absence", args=[absence.pk])).status_code == 404
    assert Absence.objects.filter(pk=absence.pk).exists()


def test_customers_do_not_get_the_absence_page(client, customer):
    client.force_login(customer)

    assert client.get(reverse("accounts:absence")).status_code == 404


def test_an_inactive_substitute_is_refused(technician, teams):
    retired: User = make_user("pensionist", Role.TECHNICIAN, team=teams["north"], is_active=False)

    with pytest.raises(DomainError):
        record_absence(technician, user=technician, substitute=retired, now=NOW, **days(0, 1))
