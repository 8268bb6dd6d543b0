"""Reports that show what residents typed need an explicit permission, not admin access.

Zero-result searches, page feedback comments and unanswered chat questions are
residents' own words. Each report (and its CSV/XLSX export, served by the same view)
asks for the `view` permission of its model; superusers have it, other editors get it
through a group (Settings → Groups → the model's 'Can view').
"""

from __future__ import annotations

from wagtail.admin.menu import MenuItem
from wagtail.permission_policies import ModelPermissionPolicy


class ResidentTextReport:
    """Mixin for a ReportView: set `report_model`; only users who may view it get in."""

    report_model = None
    permission_required = "view"

    @property
    def permission_policy(self):
        return ModelPermissionPolicy(self.report_model)


class ReportMenuItem(MenuItem):
    """Shown only to users who hold `permission` (e.g. 'sitesearch.view_zeroresultquery')."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request) -> bool:
        return request.user.has_perm(self.permission)
