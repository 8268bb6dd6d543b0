from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from . import health


@never_cache
def healthz(request):
    db = health.database_state()
    body = {
        "status": "ok" if db["status"] == "ok" else "error",
        "database": db,
        "worker": health.worker_state() if db["status"] == "ok" else {"status": "unknown"},
        "chatbot": health.chatbot_state(),
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
