from django.db import migrations

# Frozen here: the catalogue module may change after this migration ran.
NEW_METRICS = (
    ("emails", "メール送信数", "E-mails", "期間内に営業担当者が顧客に送信したメールの件数（CRMの活動記録）"),
    ("meetings_held", "商談実施数（活動記録）", "Meetings held (activities)",
     "期間内に実施済みとして記録された商談・面談の活動の件数"),
    ("proposals", "提案数", "Proposals", "期間内に提案段階に到達した案件の件数"),
)  # fmt: skip


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Workspaces that installed the catalogue get the base metrics a CRM now feeds."""
    Metric = apps.get_model("kpi", "Metric")
    workspace_ids = set(Metric._base_manager.filter(from_catalogue=True).values_list("workspace_id", flat=True))
    for workspace_id in workspace_ids:
        have = set(Metric._base_manager.filter(workspace_id=workspace_id).values_list("key", flat=True))
        for key, name_ja, name_en, definition in NEW_METRICS:
            if key not in have:
                Metric._base_manager.create(workspace_id=workspace_id, key=key, name_ja=name_ja, name_en=name_en,
                                            unit="count", definition=definition, from_catalogue=True)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("kpi", "0006_workspace_verbose_name")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
