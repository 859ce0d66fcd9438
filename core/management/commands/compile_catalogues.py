from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogue_dirs() -> list[Path]:
    """The project's locale folder and each of our apps' own (``<app>/locale``)."""
    base = Path(settings.BASE_DIR)
    ours = [Path(config.path) for config in apps.get_app_configs() if Path(config.path).parent == base]
    return [Path(d) for d in settings.LOCALE_PATHS] + [p / "locale" for p in ours if (p / "locale").is_dir()]


class Command(BaseCommand):
    """Compile every .po catalogue to .mo in pure Python (polib), so no system gettext is needed."""

    help = "Compile the translation catalogues (.po -> .mo)."

    def handle(self, *args: Any, **options: Any) -> None:
        for locale_dir in catalogue_dirs():
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(f"compiled {po_path}")
