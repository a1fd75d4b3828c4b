"""A worker dying right after storing a message loses nothing: the next ingest or the pending pass processes it once.

The worker is a real `manage.py ingest_mail` process, killed by the ESM_MAIL_TEST_CRASH_AFTER_STORE hook right after
the message's first transaction committed. On PostgreSQL it shares the test database; on SQLite it gets a database
file of its own (the test database lives in memory, out of another process's reach).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from esm.cases.models import Category
from esm.mail.tests.conftest import make_mail

MANAGE = Path(settings.BASE_DIR) / "manage.py"
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
# On PostgreSQL the worker shares the test database, so rows must be committed to be seen across processes.
pytestmark = [pytest.mark.django_db(transaction=True)] if ON_POSTGRES else []
COUNTS = (
    "import json; from esm.cases.models import Case; from esm.mail.models import InboundMessage; "
    "print(json.dumps({'cases': Case.objects.count(), "
    "'states': sorted(InboundMessage.objects.values_list('state', flat=True))}))"
)


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a worker process that sees the same database as this test."""
    env = {**os.environ, "ESM_MEDIA_ROOT": str(tmp_path / "media"), "CELERY_TASK_ALWAYS_EAGER": "true"}
    env.pop("ESM_MAIL_TEST_CRASH_AFTER_STORE", None)
    if ON_POSTGRES:
        Category.objects.get_or_create(code="other", defaults={"name_da": "Andet", "name_en": "Other"})
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = ""
        env["ESM_SQLITE_PATH"] = str(tmp_path / "worker.sqlite3")
        manage(env, "migrate", "--noinput", "-v0")
        create = "from esm.cases.models import Category as C; C.objects.get_or_create(code='other', name_da='Andet')"
        manage(env, "shell", "-c", create)
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True, timeout=120, cwd=MANAGE.parent
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def counts(env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(manage(env, "shell", "-c", COUNTS).stdout.strip().splitlines()[-1]))


def test_a_crash_after_storing_is_healed_by_ingesting_the_same_message_again(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    message = tmp_path / "knust-rude.eml"
    message.write_bytes(make_mail(sender="Jonas Krogh <jonas.krogh@example.org>", message_id="<crash-1@example.org>"))

    crashed = manage({**worker_env, "ESM_MAIL_TEST_CRASH_AFTER_STORE": "1"}, "ingest_mail", str(message), check=False)

    assert crashed.returncode == 1
    assert "created" not in crashed.stdout
    assert counts(worker_env) == {"cases": 0, "states": ["received"]}  # stored, not processed, not lost

    again = manage(worker_env, "ingest_mail", str(message))
    assert again.stdout.splitlines()[0].startswith("knust-rude.eml: created S-")
    once_more = manage(worker_env, "ingest_mail", str(message))
    assert once_more.stdout.splitlines()[0].startswith("knust-rude.eml: duplicate S-")
    assert counts(worker_env) == {"cases": 1, "states": ["created"]}


def test_a_crash_after_storing_is_healed_by_the_pending_pass(worker_env: dict[str, str], tmp_path: Path) -> None:
    message = tmp_path / "utaet-tag.eml"
    message.write_bytes(make_mail(sender="amira@example.org", subject="Utæt tag", message_id="<crash-2@example.org>"))
    manage({**worker_env, "ESM_MAIL_TEST_CRASH_AFTER_STORE": "1"}, "ingest_mail", str(message), check=False)

    pending = "from esm.mail.services import process_pending; print(process_pending(older_than_seconds=0))"
    assert manage(worker_env, "shell", "-c", pending).stdout.strip().splitlines()[-1] == "1"
    assert manage(worker_env, "shell", "-c", pending).stdout.strip().splitlines()[-1] == "0"
    assert counts(worker_env) == {"cases": 1, "states": ["created"]}
