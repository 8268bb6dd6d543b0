from django.db.models.signals import post_save

from .models import EmergencySwitch


def _switched(sender, instance, **kwargs) -> None:
    from .emergency import apply

    apply()  # an editor's switch, or its release, shows at once


post_save.connect(_switched, sender=EmergencySwitch, dispatch_uid="alerts-emergency-switch")
