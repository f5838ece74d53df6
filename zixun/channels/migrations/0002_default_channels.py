from django.db import migrations


def add_default_channels(apps, schema_editor):
    from zixun.channels.defaults import DEFAULT_CHANNELS

    Channel = apps.get_model("channels", "Channel")
    for position, (slug, name, name_en, highlighted, original) in enumerate(DEFAULT_CHANNELS):
        Channel.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "position": position * 10,
                "is_highlighted": highlighted,
                "is_original_category": original,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]
    operations = [migrations.RunPython(add_default_channels, migrations.RunPython.noop)]
