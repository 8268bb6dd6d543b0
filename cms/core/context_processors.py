from django.conf import settings

from .taxonomy import ward as ward_identity


def ward(request):
    """Ward identity (name, phone, address) for every template: the footer, fallbacks."""
    return {"WARD": ward_identity(), "HUB_BASE_URL": settings.HUB_BASE_URL}
