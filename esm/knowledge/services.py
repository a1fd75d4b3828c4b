"""Every change to the knowledge base: typed, keyword-only verbs with the acting user first.

Who may write: any handler (technician, team lead, administrator) creates, edits and
publishes articles, public ones included — the desk owns its answers, and every save is
kept as a revision with its author, so a bad edit is seen and undone by the next save.

Deflection counting (`record_deflection`, `record_suggestions`): at most one row per
article, kind and browser session (a unique constraint, conflicts ignored), so typing,
reloading or pressing "solved" twice never counts twice. Typing itself writes nothing:
the portal counts an article as "suggested" the first time a session is shown it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _

from esm.accounts.models import User
from esm.buildings.models import Building
from esm.buildings.services import fold
from esm.cases.models import Case, CaseEvent, Category, EventKind
from esm.cases.services import record_event
from esm.core.errors import DomainError, ErrorCode
from esm.knowledge.models import (
    Article,
    ArticleRevision,
    CaseArticleLink,
    Deflection,
    DeflectionKind,
    Visibility,
)
from esm.knowledge.text import search_document

TITLE_MAX = 200
BODY_MAX = 50_000
QUERY_MAX = 200
SLUG_MAX = 70
#: Paths of the portal's help pages that an article's address must not take.
RESERVED_SLUGS = frozenset({"suggest", "new", "search", "link", "thanks", "solved", "history", "edit"})
CONTENT_FIELDS = ("title_da", "title_en", "body_da", "body_en", "visibility", "is_published")


def _require_handler(actor: User | None) -> User:
    if actor is None or not actor.is_handler:
        raise DomainError(ErrorCode.PERMISSION_DENIED, _("Only technicians and team leads can do this."))
    return actor


def _text(value: object, *, field: str, label: str, max_length: int, required: bool) -> str:
    text = str(value or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if required and not text:
        raise DomainError(ErrorCode.VALIDATION, _("%(field)s is required.") % {"field": label}, field=field)
    if len(text) > max_length:
        raise DomainError(
            ErrorCode.VALIDATION,
            _("%(field)s can be at most %(max)d characters.") % {"field": label, "max": max_length},
            field=field,
        )
    return text


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {
        "title_da": _text(
            values.get("title_da"), field="title_da", label=_("Title (Danish)"), max_length=TITLE_MAX, required=True
        ),
        "title_en": _text(
            values.get("title_en"), field="title_en", label=_("Title (English)"), max_length=TITLE_MAX, required=False
        ),
        "body_da": _text(
            values.get("body_da"), field="body_da", label=_("Text (Danish)"), max_length=BODY_MAX, required=True
        ),
        "body_en": _text(
            values.get("body_en"), field="body_en", label=_("Text (English)"), max_length=BODY_MAX, required=False
        ),
    }
    if cleaned["title_en"] and not cleaned["body_en"]:
        raise DomainError(
            ErrorCode.VALIDATION, _("Write the English text too, or leave the English title empty."), field="body_en"
        )
    visibility = str(values.get("visibility") or Visibility.INTERNAL)
    if visibility not in Visibility.values:
        raise DomainError(ErrorCode.VALIDATION, _("Choose who may read the article."), field="visibility")
    cleaned["visibility"] = visibility
    cleaned["is_published"] = bool(values.get("is_published"))
    return cleaned


def _categories(values: Iterable[Category | str | int]) -> list[Category]:
    result: dict[int, Category] = {}
    for value in values:
        if isinstance(value, Category):
            result[value.pk] = value
            continue
        key = str(value).strip()
        if not key:
            continue
        found = Category.objects.filter(pk=int(key)).first() if key.isdigit() else None
        found = found or Category.objects.filter(code=key).first()
        if found is None:
            raise DomainError(
                ErrorCode.UNKNOWN_CATEGORY, _("Unknown category: %(value)s") % {"value": key}, field="categories"
            )
        result[found.pk] = found
    return list(result.values())


def _buildings(values: Iterable[Building | str | int]) -> list[Building]:
    """Buildings by object, pk or property number (the desk form lists property numbers)."""
    result: dict[int, Building] = {}
    for value in values:
        if isinstance(value, Building):
            result[value.pk] = value
            continue
        key = str(value).strip()
        if not key:
            continue
        found = Building.objects.filter(property_number__iexact=key).first()
        if found is None and isinstance(value, int):
            found = Building.objects.filter(pk=value).first()
        if found is None:
            raise DomainError(
                ErrorCode.UNKNOWN_BUILDING,
                _("No building has the property number %(value)s.") % {"value": key},
                field="buildings",
            )
        result[found.pk] = found
    return list(result.values())


def _unique_slug(title: str) -> str:
    base = slugify(fold(title))[:SLUG_MAX].strip("-") or "artikel"
    if base in RESERVED_SLUGS:
        base = f"{base}-artikel"
    slug, suffix = base, 2
    while Article.objects.filter(slug=slug).exists():
        slug = f"{base[: SLUG_MAX - 6]}-{suffix}"
        suffix += 1
    return slug


def _write_revision(article: Article, actor: User, at: datetime) -> ArticleRevision:
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    return ArticleRevision.objects.create(
        article=article,
        number=last + 1,
        title_da=article.title_da,
        title_en=article.title_en,
        body_da=article.body_da,
        body_en=article.body_en,
        visibility=article.visibility,
        is_published=article.is_published,
        edited_by=actor,
        edited_at=at,
    )


def _refresh_search_text(article: Article) -> None:
    article.search_text = search_document(article.title_da, article.title_en, article.body_da, article.body_en)


# --- articles --------------------------------------------------------------------------


def create_article(
    actor: User,
    *,
    title_da: str,
    body_da: str,
    title_en: str = "",
    body_en: str = "",
    visibility: str = Visibility.INTERNAL,
    is_published: bool = False,
    categories: Iterable[Category | str | int] = (),
    buildings: Iterable[Building | str | int] = (),
    source_event: CaseEvent | None = None,
    now: datetime | None = None,
) -> Article:
    """A new article and its first revision. With `source_event` (a desk reply, see
    `article_from_reply`) the article is linked to that reply's case as well."""
    _require_handler(actor)
    now = now or timezone.now()
    values = _clean(
        {
            "title_da": title_da,
            "title_en": title_en,
            "body_da": body_da,
            "body_en": body_en,
            "visibility": visibility,
            "is_published": is_published,
        }
    )
    chosen_categories = _categories(categories)
    chosen_buildings = _buildings(buildings)
    if source_event is not None:
        _check_reply(actor, source_event)
    for attempt in range(3):
        try:
            with transaction.atomic():
                article = Article(
                    slug=_unique_slug(values["title_da"]),
                    created_by=actor,
                    updated_by=actor,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
                _refresh_search_text(article)
                article.save()
                article.categories.set(chosen_categories)
                article.buildings.set(chosen_buildings)
                _write_revision(article, actor, now)
                if source_event is not None:
                    link_article(actor, case=source_event.case, article=article, now=now)
                return article
        except IntegrityError:
            # Two articles with the same title saved at once: the other took the address; try the next.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def update_article(
    actor: User,
    *,
    article: Article,
    title_da: str,
    body_da: str,
    title_en: str = "",
    body_en: str = "",
    visibility: str = Visibility.INTERNAL,
    is_published: bool = False,
    categories: Iterable[Category | str | int] | None = None,
    buildings: Iterable[Building | str | int] | None = None,
    now: datetime | None = None,
) -> Article:
    """Save new text and settings and write a revision; a save that changes nothing writes none.

    The address (slug) never changes, so links sent to reporters keep working.
    `categories`/`buildings` None leaves them as they are.
    """
    _require_handler(actor)
    now = now or timezone.now()
    values = _clean(
        {
            "title_da": title_da,
            "title_en": title_en,
            "body_da": body_da,
            "body_en": body_en,
            "visibility": visibility,
            "is_published": is_published,
        }
    )
    chosen_categories = _categories(categories) if categories is not None else None
    chosen_buildings = _buildings(buildings) if buildings is not None else None
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        content_changed = any(getattr(locked, name) != value for name, value in values.items())
        links_changed = False
        if chosen_categories is not None:
            old = set(locked.categories.values_list("pk", flat=True))
            links_changed |= old != {c.pk for c in chosen_categories}
        if chosen_buildings is not None:
            old = set(locked.buildings.values_list("pk", flat=True))
            links_changed |= old != {b.pk for b in chosen_buildings}
        if not content_changed and not links_changed:
            return locked
        for name, value in values.items():
            setattr(locked, name, value)
        locked.updated_by = actor
        locked.updated_at = now
        _refresh_search_text(locked)
        locked.save()
        if chosen_categories is not None:
            locked.categories.set(chosen_categories)
        if chosen_buildings is not None:
            locked.buildings.set(chosen_buildings)
        _write_revision(locked, actor, now)
    return locked


# --- cases -----------------------------------------------------------------------------


def _check_reply(actor: User, event: CaseEvent) -> None:
    if not actor.has_perm("cases.view_case", event.case):
        raise DomainError(ErrorCode.NOT_FOUND, _("No such case."))
    if event.kind != EventKind.REPLY or not (event.payload or {}).get("from_desk"):
        raise DomainError(
            ErrorCode.VALIDATION, _("Only an answer sent from the desk can become an article."), field="source_event"
        )


def _case_for_links(actor: User, case: Case) -> None:
    _require_handler(actor)
    if not actor.has_perm("cases.view_case", case):
        raise DomainError(ErrorCode.NOT_FOUND, _("No such case."))


def _record_link(case: Case, actor: User, kind: EventKind, article: Article, now: datetime) -> None:
    """The internal timeline event of a link made or removed."""
    payload = {"slug": article.slug, "title": article.title_da, "article": article.pk}
    record_event(case, actor, kind, is_public=False, payload=payload, at=now)


def link_article(actor: User, *, case: Case, article: Article, now: datetime | None = None) -> CaseArticleLink:
    """Link an article to a case, once: linking it again changes nothing and records nothing."""
    _case_for_links(actor, case)
    now = now or timezone.now()
    with transaction.atomic():
        link, created = CaseArticleLink.objects.get_or_create(
            case=case, article=article, defaults={"linked_by": actor, "created_at": now}
        )
        if created:
            _record_link(case, actor, EventKind.ARTICLE_LINKED, article, now)
    return link


def unlink_article(actor: User, *, case: Case, article: Article, now: datetime | None = None) -> bool:
    """Take a linked article off a case (linked by mistake, or no longer to the point): one timeline
    event. False, and nothing recorded, when it was not linked."""
    _case_for_links(actor, case)
    now = now or timezone.now()
    with transaction.atomic():
        deleted, _rows = CaseArticleLink.objects.filter(case=case, article=article).delete()
        if deleted:
            _record_link(case, actor, EventKind.ARTICLE_UNLINKED, article, now)
    return bool(deleted)


def article_from_reply(actor: User, *, event: CaseEvent) -> dict[str, Any]:
    """What a new article written from a desk answer starts with: the case's title, the answer,
    the case's category and building. Saving it with `source_event=event` links it to the case."""
    _require_handler(actor)
    _check_reply(actor, event)
    case = event.case
    return {
        "title_da": case.title,
        "body_da": event.body,
        "visibility": Visibility.INTERNAL,
        "categories": [case.category_id] if case.category_id else [],
        "buildings": [case.building.property_number] if case.building_id and case.building else [],
        "source_event": event.pk,
    }


# --- deflection ------------------------------------------------------------------------


def session_digest(session_key: str) -> str:
    """A stable stand-in for the session in the counts (never the key itself, which signs in)."""
    return salted_hmac("esm.knowledge.deflection", session_key, algorithm="sha256").hexdigest()


def _countable(article: Article) -> None:
    if not article.is_public:
        raise DomainError(ErrorCode.NOT_FOUND, _("No such article."))


def record_deflection(
    user: User | None,
    *,
    article: Article,
    query: str,
    session_key: str | None,
    kind: str = DeflectionKind.DEFLECTED,
    now: datetime | None = None,
) -> bool:
    """Count that a reporter opened a suggested article (`kind="opened"`) or that it solved the
    problem (`"deflected"`). Once per article, kind and session; True if this call counted.
    Without a session nothing is counted (there is nothing to tell repeats apart by)."""
    if kind not in (DeflectionKind.OPENED, DeflectionKind.DEFLECTED):
        raise DomainError(ErrorCode.VALIDATION, _("Unknown kind of count."), field="kind")
    _countable(article)
    if not session_key:
        return False
    try:
        with transaction.atomic():
            Deflection.objects.create(
                article=article,
                user=user if user is not None and user.is_authenticated else None,
                kind=kind,
                session=session_digest(session_key),
                query=str(query or "").replace("\x00", "").strip()[:QUERY_MAX],
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return False
    return True


def record_suggestions(
    user: User | None,
    *,
    articles: Sequence[Article],
    query: str,
    session_key: str | None,
    now: datetime | None = None,
) -> None:
    """Count that the portal showed these articles as suggestions: once per article per session."""
    if not session_key or not articles:
        return
    session = session_digest(session_key)
    at = now or timezone.now()
    text = str(query or "").replace("\x00", "").strip()[:QUERY_MAX]
    who = user if user is not None and user.is_authenticated else None
    Deflection.objects.bulk_create(
        [
            Deflection(article=a, user=who, kind=DeflectionKind.SUGGESTED, session=session, query=text, created_at=at)
            for a in articles
            if a.is_public
        ],
        ignore_conflicts=True,
    )
