import socket
import time
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandParser

from demo.seed import DEMO_PASSWORD, demo_crm_connect, demo_seed


def _reachable(url: str, seconds: float) -> bool:
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((parts.hostname, parts.port or 80), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Load the demo firm, consultant and client workspaces (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--crm-url",
            default="",
            help="base URL of the fake HubSpot (manage.py fake_crm serve) to connect the CRM workspace to and sync",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo_seed()
        crm_url: str = options["crm_url"]
        if crm_url:
            # make demo starts the fake in the background a moment before this runs.
            if _reachable(crm_url, seconds=15):
                run = demo_crm_connect(base_url=crm_url)
                if run is not None:
                    self.stdout.write(f"Synced the fake HubSpot at {crm_url}: {run.status}, "
                                      f"{run.fetched_count} records read, {run.created_count} new.")  # fmt: skip
            else:
                self.stdout.write(self.style.WARNING(f"No fake HubSpot answers at {crm_url}; the CRM workspace "
                                                     "is not connected. Start it with manage.py fake_crm serve "
                                                     "--provider hubspot and run seed_demo again."))  # fmt: skip
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write("")
        self.stdout.write("  Open  http://127.0.0.1:8000/            (sign in)")
        self.stdout.write("        http://127.0.0.1:8000/admin/      (consultant admin)")
        self.stdout.write("        http://127.0.0.1:8000/api/docs/   (API documentation)")
        self.stdout.write("")
        self.stdout.write(f"  Password for every demo login: {DEMO_PASSWORD}")
        for login in logins:
            self.stdout.write(f"    {login.email:<28} {login.description}")
