from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditentry", table=None),
        migrations.RenameIndex(
            model_name="auditentry", new_name="audit_target", old_name="moderation__target__3d3fc5_idx"
        ),
    ]
