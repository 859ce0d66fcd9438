from django.db import migrations

from tenants.db import WorkspaceForeignKeys


class Migration(migrations.Migration):
    """The database refuses a reference to another workspace's row (foreign-key checks bypass RLS)."""

    dependencies = [
        ("integrations", "0001_initial"),
        ("tenants", "0004_membership_deactivation"),
    ]

    operations = [
        WorkspaceForeignKeys("syncstate", ["connection"]),
        WorkspaceForeignKeys("syncrun", ["connection"]),
        WorkspaceForeignKeys("stagemapping", ["connection"]),
        WorkspaceForeignKeys("activitytypemapping", ["connection"]),
        WorkspaceForeignKeys("leaddefinition", ["connection"]),
        WorkspaceForeignKeys("crmowner", ["connection", "merged_into", "member"]),
        WorkspaceForeignKeys("crmcompany", ["connection", "merged_into"]),
        WorkspaceForeignKeys("crmcontact", ["connection", "merged_into", "company", "owner"]),
        WorkspaceForeignKeys("crmdeal", ["connection", "merged_into", "owner", "company"]),
        WorkspaceForeignKeys("crmactivity", ["connection", "merged_into", "owner", "deal", "contact", "company"]),
    ]
