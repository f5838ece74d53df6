# AuditEntry moved to the audit app (ADR 0011); its table and rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
