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


def check_permission_first_everywhere(site) -> None:
    """Give every model page of ``site`` (ours and the third parties') that order, once all
    the admin modules are registered (``BackofficeWebConfig.ready``)."""
    for model_admin in site._registry.values():
        if isinstance(model_admin, PermissionFirstHistory):
            continue
        model_admin.history_view = _permission_first(model_admin, model_admin.history_view)


def _permission_first(model_admin, history_view):
    def checked(request, object_id, extra_context=None):
        if not model_admin.has_view_or_change_permission(request):
            raise PermissionDenied
        return history_view(request, object_id, extra_context)

    return checked
