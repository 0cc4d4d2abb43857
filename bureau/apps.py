from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Modules each app may provide to plug into the core registries (DESIGN.md "The registries").
PLUGIN_MODULES = ("metrics", "reports", "requests")


class BureauConfig(AppConfig):
    name = "bureau"
    verbose_name = _("基础信息")

    def ready(self):
        from django.db.backends.signals import connection_created

        from bureau import checks, signals, tablecache  # noqa: F401

        connection_created.connect(tablecache.install)
        # django-axes names its admin section "Axes" and cannot be translated.
        apps.get_app_config("axes").verbose_name = _("登录锁定")

        for config in apps.get_app_configs():
            if not config.name.startswith(("django.", "rest_framework")):
                for module in PLUGIN_MODULES:
                    try:
                        import_module(f"{config.name}.{module}")
                    except ModuleNotFoundError as exc:
                        if exc.name != f"{config.name}.{module}":
                            raise
