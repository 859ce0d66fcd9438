from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from tenants.context import workspace_context
from tenants.models import AuditEvent, Membership, User
from tenants.roles import FirmRole, WorkspaceRole
from tests.conftest import World
from tests.factories.tenants import UserFactory


def url(world: World, suffix: str = "") -> str:
    return f"/api/v1/workspaces/{world.a.workspace.id}/memberships/{suffix}"


def audit_actions(world: World) -> list[str]:
    with workspace_context(world.a.workspace.id):
        return list(AuditEvent.objects.order_by("created_at").values_list("action", flat=True))


@pytest.mark.parametrize("actor", ["admin", "manager", "sales_rep", "viewer", "consultant", "firm_owner"])
def test_every_member_can_list_members(world: World, client_as: Any, actor: str) -> None:
    response = client_as(actor).get(url(world))
    assert response.status_code == 200
    emails = {m["email"] for m in response.json()["results"]}
    assert emails == {u.email for u in world.a.users.values()}


def test_api_key_cannot_list_members(world: World, client_as: Any) -> None:
    assert client_as("api_key").get(url(world)).status_code == 403


def test_invite_new_person_creates_account_sends_mail_and_audits(
    world: World, client_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("admin").post(
            url(world),
            {"email": "Tanaka@Example.co.jp", "role": "manager", "full_name": "田中 一郎"},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "tanaka@example.co.jp"
    assert body["role"] == "manager"
    assert body["pending"] is True
    user = User.objects.get(email="tanaka@example.co.jp")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["tanaka@example.co.jp"]
    assert "/accounts/password/" in mail.outbox[0].body
    assert "招待" in mail.outbox[0].subject  # Japanese by default
    assert audit_actions(world)[-1] == "membership.invited"


def test_invite_existing_person_links_account(world: World, client_as: Any) -> None:
    existing = UserFactory(email="known@example.jp")
    response = client_as("admin").post(
        url(world), {"email": "known@example.jp", "role": "viewer"}, format="json"
    )
    assert response.status_code == 201
    assert Membership.objects.get(workspace=world.a.workspace, user=existing).role == WorkspaceRole.VIEWER
    assert response.json()["pending"] is True


def test_an_invitation_answers_the_same_whoever_the_address_belongs_to(world: World, client_as: Any) -> None:
    """Neither the name another workspace knows the person by nor whether they have a password leaks."""
    UserFactory(email="known-elsewhere@example.jp", full_name="別ワークスペースでの氏名")
    client = client_as("admin")
    answers = [
        client.post(
            url(world), {"email": email, "role": "viewer", "full_name": "招待 太郎"}, format="json"
        ).json()
        for email in ("known-elsewhere@example.jp", "brand-new@example.jp")
    ]
    shapes = [
        {k: v for k, v in a.items() if k not in ("id", "user_id", "email", "created_at")} for a in answers
    ]
    assert shapes[0] == shapes[1] == {"role": "viewer", "role_label": shapes[0]["role_label"],
                                      "full_name": "招待 太郎", "pending": True}  # fmt: skip
    listed = {m["email"]: m for m in client.get(url(world)).json()["results"]}
    assert listed["known-elsewhere@example.jp"]["full_name"] == "招待 太郎"
    assert "別ワークスペースでの氏名" not in client.get(url(world)).content.decode()


def test_signing_in_accepts_the_invitation(world: World, client_as: Any) -> None:
    from django.test import Client

    from tests.factories.tenants import PASSWORD

    person = UserFactory(email="accepts@example.jp", full_name="承諾 花子")
    client_as("admin").post(url(world), {"email": person.email, "role": "viewer"}, format="json")
    membership = Membership.objects.get(workspace=world.a.workspace, user=person)
    assert membership.is_pending and membership.display_name == ""
    Client().post("/accounts/login/", {"username": person.email, "password": PASSWORD})
    membership.refresh_from_db()
    assert not membership.is_pending and membership.display_name == "承諾 花子"


def test_inviting_a_member_twice_is_a_conflict(world: World, client_as: Any) -> None:
    email = world.a.users["viewer"].email
    response = client_as("admin").post(url(world), {"email": email, "role": "manager"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "tenants.membership.already_member"


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("admin", 201),
        ("consultant", 201),
        ("firm_owner", 201),
        ("manager", 403),
        ("sales_rep", 403),
        ("viewer", 403),
        ("api_key", 403),
    ],
)
def test_who_may_invite(world: World, client_as: Any, actor: str, status: int) -> None:
    response = client_as(actor).post(url(world), {"email": "new@example.jp", "role": "viewer"}, format="json")
    assert response.status_code == status
    assert User.objects.filter(email="new@example.jp").exists() == (status == 201)


def test_client_admin_cannot_assign_a_consultant(world: World, client_as: Any) -> None:
    firm_colleague = UserFactory(firm=world.a.firm, firm_role=FirmRole.CONSULTANT)
    response = client_as("admin").post(
        url(world), {"email": firm_colleague.email, "role": "consultant"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "tenants.membership.consultant_assigned_by_firm"


def test_consultant_must_belong_to_the_firm(world: World, client_as: Any) -> None:
    response = client_as("consultant").post(
        url(world), {"email": "outsider@example.jp", "role": "consultant"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "tenants.membership.consultant_not_firm_member"
    assert not User.objects.filter(email="outsider@example.jp").exists()


def test_firm_owner_assigns_a_firm_consultant(world: World, client_as: Any) -> None:
    colleague = UserFactory(firm=world.a.firm, firm_role=FirmRole.CONSULTANT)
    response = client_as("firm_owner").post(
        url(world), {"email": colleague.email, "role": "consultant"}, format="json"
    )
    assert response.status_code == 201
    assert client_as("anonymous").get(url(world)).status_code == 401


def test_change_role_and_audit(world: World, client_as: Any) -> None:
    membership = world.a.memberships["viewer"]
    response = client_as("admin").patch(url(world, f"{membership.id}/"), {"role": "manager"}, format="json")
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.role == WorkspaceRole.MANAGER
    with workspace_context(world.a.workspace.id):
        event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.changes == {
        "email": world.a.users["viewer"].email,
        "role": {"from": "viewer", "to": "manager"},
    }


def test_manager_cannot_change_roles(world: World, client_as: Any) -> None:
    membership = world.a.memberships["viewer"]
    response = client_as("manager").patch(url(world, f"{membership.id}/"), {"role": "admin"}, format="json")
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == WorkspaceRole.VIEWER


def test_last_admin_cannot_be_removed_or_demoted(world: World, client_as: Any) -> None:
    admin_membership = world.a.memberships["admin"]
    client = client_as("consultant")
    response = client.patch(url(world, f"{admin_membership.id}/"), {"role": "viewer"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "tenants.membership.last_admin"
    assert client.delete(url(world, f"{admin_membership.id}/")).status_code == 400
    assert Membership.objects.filter(id=admin_membership.id, role=WorkspaceRole.ADMIN).exists()


def test_client_admin_cannot_remove_the_consultant(world: World, client_as: Any) -> None:
    consultant = world.a.memberships["consultant"]
    assert client_as("admin").delete(url(world, f"{consultant.id}/")).status_code == 400
    assert Membership.objects.filter(id=consultant.id).exists()


def test_remove_a_member_who_owns_kpis_and_items(world: World, client_as: Any) -> None:
    """The manager owns the world's KPI and an action plan: removal clears those owners. (The service called
    outside a request failed on PostgreSQL; test_reviews_feed covers that path.)"""
    from tenants.context import workspace_context

    membership = world.a.memberships["manager"]
    assert client_as("admin").delete(url(world, f"{membership.id}/")).status_code == 204
    with workspace_context(world.a.workspace.id):
        world.a.kpi.refresh_from_db()
        world.a.extra["action_plan"].refresh_from_db()
    assert world.a.kpi.owner_id is None and world.a.extra["action_plan"].owner_id is None


def test_remove_member(world: World, client_as: Any) -> None:
    membership = world.a.memberships["sales_rep"]
    assert client_as("admin").delete(url(world, f"{membership.id}/")).status_code == 204
    assert not Membership.objects.filter(id=membership.id).exists()  # no longer a member...
    assert Membership.all_memberships.get(id=membership.id).deactivated_at is not None  # ...yet on record
    assert audit_actions(world)[-1] == "membership.removed"
    # The removed person loses access at once.
    assert client_as("sales_rep").get(url(world)).status_code == 404


def test_a_member_who_logged_actuals_can_be_removed_and_their_history_keeps_their_name(
    world_before_crm: World, client_as: Any
) -> None:
    world = world_before_crm
    """The owner of an actual used to be set to NULL on removal, colliding with the actual the workspace
    already had for that day without an owner (a false 409 on every retry). Removal deactivates now."""
    import datetime as dt
    from decimal import Decimal

    from kpi.models import Metric, MetricActual
    from kpi.services import actual_record
    from tenants.context import workspace_context

    rep = world.a.memberships["sales_rep"]
    day = dt.date(2026, 5, 7)  # the world already has an owner-less actual of wins on this day
    with workspace_context(world.a.workspace.id):
        actual_record(metric=Metric.objects.get(key="wins"), date=day, value=Decimal(2), owner=rep)
    assert client_as("admin").delete(url(world, f"{rep.id}/")).status_code == 204
    with workspace_context(world.a.workspace.id):
        kept = MetricActual.objects.select_related("owner__user").get(metric__key="wins", date=day, owner=rep)
    assert kept.value == Decimal(2) and kept.owner.user == world.a.users["sales_rep"]
    listed = client_as("admin").get(url(world)).json()["results"]
    assert str(rep.id) not in {m["id"] for m in listed}
    # Invited back later, they return on the same membership, with their history.
    back = client_as("admin").post(url(world), {"email": rep.user.email, "role": "viewer"}, format="json")
    assert back.status_code == 201 and back.json()["id"] == str(rep.id) and back.json()["pending"] is True
