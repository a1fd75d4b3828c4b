"""A substitute gets a copy of the assignment notices of the person they stand in for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from esm.accounts.models import User
from esm.accounts.services import record_absence
from esm.cases import services
from esm.mail.models import OutboundKind, OutboundMessage
from esm.mail.notify import dispatch_notifications
from esm.mail.tests.smtp import CaptureServer, smtp_capture

pytestmark = pytest.mark.django_db

OLE = "ole.madsen@ejendomme.kk.dk"
SARA = "sara.nielsen@ejendomme.kk.dk"
HANNE = "hanne.lund@ejendomme.kk.dk"


@pytest.fixture
def smtp(settings: Any) -> Iterator[CaptureServer]:
    settings.ESM_MAIL_HELPDESK_ADDRESS = "helpdesk@ejendomme.kk.dk"
    settings.ESM_SITE_URL = "https://ejendomsservice.kk.dk"
    with smtp_capture(settings) as server:
        yield server


@pytest.fixture
def addresses(technician: User, other_technician: User, team_lead: User) -> None:
    for user, address in [(technician, OLE), (other_technician, SARA), (team_lead, HANNE)]:
        user.email = address
        user.save(update_fields=["email"])


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Callable[[], int]:
    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch_notifications()

    return run


def assigned_to(address: str) -> int:
    return OutboundMessage.objects.filter(recipient=address, kind=OutboundKind.ASSIGNED).count()


def ole_away(technician: User, substitute: User | None) -> None:
    today = timezone.localdate()
    record_absence(technician, user=technician, starts=today, ends=today + timedelta(days=2), substitute=substitute)


def test_the_substitute_of_an_absent_assignee_gets_the_assignment_notice_too(
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    other_technician: User,
    team_lead: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    ole_away(technician, substitute=other_technician)
    case = make_case()
    services.assign_case(team_lead, case=case, assignee=technician)

    deliver()

    assert assigned_to(OLE) == 1
    assert assigned_to(SARA) == 1
    copy = OutboundMessage.objects.get(recipient=SARA)
    assert copy.recipient_user == other_technician
    assert copy.event_id == OutboundMessage.objects.get(recipient=OLE).event_id  # one event, two recipients
    assert {tuple(m.rcpt_tos) for m in smtp.wait_for(2)} == {(OLE,), (SARA,)}


def test_no_copy_when_the_assignee_is_not_away_or_has_no_substitute(
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    other_technician: User,
    team_lead: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    services.assign_case(team_lead, case=make_case(), assignee=other_technician)  # present
    ole_away(technician, substitute=None)
    services.assign_case(team_lead, case=make_case(), assignee=technician)  # away, nobody stands in

    deliver()

    assert assigned_to(SARA) == 1
    assert assigned_to(OLE) == 1
    assert OutboundMessage.objects.filter(kind=OutboundKind.ASSIGNED).count() == 2


def test_the_substitute_who_assigned_the_case_gets_no_copy_of_their_own_act(
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    team_lead: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    ole_away(technician, substitute=team_lead)
    services.assign_case(team_lead, case=make_case(), assignee=technician)

    deliver()

    assert assigned_to(OLE) == 1
    assert assigned_to(HANNE) == 0


def test_dispatching_twice_sends_the_copy_once(
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    other_technician: User,
    team_lead: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    ole_away(technician, substitute=other_technician)
    services.assign_case(team_lead, case=make_case(), assignee=technician)

    deliver()
    deliver()

    assert assigned_to(SARA) == 1


def test_the_substitutes_copy_says_whose_case_it_is(
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    other_technician: User,
    team_lead: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    ole_away(technician, substitute=other_technician)
    services.assign_case(team_lead, case=make_case(), assignee=technician)

    deliver()

    own = OutboundMessage.objects.get(recipient=OLE)
    copy = OutboundMessage.objects.get(recipient=SARA)
    assert "Tildelt dig:" in own.subject
    assert f"Tildelt {technician} (du er stedfortræder):" in copy.subject
    assert f"tildelt {technician}, som er væk. Du er stedfortræder." in copy.text


def test_the_assignee_and_their_substitute_hear_when_the_customer_replies(
    smtp: CaptureServer,
    addresses: None,
    technician: User,
    other_technician: User,
    team_lead: User,
    customer: User,
    make_case: Any,
    deliver: Callable[[], int],
) -> None:
    case = make_case()
    services.assign_case(team_lead, case=case, assignee=technician)
    deliver()
    ole_away(technician, substitute=other_technician)

    services.reply_to_case(customer, case=case, body="Ruden er stadig ikke skiftet.")
    deliver()

    notices = OutboundMessage.objects.filter(kind=OutboundKind.CUSTOMER_REPLY)
    assert sorted(notices.values_list("recipient", flat=True)) == [OLE, SARA]
    copy = notices.get(recipient=SARA)
    assert "Ruden er stadig ikke skiftet." in copy.text
    assert f"Du er stedfortræder for {technician}" in copy.text


def test_nobody_is_told_of_a_customer_reply_on_an_unassigned_case_or_of_their_own_reply(
    addresses: None, technician: User, team_lead: User, customer: User, make_case: Any, deliver: Callable[[], int]
) -> None:
    unassigned = make_case()
    services.reply_to_case(customer, case=unassigned, body="Hallo?")
    mine = make_case()
    services.assign_case(team_lead, case=mine, assignee=technician)
    services.reply_to_case(technician, case=mine, body="Vi kommer i morgen.")

    deliver()

    assert not OutboundMessage.objects.filter(kind=OutboundKind.CUSTOMER_REPLY).exists()
