"""Every change to a case: typed, keyword-only verbs with the acting user first.

Each service validates, writes inside one transaction, records a timeline event in
that transaction and schedules side effects with `transaction.on_commit`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from esm.accounts.models import Role, Team, User
from esm.buildings.models import Building, Installation, Unit
from esm.cases import sla
from esm.cases.assignment import choose_for_new, record_choice
from esm.cases.lifecycle import BY_ACTION, check
from esm.cases.models import (
    PRIORITY_ORDER,
    Attachment,
    BusinessHours,
    Case,
    CaseEvent,
    Category,
    Channel,
    Complexity,
    CustomerType,
    EventKind,
    Priority,
    SlaTarget,
    Status,
    TimeEntry,
    TimeSource,
)
from esm.cases.uploads import PreparedFile, prepare_upload
from esm.core.errors import DomainError, ErrorCode
from esm.core.numbering import format_number, next_value

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
BODY_MAX = 50_000
MAX_FILES = 20


class Upload(Protocol):
    """An uploaded file: Django's `UploadedFile` or anything with a name and `read()`."""

    name: str | None

    def read(self, size: int = -1) -> bytes: ...


# --- helpers -------------------------------------------------------------------------


def record_event(
    case: Case,
    actor: User | None,
    kind: EventKind,
    *,
    is_public: bool = False,
    body: str = "",
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
    client_key: uuid.UUID | None = None,
) -> CaseEvent:
    """Append an event to the case's timeline (call inside the service's transaction)."""
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        is_public=is_public,
        body=body,
        payload=payload or {},
        created_at=at or timezone.now(),
        client_key=client_key,
    )


# --- exactly once: a message sent again with the same client key lands once --------------


def _client_key(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)[:100])
    except ValueError:
        raise DomainError(ErrorCode.VALIDATION, _("The message's key is not valid."), field="client_key") from None


def _sent_before(actor: User, case: Case, kind: EventKind, client_key: uuid.UUID | None) -> CaseEvent | None:
    """The event a client already sent with this key (a resend after a lost answer), or None.

    The key belongs to one message: the same key on another case, by another person or as
    another kind of message is refused rather than silently answered with the wrong event.
    """
    if client_key is None:
        return None
    event = CaseEvent.objects.filter(client_key=client_key).first()
    if event is None:
        return None
    if event.case_id != case.pk or event.actor_id != actor.pk or event.kind != kind:
        raise DomainError(
            ErrorCode.CONFLICT,
            _("This message was already sent as another message. Write it again."),
            field="client_key",
        )
    return event


def _record_once(
    case: Case, actor: User, kind: EventKind, client_key: uuid.UUID | None, **fields: Any
) -> tuple[CaseEvent, bool]:
    """`record_event` with the client key; if a simultaneous request with the same key won
    the race (unique constraint), its event instead and False."""
    if client_key is None:
        return record_event(case, actor, kind, **fields), True
    try:
        with transaction.atomic():
            return record_event(case, actor, kind, client_key=client_key, **fields), True
    except IntegrityError:
        earlier = _sent_before(actor, case, kind, client_key)
        if earlier is None:
            raise
        return earlier, False


def _append_search_text(case: Case, text: str) -> None:
    """Add text to the case's search document (and its Danish tsvector on PostgreSQL)."""
    if not text.strip():
        return
    Case.objects.filter(pk=case.pk).update(search_text=Concat(F("search_text"), Value("\n" + text.lower())))
    if connection.vendor == "postgresql":
        Case.objects.filter(pk=case.pk).update(search_vector=SearchVector("search_text", config="danish"))


def _clean_text(value: object, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise DomainError(ErrorCode.VALIDATION, _("%(field)s is required.") % {"field": label}, field=field)
    if len(text) > max_length:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(field)s can be at most %(max)d characters.") % {"field": label, "max": max_length},
            field=field,
        )
    return text


def _prepare_uploads(uploads: Sequence[Upload], *, strip_location: bool) -> list[PreparedFile]:
    """Check every file before anything is written: one bad file refuses the whole request."""
    if len(uploads) > MAX_FILES:
        raise DomainError(
            ErrorCode.VALIDATION, _("At most %(max)d files at a time.") % {"max": MAX_FILES}, field="files"
        )
    prepared = []
    for upload in uploads:
        name = upload.name or "file"
        try:
            prepared.append(
                prepare_upload(
                    upload,  # type: ignore[arg-type]
                    name,
                    max_bytes=settings.ESM_ATTACHMENT_MAX_BYTES,
                    strip_location=strip_location,
                )
            )
        except DomainError as error:
            raise DomainError(error.code, error.message, field="files") from error
    return prepared


def _store_attachments(
    case: Case, actor: User, files: list[PreparedFile], *, event: CaseEvent, is_public: bool, at: datetime
) -> list[Attachment]:
    stored = []
    for prepared in files:
        attachment = Attachment(
            case=case,
            event=event,
            uploaded_by=actor,
            filename=prepared.filename,
            content_type=prepared.content_type,
            size=prepared.size,
            sha256=prepared.sha256,
            is_public=is_public,
            created_at=at,
        )
        attachment.file.save(prepared.filename, ContentFile(prepared.content), save=False)
        if prepared.thumbnail:
            attachment.thumbnail.save(prepared.filename + ".jpg", ContentFile(prepared.thumbnail), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _is_lookup_key(value: str) -> bool:
    """A code or number worth looking up: short, printable, no NUL (which PostgreSQL refuses)."""
    return len(value) <= 100 and value.isprintable()


def _resolve_category(category: Category | str | int | None) -> Category:
    if isinstance(category, Category):
        return category
    found = None
    if isinstance(category, str) and category and _is_lookup_key(category):
        found = Category.objects.filter(code=category, is_active=True).first()
    elif isinstance(category, int) and not isinstance(category, bool) and 0 < category < 2**62:
        found = Category.objects.filter(pk=category, is_active=True).first()
    if found is None and category in (None, ""):
        raise DomainError(ErrorCode.VALIDATION, _("Choose a category."), field="category")
    if found is None:
        raise DomainError(
            ErrorCode.UNKNOWN_CATEGORY,
            _("Unknown category “%(category)s”.") % {"category": category or ""},
            field="category",
        )
    return found


def _resolve_building(building: Building | str | int | None) -> Building:
    if isinstance(building, Building):
        return building
    found = None
    if isinstance(building, int) and not isinstance(building, bool) and 0 < building < 2**62:
        found = Building.objects.filter(pk=building).first()
    elif isinstance(building, str) and building and _is_lookup_key(building):
        found = Building.objects.filter(property_number=building).first()
    if found is None and building in (None, ""):
        raise DomainError(ErrorCode.VALIDATION, _("Choose a building."), field="building")
    if found is None:
        raise DomainError(
            ErrorCode.UNKNOWN_BUILDING,
            _("Unknown building “%(building)s”.") % {"building": building or ""},
            field="building",
        )
    return found


def _resolve_unit(unit: Unit | str | int | None, building: Building | None) -> Unit | None:
    """The room or floor, by code or pk, which must be in `building`; None when not given."""
    if unit in (None, ""):
        return None
    found: Unit | None = None
    if isinstance(unit, Unit):
        found = unit
    elif building is not None:
        units = Unit.objects.filter(building=building)
        if isinstance(unit, int) and not isinstance(unit, bool) and 0 < unit < 2**62:
            found = units.filter(pk=unit).first()
        elif isinstance(unit, str) and _is_lookup_key(unit):
            found = units.filter(code=unit.strip()).first()
    if building is None:
        raise DomainError(ErrorCode.VALIDATION, _("Choose the building before the room or floor."), field="unit")
    if found is None or found.building_id != building.pk:
        raise DomainError(ErrorCode.VALIDATION, _("The room or floor is not in the chosen building."), field="unit")
    return found


def _resolve_installation(
    installation: Installation | int | str | None, building: Building | None
) -> Installation | None:
    """The installation, by pk, which must be in `building`; None when not given."""
    if installation in (None, ""):
        return None
    found: Installation | None = None
    if isinstance(installation, Installation):
        found = installation
    elif building is not None:
        key = installation.strip() if isinstance(installation, str) else installation
        if isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 18:
            key = int(key)
        if isinstance(key, int) and not isinstance(key, bool) and 0 < key < 2**62:
            found = Installation.objects.filter(building=building, pk=key).first()
    if building is None:
        raise DomainError(ErrorCode.VALIDATION, _("Choose the building before the installation."), field="installation")
    if found is None or found.building_id != building.pk:
        raise DomainError(
            ErrorCode.VALIDATION, _("The installation is not in the chosen building."), field="installation"
        )
    return found


def _unit_label(unit: Unit | None) -> str:
    return f"{unit.code} {unit.name}".strip() if unit else ""


def _choice(value: object, choices: type[Priority] | type[Complexity] | type[Channel], *, field: str) -> str:
    text = str(value or "")
    if text not in choices.values:
        allowed = ", ".join(choices.values)
        raise DomainError(
            ErrorCode.VALIDATION,
            _("“%(value)s” is not a valid choice; use one of: %(allowed)s.") % {"value": text, "allowed": allowed},
            field=field,
        )
    return text


def _require_handler(actor: User) -> None:
    if not actor.is_handler:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only technicians and team leads can do this."))


def _require_visible(actor: User, case: Case) -> None:
    if not actor.has_perm("cases.view_case", case):
        raise DomainError(ErrorCode.NOT_FOUND, _("No such case."))


def _mark_first_response(case: Case, at: datetime) -> None:
    if Case.objects.filter(pk=case.pk, first_responded_at__isnull=True).update(first_responded_at=at):
        case.first_responded_at = at


def _touch(case: Case, at: datetime) -> None:
    Case.objects.filter(pk=case.pk).update(updated_at=at)
    case.updated_at = at


# --- reporting -----------------------------------------------------------------------


def open_case(
    actor: User,
    *,
    title: str,
    description: str,
    building: Building | str | int | None,
    category: Category | str | int | None,
    priority: str = Priority.NORMAL,
    location: str = "",
    channel: str = Channel.PORTAL,
    complexity: str = "",
    reporter: User | None = None,
    uploads: Sequence[Upload] = (),
    unit: Unit | str | int | None = None,
    installation: Installation | int | str | None = None,
    now: datetime | None = None,
) -> Case:
    """Register a case reported by `reporter` (the actor unless a handler reports for someone).

    `unit` (a room or floor: the object, its code or pk) and `installation` (the object or its pk)
    are optional and must belong to the chosen building.
    """
    now = now or timezone.now()
    if reporter is not None and reporter.pk != actor.pk:
        _require_handler(actor)
    reporter = reporter or actor
    if not reporter.is_active:
        raise DomainError(ErrorCode.UNKNOWN_USER, _("The reporter's account is not active."), field="reporter")
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checks: list[tuple[str, Any]] = [
        ("title", lambda: _clean_text(title, field="title", label=_("Title"), max_length=TITLE_MAX)),
        (
            "description",
            lambda: _clean_text(description, field="description", label=_("Description"), max_length=DESCRIPTION_MAX),
        ),
        (
            "location",
            lambda: _clean_text(location, field="location", label=_("Location"), max_length=200, required=False),
        ),
        (
            "building",
            lambda: None if channel == Channel.EMAIL and building in (None, "") else _resolve_building(building),
        ),
        ("category", lambda: _resolve_category(category)),
        ("priority", lambda: _choice(priority, Priority, field="priority")),
        ("channel", lambda: _choice(channel, Channel, field="channel")),
        ("complexity", lambda: _choice(complexity, Complexity, field="complexity") if complexity else ""),
    ]
    checks += [
        ("unit", lambda: _resolve_unit(unit, values.get("building"))),
        ("installation", lambda: _resolve_installation(installation, values.get("building"))),
    ]
    first_error: DomainError | None = None
    for field, compute in checks:
        if field in ("unit", "installation") and "building" in errors:
            continue  # no building to check them against; the building's error says what to do
        try:
            values[field] = compute()
        except DomainError as error:
            errors.setdefault(field, []).append(error.message)
            first_error = first_error or error
    if first_error is not None:
        code = first_error.code if len(errors) == 1 else ErrorCode.VALIDATION
        raise DomainError(
            code, first_error.message if len(errors) == 1 else _("Please correct the errors."), errors=errors
        )
    files = _prepare_uploads(uploads, strip_location=not actor.is_handler)

    category_obj: Category = values["category"]
    # The clocks of a new case depend only on its report time and priority: computed before
    # the transaction, so the year's number counter stays locked for as short as possible.
    clocks = sla.compute_clocks(Case(created_at=now, priority=values["priority"]), history=[(now, Status.NEW)])
    organisation = reporter.organisation if reporter.role != Role.TENANT else None
    # Who gets it (the administrator's assignment rules; none configured: nobody) is read beforehand too.
    choice = choose_for_new(
        Case(
            category=category_obj,
            building=values["building"],
            priority=values["priority"],
            organisation=organisation,
            channel=values["channel"],
        ),
        now=now,
    )
    with transaction.atomic():
        number = format_number(settings.ESM_CASE_NUMBER_PREFIX, now.year, next_value("case", now.year))
        case = Case(
            **clocks.__dict__,
            number=number,
            title=values["title"],
            description=values["description"],
            reporter=reporter,
            organisation=organisation,
            customer_type=CustomerType.TENANT if reporter.role == Role.TENANT else CustomerType.MUNICIPAL,
            building=values["building"],
            unit=values["unit"],
            installation=values["installation"],
            location=values["location"],
            category=category_obj,
            priority=values["priority"],
            priority_rank=PRIORITY_ORDER[values["priority"]],
            complexity=values["complexity"],
            channel=values["channel"],
            status=Status.NEW,
            team_id=category_obj.team_id if choice is None else (choice.team.pk if choice.team else None),
            assignee=choice.assignee if choice is not None else None,
            created_at=now,
            updated_at=now,
            search_text="\n".join([number, values["title"], values["description"]]).lower(),
        )
        if connection.vendor == "postgresql":
            case.search_vector = SearchVector(Value(case.search_text), config="danish")
        case.save()
        case.__dict__.pop("search_vector", None)  # written by the database; loaded again only if asked for
        event = record_event(
            case,
            actor,
            EventKind.CREATED,
            is_public=True,
            body=case.description,
            payload={
                "status": Status.NEW,
                "title": case.title,
                "priority": case.priority,
                "category": category_obj.code,
                "building": case.building.property_number if case.building else None,
                **({"unit": _unit_label(case.unit)} if case.unit else {}),
                **({"installation": case.installation.name} if case.installation else {}),
                "channel": case.channel,
                "reporter": reporter.username,
            },
            at=now,
        )
        if files:
            _store_attachments(case, actor, files, event=event, is_public=True, at=now)
            event.payload["attachments"] = [f.filename for f in files]
            event.save(update_fields=["payload"])
        if choice is not None:
            record_choice(case, choice, category_team_id=category_obj.team_id, now=now)
    return case


# --- the lifecycle -------------------------------------------------------------------


def transition_case(
    actor: User | None,
    *,
    case: Case,
    action: str,
    reason: str = "",
    automatic: bool = False,
    now: datetime | None = None,
) -> Case:
    """Take a lifecycle action, by the table in `lifecycle.py`, with compare-and-set on status.

    `automatic=True` is the system acting (e.g. on a customer's reply); `actor` is then
    the person whose act triggered it and is recorded on the event.
    """
    now = now or timezone.now()
    transition = BY_ACTION.get(action)
    if transition is None:
        raise DomainError(ErrorCode.UNKNOWN_ACTION, _("Unknown action “%(action)s”.") % {"action": action})
    blocked = check(transition, case, None if automatic else actor, now)
    if blocked is not None:
        raise DomainError(ErrorCode.TRANSITION_NOT_ALLOWED, blocked)
    reason = _clean_text(
        reason, field="reason", label=_("Reason"), max_length=BODY_MAX, required=transition.needs_reason
    )
    previous = case.status
    updates: dict[str, Any] = {"status": transition.target, "updated_at": now}
    if transition.target == Status.RESOLVED:
        updates["resolved_at"] = now
    if transition.target == Status.CLOSED:
        updates["closed_at"] = now
    if action == "reopen":
        updates["resolved_at"] = None
    if transition.target == Status.CANCELLED:
        updates["cancel_reason"] = reason
        updates["closed_at"] = now
    with transaction.atomic():
        changed = Case.objects.filter(pk=case.pk, status=previous).update(**updates)
        if not changed:
            raise DomainError(
                ErrorCode.STALE_STATUS, _("The case was changed by someone else meanwhile. Reload and try again.")
            )
        for name, value in updates.items():
            setattr(case, name, value)
        record_event(
            case,
            actor,
            EventKind.STATUS_CHANGED,
            is_public=transition.is_public,
            body=reason,
            payload={"from": previous, "to": transition.target, "action": action, "automatic": automatic},
            at=now,
        )
        sla.recompute(case)
    return case


# --- conversation --------------------------------------------------------------------


def reply_to_case(
    actor: User,
    *,
    case: Case,
    body: str,
    uploads: Sequence[Upload] = (),
    now: datetime | None = None,
    client_key: uuid.UUID | str | None = None,
) -> CaseEvent:
    """A public message on the case, from the desk or from the reporter's side.

    A handler's first public reply stops the first-response clock; the reporter's reply
    on a case waiting for the customer resumes work automatically. Sent again with the
    same `client_key` (the phone's outbox after a lost answer), it returns the first event.
    """
    now = now or timezone.now()
    _require_visible(actor, case)
    key = _client_key(client_key)
    earlier = _sent_before(actor, case, EventKind.REPLY, key)
    if earlier is not None:
        return earlier
    if not case.is_open and case.status != Status.RESOLVED:
        raise DomainError(
            ErrorCode.TRANSITION_NOT_ALLOWED, _("The case is closed. Report a new case if the problem is back.")
        )
    text = _clean_text(body, field="body", label=_("Message"), max_length=BODY_MAX)
    files = _prepare_uploads(uploads, strip_location=not actor.is_handler)
    with transaction.atomic():
        event, created = _record_once(
            case,
            actor,
            EventKind.REPLY,
            key,
            is_public=True,
            body=text,
            payload={"from_desk": actor.is_handler},
            at=now,
        )
        if not created:
            return event
        if files:
            _store_attachments(case, actor, files, event=event, is_public=True, at=now)
            event.payload["attachments"] = [f.filename for f in files]
            event.save(update_fields=["payload"])
        _append_search_text(case, text)
        _touch(case, now)
        if actor.is_handler:
            _mark_first_response(case, now)
        elif case.status == Status.WAITING_CUSTOMER:
            transition_case(actor, case=case, action="customer_replied", automatic=True, now=now)
    return event


def add_internal_note(
    actor: User,
    *,
    case: Case,
    body: str,
    uploads: Sequence[Upload] = (),
    now: datetime | None = None,
    client_key: uuid.UUID | str | None = None,
) -> CaseEvent:
    """A note only the desk sees (sent again with the same `client_key`, the first event)."""
    now = now or timezone.now()
    _require_handler(actor)
    key = _client_key(client_key)
    earlier = _sent_before(actor, case, EventKind.NOTE, key)
    if earlier is not None:
        return earlier
    text = _clean_text(body, field="body", label=_("Note"), max_length=BODY_MAX)
    files = _prepare_uploads(uploads, strip_location=False)
    with transaction.atomic():
        event, created = _record_once(case, actor, EventKind.NOTE, key, is_public=False, body=text, at=now)
        if not created:
            return event
        if files:
            _store_attachments(case, actor, files, event=event, is_public=False, at=now)
            event.payload["attachments"] = [f.filename for f in files]
            event.save(update_fields=["payload"])
        _append_search_text(case, text)
        _touch(case, now)
    return event


def add_phone_note(
    actor: User,
    *,
    case: Case,
    body: str,
    duration_seconds: int,
    now: datetime | None = None,
    client_key: uuid.UUID | str | None = None,
) -> CaseEvent:
    """A note of a phone call with its duration; the duration counts as handling time.

    Sent again with the same `client_key`, it returns the first event (the time counts once)."""
    now = now or timezone.now()
    _require_handler(actor)
    key = _client_key(client_key)
    earlier = _sent_before(actor, case, EventKind.PHONE_NOTE, key)
    if earlier is not None:
        return earlier
    text = _clean_text(body, field="body", label=_("Note"), max_length=BODY_MAX)
    if (
        isinstance(duration_seconds, bool)
        or not isinstance(duration_seconds, int)
        or not 0 < duration_seconds <= 8 * 3600
    ):
        raise DomainError(
            ErrorCode.VALIDATION, _("The call's duration must be between 1 second and 8 hours."), field="duration"
        )
    with transaction.atomic():
        event, created = _record_once(
            case, actor, EventKind.PHONE_NOTE, key, body=text, payload={"duration_seconds": duration_seconds}, at=now
        )
        if not created:
            return event
        TimeEntry.objects.create(
            case=case,
            user=actor,
            source=TimeSource.PHONE,
            seconds=duration_seconds,
            started_at=now - timedelta(seconds=duration_seconds),
            ended_at=now,
            note=text[:200],
        )
        _append_search_text(case, text)
        _touch(case, now)
        _mark_first_response(case, now)
    return event


def add_attachments(
    actor: User, *, case: Case, uploads: Sequence[Upload], is_public: bool = True, now: datetime | None = None
) -> list[Attachment]:
    """Files on their own (without a message)."""
    now = now or timezone.now()
    _require_visible(actor, case)
    if not uploads:
        raise DomainError(ErrorCode.VALIDATION, _("Choose at least one file."), field="files")
    if not actor.is_handler:
        is_public = True
    files = _prepare_uploads(uploads, strip_location=not actor.is_handler)
    with transaction.atomic():
        event = record_event(
            case,
            actor,
            EventKind.ATTACHMENT_ADDED,
            is_public=is_public,
            payload={"attachments": [f.filename for f in files]},
            at=now,
        )
        stored = _store_attachments(case, actor, files, event=event, is_public=is_public, at=now)
        _touch(case, now)
    return stored


# --- desk handling -------------------------------------------------------------------

EDITABLE_FIELDS = ("title", "location", "priority", "category", "complexity", "building", "unit", "installation")


def update_case(actor: User, *, case: Case, changes: dict[str, Any], now: datetime | None = None) -> Case:
    """Change case fields; each change is an event. A priority change recomputes the SLA.

    `unit` (code or pk) and `installation` (pk) must belong to the case's building (the new one
    when `building` changes too); moving the case to another building clears a unit or
    installation of the old one.
    """
    now = now or timezone.now()
    _require_handler(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
        )
    new: dict[str, Any] = {}
    for field, value in changes.items():
        if field == "title":
            new[field] = _clean_text(value, field="title", label=_("Title"), max_length=TITLE_MAX)
        elif field == "location":
            new[field] = _clean_text(value, field="location", label=_("Location"), max_length=200, required=False)
        elif field == "priority":
            new[field] = _choice(value, Priority, field="priority")
        elif field == "complexity":
            new[field] = _choice(value, Complexity, field="complexity") if value else ""
        elif field == "category":
            new[field] = _resolve_category(value)
        elif field == "building":
            new[field] = _resolve_building(value)
    building = new.get("building", case.building)
    moved = "building" in new and new["building"].pk != case.building_id
    if "unit" in changes:
        new["unit"] = _resolve_unit(changes["unit"], building)
    elif moved and case.unit_id is not None:
        new["unit"] = None
    if "installation" in changes:
        new["installation"] = _resolve_installation(changes["installation"], building)
    elif moved and case.installation_id is not None:
        new["installation"] = None

    def shown(field: str, value: Any) -> str:
        if isinstance(value, Category):
            return value.code
        if isinstance(value, Building):
            return value.property_number
        if isinstance(value, Unit):
            return _unit_label(value)
        if isinstance(value, Installation):
            return str(value)
        return str(value or "")

    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        changed = []
        for field, value in new.items():
            old = getattr(locked, field)
            if field in ("unit", "installation") and getattr(old, "pk", None) == getattr(value, "pk", None):
                continue
            if field not in ("unit", "installation") and shown(field, old) == shown(field, value):
                continue
            setattr(locked, field, value)
            setattr(case, field, value)
            changed.append(field)
            record_event(
                case,
                actor,
                EventKind.FIELD_CHANGED,
                is_public=field in ("title", "priority", "category", "location", "building", "unit"),
                payload={"field": field, "from": shown(field, old), "to": shown(field, value)},
                at=now,
            )
        if not changed:
            return case
        locked.updated_at = case.updated_at = now
        if "priority" in changed:
            locked.priority_rank = case.priority_rank = PRIORITY_ORDER[locked.priority]
            changed.append("priority_rank")
        locked.save(update_fields=[*changed, "updated_at"])
        if "title" in changed:
            _append_search_text(case, new["title"])
        if "priority" in changed:
            clocks = sla.recompute(case)
            record_event(
                case,
                actor,
                EventKind.SLA_RECOMPUTED,
                payload={"reason": "priority", "resolution_due_at": _iso(clocks.resolution_due_at)},
                at=now,
            )
    return case


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class _Keep:
    """Sentinel: leave the team as it is (or take the assignee's team)."""


KEEP_TEAM = _Keep()


def assign_case(
    actor: User,
    *,
    case: Case,
    assignee: User | None,
    team: Team | _Keep | None = KEEP_TEAM,
    now: datetime | None = None,
) -> Case:
    """Give the case to a technician (and, unless a team is given, their team), or take it back.

    Taking the case back from a technician (assignee None) keeps its team unless `team`
    is given; `team=None` removes the team too.
    """
    now = now or timezone.now()
    _require_handler(actor)
    if assignee is not None and not assignee.is_handler:
        raise DomainError(
            ErrorCode.VALIDATION, _("Cases can only be assigned to technicians and team leads."), field="assignee"
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if isinstance(team, _Keep):
            team = (assignee.team if assignee is not None and assignee.team_id else None) or locked.team
        if locked.assignee_id == (assignee.pk if assignee else None) and locked.team_id == (team.pk if team else None):
            return case
        previous = (
            User.objects.filter(pk=locked.assignee_id).values_list("username", flat=True).first()
            if locked.assignee_id
            else None
        )
        before = {"assignee": previous, "team": locked.team_id}
        Case.objects.filter(pk=case.pk).update(assignee=assignee, team=team, updated_at=now)
        case.assignee, case.team, case.updated_at = assignee, team, now
        record_event(
            case,
            actor,
            EventKind.ASSIGNED,
            payload={
                "from": before["assignee"],
                "to": assignee.username if assignee else None,
                "to_name": str(assignee) if assignee else None,
                "team": team.code if team else None,
            },
            at=now,
        )
    return case


def bulk_assign_cases(actor: User, *, cases: Iterable[Case], assignee: User | None, now: datetime | None = None) -> int:
    """Assign many cases at once: all or none."""
    _require_handler(actor)
    count = 0
    with transaction.atomic():
        for case in sorted(cases, key=lambda c: c.pk):
            assign_case(actor, case=case, assignee=assignee, now=now)
            count += 1
    return count


def add_watcher(actor: User, *, case: Case, watcher: User, now: datetime | None = None) -> None:
    _require_handler(actor)
    if not watcher.has_perm("cases.view_case", case):
        raise DomainError(ErrorCode.VALIDATION, _("This person cannot see the case."), field="watcher")
    with transaction.atomic():
        if case.watchers.filter(pk=watcher.pk).exists():
            return
        case.watchers.add(watcher)
        record_event(case, actor, EventKind.WATCHER_ADDED, payload={"user": watcher.username}, at=now)


def remove_watcher(actor: User, *, case: Case, watcher: User, now: datetime | None = None) -> None:
    _require_handler(actor)
    with transaction.atomic():
        if not case.watchers.filter(pk=watcher.pk).exists():
            return
        case.watchers.remove(watcher)
        record_event(case, actor, EventKind.WATCHER_REMOVED, payload={"user": watcher.username}, at=now)


# --- handling time -------------------------------------------------------------------


def record_active_time(
    actor: User,
    *,
    case: Case,
    session_key: str | uuid.UUID,
    active_seconds: int,
    started_at: datetime | None = None,
    now: datetime | None = None,
) -> TimeEntry:
    """Store the active time of one open case page (a heartbeat from the desk).

    The page reports its running total; the row keeps the highest total seen, never
    more than the wall-clock time since the page opened, so repeats never double-count.
    """
    now = now or timezone.now()
    _require_handler(actor)
    try:
        key = uuid.UUID(str(session_key))
    except ValueError as exc:
        raise DomainError(ErrorCode.VALIDATION, _("Invalid session."), field="session") from exc
    if active_seconds < 0 or active_seconds > 24 * 3600:
        raise DomainError(ErrorCode.VALIDATION, _("Invalid active time."), field="seconds")
    with transaction.atomic():
        entry = TimeEntry.objects.select_for_update().filter(session_key=key).first()
        if entry is None:
            start = started_at if started_at and started_at <= now else now - timedelta(seconds=active_seconds)
            try:
                with transaction.atomic():
                    return TimeEntry.objects.create(
                        case=case,
                        user=actor,
                        source=TimeSource.DESK,
                        session_key=key,
                        seconds=active_seconds,
                        started_at=start,
                        ended_at=now,
                    )
            except IntegrityError:
                # a simultaneous first heartbeat of the same page created it: update that one
                entry = TimeEntry.objects.select_for_update().get(session_key=key)
        if entry.case_id != case.pk or entry.user_id != actor.pk:
            raise DomainError(ErrorCode.VALIDATION, _("Invalid session."), field="session")
        wall = int((now - entry.started_at).total_seconds()) + 5
        entry.seconds = max(entry.seconds, min(active_seconds, wall))
        entry.ended_at = now
        entry.save(update_fields=["seconds", "ended_at"])
        return entry


def correct_handling_time(
    actor: User, *, case: Case, user: User, seconds: int, note: str, now: datetime | None = None
) -> TimeEntry:
    """Add (or, negative, subtract) handling time by hand, with a reason."""
    now = now or timezone.now()
    _require_handler(actor)
    if not user.is_handler:
        raise DomainError(ErrorCode.VALIDATION, _("Handling time is recorded for technicians only."), field="user")
    if user.pk != actor.pk and not actor.has_perm("cases.correct_time"):
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only team leads can correct another person's time."))
    if seconds == 0 or abs(seconds) > 24 * 3600:
        raise DomainError(
            ErrorCode.VALIDATION, _("A correction must be between 1 second and 24 hours."), field="minutes"
        )
    text = _clean_text(note, field="note", label=_("Reason"), max_length=200)
    with transaction.atomic():
        entry = TimeEntry.objects.create(
            case=case, user=user, source=TimeSource.MANUAL, seconds=seconds, started_at=now, ended_at=now, note=text
        )
        record_event(
            case,
            actor,
            EventKind.TIME_CORRECTED,
            body=text,
            payload={"user": user.username, "seconds": seconds},
            at=now,
        )
    return entry


# --- SLA configuration ---------------------------------------------------------------


def set_sla_target(actor: User, *, priority: str, first_response_minutes: int, resolution_minutes: int) -> SlaTarget:
    """Change a priority's targets; open cases of that priority are recomputed after commit."""
    if actor.role != Role.ADMINISTRATOR and not actor.is_superuser:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only administrators can change SLA targets."))
    _choice(priority, Priority, field="priority")
    if first_response_minutes <= 0 or resolution_minutes <= 0:
        raise DomainError(ErrorCode.VALIDATION, _("Targets must be positive."), field="resolution_minutes")
    with transaction.atomic():
        target, _created = SlaTarget.objects.update_or_create(
            priority=priority,
            defaults={"first_response_minutes": first_response_minutes, "resolution_minutes": resolution_minutes},
        )
        transaction.on_commit(lambda: _schedule_recompute(priority))
    return target


def set_business_hours(actor: User, *, hours: dict[int, tuple[Any, Any] | None]) -> None:
    """Replace the opening hours per weekday (None closes the day); recompute open cases."""
    if actor.role != Role.ADMINISTRATOR and not actor.is_superuser:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only administrators can change business hours."))
    with transaction.atomic():
        for weekday, window in hours.items():
            if window is None:
                BusinessHours.objects.filter(weekday=weekday).delete()
                continue
            opens, closes = window
            if opens >= closes:
                raise DomainError(ErrorCode.VALIDATION, _("A day must open before it closes."), field="hours")
            BusinessHours.objects.update_or_create(weekday=weekday, defaults={"opens": opens, "closes": closes})
        if not BusinessHours.objects.exists():
            raise DomainError(ErrorCode.VALIDATION, _("At least one weekday must have opening hours."))
        transaction.on_commit(lambda: _schedule_recompute(None))


def _schedule_recompute(priority: str | None) -> None:
    from esm.cases.tasks import recompute_sla

    recompute_sla.delay(priority)


def recompute_open_cases(*, priority: str | None = None, batch: int = 500) -> int:
    """Recompute the clocks of every open case (of one priority); records changed deadlines."""
    from esm.cases.models import OPEN_STATUSES

    qs = Case.objects.filter(status__in=OPEN_STATUSES).order_by("pk")
    if priority:
        qs = qs.filter(priority=priority)
    calendar = sla.business_calendar()
    targets = {p: sla.targets_for(p) for p in Priority.values}
    changed = 0
    last_pk = 0
    while True:
        chunk = list(qs.filter(pk__gt=last_pk)[:batch])
        if not chunk:
            return changed
        for case in chunk:
            last_pk = case.pk
            with transaction.atomic():
                clocks = sla.compute_clocks(case, calendar=calendar, targets=targets[case.priority])
                if clocks.resolution_due_at == case.resolution_due_at and clocks.first_response_due_at == (
                    case.first_response_due_at
                ):
                    continue
                Case.objects.filter(pk=case.pk).update(**clocks.__dict__)
                record_event(
                    case,
                    None,
                    EventKind.SLA_RECOMPUTED,
                    payload={"reason": "targets", "resolution_due_at": _iso(clocks.resolution_due_at)},
                )
                changed += 1


def auto_close_resolved_cases(*, now: datetime | None = None) -> int:
    """Close cases resolved longer ago than the reopen window (the reporter didn't object)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ESM_REOPEN_DAYS)
    closed = 0
    for case in Case.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).order_by("pk")[:1000]:
        try:
            transition_case(None, case=case, action="auto_close", automatic=True, now=now)
        except DomainError:
            continue  # changed meanwhile (reopened or closed by a person): leave it
        closed += 1
    return closed
