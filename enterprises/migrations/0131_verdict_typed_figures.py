"""The figures a set-based verdict was judged on in typed columns (`used_*`, read by Verdict.figures as the
dict); no index on `eligible` (verdict_flags_idx covers the lists' filters); the rulebook reference
without an index or a database constraint (one version for a whole check; versions are never deleted).

Writing a year's verdicts: building a JSON document per row, keeping five indexes and checking the
rulebook key row by row at commit were most of the first check's time (bench_enterprises).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0130_verdict_inputs_rules_by_rulebook'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='verdict',
            name='enterprises_eligibl_41ffa1_idx',
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_accepted_years',
            field=models.CharField(blank=True, editable=False, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_core_tech_product',
            field=models.BooleanField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_employees',
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_figures_id',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_figures_year',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_high_value_ip',
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_rd_expense',
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=16, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_registration_number',
            field=models.CharField(blank=True, editable=False, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_registration_year',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_revenue',
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=16, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_tax',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_tech_staff',
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_total_assets',
            field=models.DecimalField(blank=True, decimal_places=2, editable=False, max_digits=16, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_transfers',
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='verdict',
            name='used_year',
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='verdict',
            name='rulebook',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='verdicts', to='enterprises.rulebook', verbose_name='rulebook'),
        ),
    ]
