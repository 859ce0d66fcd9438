from django.db import migrations

from tenants.db import WorkspaceForeignKeys


class Migration(migrations.Migration):
    """The database refuses a reference to another workspace's row (foreign-key checks bypass RLS)."""

    dependencies = [
        ("kpi", "0001_initial"),
        ("tenants", "0004_membership_deactivation"),
    ]

    operations = [
        WorkspaceForeignKeys("kpiplan", ["replaces"]),
        WorkspaceForeignKeys("kpinode", ["plan", "parent", "owner"]),
        WorkspaceForeignKeys("kpitarget", ["node"]),
        WorkspaceForeignKeys("metricactual", ["metric", "owner"]),
    ]
