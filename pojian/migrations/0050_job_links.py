from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pojian", "0031_download_audit")]

    operations = [
        migrations.AddField("job", "origin_url", models.CharField(blank=True, max_length=300, verbose_name="started from")),
        migrations.AddField("job", "origin_label", models.CharField(blank=True, max_length=200)),
        migrations.AddField("job", "next_url", models.CharField(blank=True, max_length=300, verbose_name="next step")),
        migrations.AddField("job", "next_label", models.CharField(blank=True, max_length=200)),
        migrations.AddField("job", "outputs", models.JSONField(blank=True, default=list)),
    ]
