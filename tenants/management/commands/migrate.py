"""``migrate`` as the schema owner (DATABASE_OWNER_URL): the application's own login cannot alter tables."""

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrateCommand

from tenants.dbrole import owner_connection


class Command(DjangoMigrateCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        with owner_connection(options["database"]):
            super().handle(*args, **options)
