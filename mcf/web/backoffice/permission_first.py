"""The admin's history page checks the permission before it looks the object up."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class PermissionFirstHistory:
    """Django 6.1 looks the object up before it checks the permission in ``history_view``:
    a staff member who may not read the model would learn which pks exist (« n'existe
    pas » redirect for a missing one, 403 for the others). The permission first, as every
    other view of the admin does (AC-01; fixed upstream, Django ticket #37160)."""

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)
