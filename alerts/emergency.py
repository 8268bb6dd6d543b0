"""The site's emergency layout follows the alerts in force for Chuo City, unless an
editor has switched it by hand (EmergencySwitch), until they release it."""

from __future__ import annotations

from datetime import timedelta

from cms.core import clock

from .models import Alert, AlertStatus, EmergencySwitch

DISASTER_PAGE = "/hinan-basho/"
# A quake has no lifting: strong shaking keeps the emergency layout this long.
EARTHQUAKE_EMERGENCY = timedelta(hours=6)


def in_force() -> list[Alert]:
    """The newest message of every event that is still in force, strongest first."""
    now = clock.now()
    newest: dict[str, Alert] = {}
    for alert in Alert.objects.filter(received_at__gte=now - timedelta(hours=72)).order_by(
            "received_at", "pk"):
        newest[alert.event_key] = alert
    alive = [a for a in newest.values()
             if a.status == AlertStatus.ACTIVE and (a.expires_at is None or a.expires_at > now)]
    return sorted(alive, key=lambda a: (a.at_warning_level, a.rank, a.received_at), reverse=True)


def apply() -> bool:
    """Set EmergencySettings from the alerts in force (or the editor's switch); returns
    whether the layout is on."""
    from wagtail.models import Site

    from cms.core.models import EmergencySettings

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return False
    settings = EmergencySettings.for_site(site)
    switch = EmergencySwitch.for_site(site)
    if switch.mode == EmergencySwitch.ON:
        state = (True, switch.headline or settings.headline, switch.message or settings.message,
                 settings.link_url, "editor")
    elif switch.mode == EmergencySwitch.OFF:
        state = (False, settings.headline, settings.message, settings.link_url, "editor")
    else:
        warnings = [a for a in in_force() if a.at_warning_level]
        if warnings:
            state = (True, warnings[0].headline_ja[:200],
                     "\n".join(a.body_ja for a in warnings), DISASTER_PAGE, "jma")
        else:
            state = (False, "", "", "", "jma")
    current = (settings.active, settings.headline, settings.message, settings.link_url,
               settings.source)
    if current != state:
        (settings.active, settings.headline, settings.message, settings.link_url,
         settings.source) = state
        settings.changed_at = clock.now()
        settings.save()
    return settings.active
