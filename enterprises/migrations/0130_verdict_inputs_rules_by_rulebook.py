"""The set-based check's verdicts: an inputs fingerprint, the rules read from the rulebook version, the
figures in typed columns.

`Verdict.rules` and `Verdict.figures` become properties over their columns (now the fields
`stored_rules` and `stored_figures`, same columns): a verdict the set-based check writes keeps no
copy of the rule values (its rulebook version is frozen) and its figures in the `used_*` columns
(0131). Old rows keep their documents and read as before. `inputs` is new and empty: an old verdict
is written once more by the next check.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0122_merge_0110_pool_county_0121_enterprise_name_trigram")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField("verdict", "rules"),
                migrations.AddField(
                    "verdict", "stored_rules",
                    models.JSONField(blank=True, db_column="rules", default=dict, verbose_name="rule values judged by"),
                ),
                migrations.RemoveField("verdict", "figures"),
                migrations.AddField(
                    "verdict", "stored_figures",
                    models.JSONField(db_column="figures", default=dict, verbose_name="figures used"),
                ),
            ],
        ),
        migrations.AddField("verdict", "inputs", models.BigIntegerField(blank=True, editable=False, null=True)),
    ]
