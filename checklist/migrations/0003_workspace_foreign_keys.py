from django.db import migrations

from tenants.db import WorkspaceForeignKeys


class Migration(migrations.Migration):
    """The database refuses a reference to another workspace's row (foreign-key checks bypass RLS)."""

    dependencies = [
        ("checklist", "0002_feed_issued_by"),
        ("kpi", "0002_workspace_foreign_keys"),
        ("tenants", "0004_membership_deactivation"),
    ]

    operations = [
        WorkspaceForeignKeys("checklistitem", ["checklist", "owner"]),
        WorkspaceForeignKeys("decisionmatrix", ["decided_option", "decided_by_membership"]),
        WorkspaceForeignKeys("matrixoption", ["matrix"]),
        WorkspaceForeignKeys("reviewcadenceattendee", ["cadence", "membership"]),
        WorkspaceForeignKeys("reviewmeeting", ["cadence"]),
        WorkspaceForeignKeys("actionplan", ["kpi_node", "owner", "meeting"]),
        WorkspaceForeignKeys("calendarfeedtoken", ["issued_by"]),
    ]
