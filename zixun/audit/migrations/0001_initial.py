# The audit log moved here from the moderation app (ADR 0011): the table and its
# rows stay; this migration only tells Django's state that the model is ours.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("moderation", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("actor_name", models.CharField(blank=True, max_length=150)),
                        ("action", models.CharField(max_length=40)),
                        ("target_type", models.CharField(max_length=40)),
                        ("target_id", models.BigIntegerField()),
                        ("from_state", models.CharField(blank=True, max_length=20)),
                        ("to_state", models.CharField(blank=True, max_length=20)),
                        ("reason", models.TextField(blank=True)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "db_table": "moderation_auditentry",
                        "indexes": [
                            models.Index(fields=["target_type", "target_id", "-created_at"], name="moderation__target__3d3fc5_idx"),
                            models.Index(fields=["-created_at", "-id"], name="audit_latest"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
