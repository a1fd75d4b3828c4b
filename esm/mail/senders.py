"""Who wrote a received message: a known user, a newcomer made tenant or customer by the rule, or nobody (held)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from esm.accounts.models import Organisation, Role, User
from esm.mail.models import SenderDomain

SYSTEM_USERNAME = "helpdesk-mail"
POLICIES = ("tenant", "domain", "hold")
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


@dataclass(frozen=True)
class Sender:
    """The user a message is from, or why there is none (the message is then held for a person)."""

    user: User | None
    held_reason: str = ""
    created: bool = False


def system_user() -> User:
    """The helpdesk's own user, which records what no person did: it has no password and cannot sign in."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    user = User(username=SYSTEM_USERNAME, role=Role.ADMINISTRATOR, first_name=_("Helpdesk"), last_name=_("mail"))
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        return User.objects.get(username=SYSTEM_USERNAME)
    return user


def known_user(address: str) -> User | None:
    """The user with this e-mail address (any letter case); the oldest active one when there are several."""
    if not address:
        return None
    users = list(
        User.objects.select_related("organisation").filter(email__iexact=address).order_by("-is_active", "pk")[:1]
    )
    return users[0] if users else None


def organisation_for_domain(address: str) -> Organisation | None:
    """The organisation whose registered sender domain is the address's domain or a parent of it."""
    domain = address.rpartition("@")[2].lower()
    parts = domain.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)]
    rows = {
        row.domain.lower(): row
        for row in SenderDomain.objects.select_related("organisation").filter(domain__in=candidates)
    }
    for candidate in candidates:  # the most specific domain wins
        if candidate in rows:
            return rows[candidate].organisation
    return None


def _free_username(address: str) -> str:
    base = _USERNAME_UNSAFE.sub("", address.lower())[:140] or "mail-user"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _split_name(name: str) -> tuple[str, str]:
    words = name.replace('"', "").split()
    if not words:
        return "", ""
    if len(words) == 1:
        return words[0][:150], ""
    return " ".join(words[:-1])[:150], words[-1][:150]


def _create_user(address: str, name: str, *, role: Role, organisation: Organisation | None) -> User:
    first, last = _split_name(name)
    for _attempt in range(3):
        user = User(
            username=_free_username(address),
            email=address.lower(),
            role=role,
            organisation=organisation,
            first_name=first,
            last_name=last,
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
            return user
        except IntegrityError:  # someone took the name meanwhile
            continue
    raise IntegrityError(f"no free username for {address}")


def resolve_sender(address: str, name: str, *, policy: str | None = None) -> Sender:
    """The user a message from `address` counts as, creating one if the rule for unknown senders says so.

    `policy` overrides settings.ESM_MAIL_UNKNOWN_SENDERS ("tenant", "domain" or "hold").
    """
    user = known_user(address)
    if user is not None:
        if not user.is_active:
            return Sender(None, _("the sender's account %(username)s is deactivated") % {"username": user.username})
        return Sender(user)
    policy = policy or settings.ESM_MAIL_UNKNOWN_SENDERS
    if policy == "tenant":
        return Sender(_create_user(address, name, role=Role.TENANT, organisation=None), created=True)
    if policy == "domain":
        organisation = organisation_for_domain(address)
        if organisation is not None:
            return Sender(_create_user(address, name, role=Role.CUSTOMER, organisation=organisation), created=True)
        return Sender(None, _("unknown sender (no organisation is registered for the domain)"))
    return Sender(None, _("unknown sender"))
