# The verdict's explanation column keeps its name; the field is `stored_explanation` and
# `Verdict.explanation` derives the entries when the set-based check stored none. No SQL runs.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0030_safe_uploads"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("verdict", "explanation", "stored_explanation"),
                migrations.AlterField(
                    model_name="verdict",
                    name="stored_explanation",
                    field=models.JSONField(blank=True, db_column="explanation", default=list, verbose_name="explanation"),
                ),
            ],
            database_operations=[],
        ),
    ]
