"""PartnerExchange.partnerships through ExchangePartner: the many-to-many field's own table, now a model
with a copy of each exchange's date and whether it was substantive, and the indexes that read a
partnership's latest exchange (rules.annotate_activity)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_dates(apps, schema_editor):
    ExchangePartner = apps.get_model("partners", "ExchangePartner")
    PartnerExchange = apps.get_model("partners", "PartnerExchange")
    exchange = PartnerExchange.objects.filter(pk=OuterRef("partnerexchange_id"))
    ExchangePartner.objects.update(
        date=Subquery(exchange.values("date")[:1]),
        substantive=Subquery(exchange.values("substantive")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_reveal_contact_phone"),
    ]

    operations = [
        # The table exists (the many-to-many field made it): only the project's state learns of its model.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExchangePartner",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "partnerexchange",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="links",
                                to="partners.partnerexchange",
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="partners.partnership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "partners_partnerexchange_partnerships",
                        "unique_together": {("partnerexchange", "partnership")},
                    },
                ),
                migrations.AlterField(
                    model_name="partnerexchange",
                    name="partnerships",
                    field=models.ManyToManyField(
                        related_name="exchanges",
                        through="partners.ExchangePartner",
                        to="partners.partnership",
                        verbose_name="partners",
                    ),
                ),
            ],
        ),
        migrations.AddField(model_name="exchangepartner", name="date", field=models.DateField(null=True)),
        migrations.AddField(
            model_name="exchangepartner", name="substantive", field=models.BooleanField(null=True)
        ),
        migrations.RunPython(copy_dates, migrations.RunPython.noop),
        migrations.AlterField(model_name="exchangepartner", name="date", field=models.DateField()),
        migrations.AlterField(model_name="exchangepartner", name="substantive", field=models.BooleanField()),
        migrations.AddIndex(
            model_name="exchangepartner",
            index=models.Index(fields=["partnership", "date"], name="exchange_partner_latest"),
        ),
        migrations.AddIndex(
            model_name="exchangepartner",
            index=models.Index(
                condition=models.Q(substantive=True),
                fields=["partnership", "date"],
                name="exchange_partner_substantive",
            ),
        ),
    ]
