from typing import Any

from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load the demo firm, consultant and client workspaces (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write("")
        self.stdout.write("  Open  http://127.0.0.1:8000/            (sign in)")
        self.stdout.write("        http://127.0.0.1:8000/admin/      (consultant admin)")
        self.stdout.write("        http://127.0.0.1:8000/api/docs/   (API documentation)")
        self.stdout.write("")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
        for login in logins:
            self.stdout.write(f"    {login.email:<28} {login.description}")
