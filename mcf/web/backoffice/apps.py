from django.apps import AppConfig


class BackofficeWebConfig(AppConfig):
    name = "mcf.web.backoffice"
    label = "web_backoffice"

    def ready(self):
        # After django.contrib.admin's autodiscover (earlier in INSTALLED_APPS): every model
        # page registered, ours and the third parties'.
        from django.contrib import admin

        from mcf.web.backoffice.permission_first import check_permission_first_everywhere

        check_permission_first_everywhere(admin.site)
