"""``manage.py fake_crm serve --provider hubspot|salesforce --port N --fixture FILE``: a fake CRM on localhost.

Imports only the fakes: it needs no database and touches no model. Point a connection's base URL at the
printed address (HubSpot: the API base; Salesforce: the login URL, whose token responses carry the
instance URL).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.fakes.common import FakeClock, WallClock, parse_iso, shift_fixture
from integrations.fakes.hubspot import FakeHubSpot
from integrations.fakes.salesforce import FakeSalesforce

FIXTURES = Path(__file__).resolve().parents[2] / "fakes" / "fixtures"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Command(BaseCommand):
    help = "Serve a fake HubSpot or Salesforce from a JSON fixture (integrations/fakes/README.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="serve a fake CRM over HTTP until interrupted")
        serve.add_argument("--provider", choices=("hubspot", "salesforce"), required=True)
        serve.add_argument("--port", type=int, default=8765)
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--fixture", type=Path, help="JSON fixture (default: the provider's demo fixture)")
        serve.add_argument(
            "--frozen",
            action="store_true",
            help="keep the fixture's own 'now' and a frozen clock instead of real time with the data moved to today",
        )
        serve.add_argument("--verbose-requests", action="store_true", help="log every request")

    def handle(self, *args: Any, **options: Any) -> None:
        provider: str = options["provider"]
        path: Path = options["fixture"] or FIXTURES / f"{provider}_demo.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read fixture {path}: {error}") from error
        base_url = f"http://{options['host']}:{options['port']}"
        clock: FakeClock
        if options["frozen"]:
            clock = FakeClock(parse_iso(data["now"]))
        else:
            clock = WallClock()
            data = shift_fixture(data, clock())
        app = self._build(provider, data, clock, base_url)
        handler = WSGIRequestHandler if options["verbose_requests"] else _QuietHandler
        with make_server(options["host"], options["port"], app, handler_class=handler) as server:
            self.stdout.write(f"fake {provider} on {base_url} (fixture {path})")
            for name, values in data.get("tokens", {}).items():
                if isinstance(values, list) and values and isinstance(values[0], str):
                    self.stdout.write(f"  {name}: {', '.join(values)}")
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                self.stdout.write("stopped")

    @staticmethod
    def _build(
        provider: str, data: dict[str, Any], clock: FakeClock, base_url: str
    ) -> FakeHubSpot | FakeSalesforce:
        if provider == "hubspot":
            return FakeHubSpot.from_fixture(data, clock=clock)
        fake = FakeSalesforce.from_fixture(data, clock=clock)
        fake.instance_url = base_url  # the login and the instance are one server here
        return fake
