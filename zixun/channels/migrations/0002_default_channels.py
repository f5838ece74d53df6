from django.db import migrations


def add_default_channels(apps, schema_editor):
    from zixun.channels.services import channel_defaults_ensure

    channel_defaults_ensure(model=apps.get_model("channels", "Channel"))


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]
    operations = [migrations.RunPython(add_default_channels, migrations.RunPython.noop)]
