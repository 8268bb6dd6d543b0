"""The embedded database (SQLite) under the load of a real hub: gunicorn and two
`db_worker` processes, while an editor publishes pages (each publish queues Wagtail's
search- and reference-index tasks for the workers) and residents answer 「役に立ちましたか」
and subscribe to notices. Nobody may see "database is locked", and no task may fail.
(In the PostgreSQL run of the suite the same load runs on PostgreSQL.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.notifier.servers import b64url
from tests.support.hub import REPO, HubProcess, stop_processes

pytestmark = pytest.mark.slow

PUBLISH_ROUNDS = 1
RESIDENTS = 4  # threads, each answering feedback and subscribing in turn
ANSWERS_EACH = 20

# An editor publishing a new revision of every topic page, as the admin's 公開 button does.
PUBLISHER = textwrap.dedent(f"""
    import django
    django.setup()
    from cms.pages.models import TopicPage
    for round in range({PUBLISH_ROUNDS}):
        for page in TopicPage.objects.live().specific():
            page.summary = (page.summary or "").rstrip("。") + "。"
            page.save_revision().publish()
    print("published")
""")


def browser_keys() -> dict[str, str]:
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64url(public), "auth": b64url(os.urandom(16))}


def test_web_and_two_workers_never_meet_a_locked_database(tmp_path):
    # SQLite in both runs: this is the embedded database's test (the PostgreSQL run too).
    hub = HubProcess(tmp_path, env={"HUB_TASKS_BACKEND": "db", "WEBPUSH_ALLOW_LOOPBACK": "1",
                                    "CHAT_RATE_LIMIT": "100000",
                                    "DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}"},
                     workers=3)
    workers: list[subprocess.Popen] = []
    logs = []
    try:
        hub.start()
        for i in range(2):
            log = open(tmp_path / f"worker{i}.log", "ab")  # noqa: SIM115 - closed below
            logs.append(log)
            workers.append(subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1",
                 "--no-startup-delay", "--no-reload"],
                cwd=REPO, env=hub.env, stdout=log, stderr=subprocess.STDOUT))
        page_ids = [int(line) for line in hub.manage(
            "shell", "-v0", "-c", "from cms.pages.models import TopicPage\n"
            "print(*TopicPage.objects.live().values_list('pk', flat=True)[:10], sep='\\n')"
        ).stdout.split()]

        failures: list[str] = []

        def resident(n: int) -> None:
            session = requests.Session()
            for i in range(ANSWERS_EACH):
                answer = session.post(f"{hub.url}/feedback/", headers={"Accept": "application/json"},
                                      data={"page": page_ids[i % len(page_ids)], "helpful": "yes",
                                            "comment": f"住民{n}の回答{i}"}, timeout=60)
                if answer.status_code != 201:
                    failures.append(f"feedback {answer.status_code}: {answer.text[:200]}")
                subscribed = session.post(f"{hub.url}/api/push/subscriptions", timeout=60, json={
                    "subscription": {"endpoint": f"http://127.0.0.1:9/push/r{n}-{i}",
                                     "keys": browser_keys()},
                    "topics": ["gomi", "bosai"], "areas": [], "lang": "ja"})
                if subscribed.status_code not in (200, 201):
                    failures.append(f"subscribe {subscribed.status_code}: {subscribed.text[:200]}")

        editor = subprocess.Popen([sys.executable, "-c", PUBLISHER], cwd=REPO, env=hub.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        residents = [threading.Thread(target=resident, args=(n,)) for n in range(RESIDENTS)]
        for thread in residents:
            thread.start()
        editor_out, _ = editor.communicate(timeout=600)
        for thread in residents:
            thread.join(timeout=600)

        assert editor.returncode == 0, editor_out[-3000:]
        assert failures == []

        deadline = time.monotonic() + 300
        while hub.query("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                        "WHERE status IN ('READY', 'RUNNING')")[0][0]:
            assert time.monotonic() < deadline, "the workers did not finish the queued tasks"
            assert all(w.poll() is None for w in workers)
            time.sleep(0.5)
        statuses = dict(hub.query("SELECT status, count(*) FROM django_tasks_database_dbtaskresult "
                                  "GROUP BY status"))
        feedback = hub.query("SELECT count(*) FROM feedback_pagefeedback")[0][0]
        subscribers = hub.query("SELECT count(*) FROM notifier_subscriber")[0][0]
        assert statuses.get("FAILED", 0) == 0, statuses
        assert statuses.get("SUCCESSFUL", 0) >= PUBLISH_ROUNDS * 40  # the publishes were worked
        assert feedback == RESIDENTS * ANSWERS_EACH
        assert subscribers == RESIDENTS * ANSWERS_EACH
    finally:
        stop_processes(workers)
        hub.stop()
        for log in logs:
            log.close()
    everything = "\n".join(
        (tmp_path / name).read_text(errors="replace")
        for name in ["web.log", "worker0.log", "worker1.log"] if (tmp_path / name).exists())
    everything += editor_out
    assert "database is locked" not in everything
    assert "Traceback" not in everything
