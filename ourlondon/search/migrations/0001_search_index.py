from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "activity_id",
                    models.BigIntegerField(primary_key=True, serialize=False),
                ),
                ("title", models.CharField(max_length=200)),
                ("tokens", models.TextField()),
                ("title_tokens", models.TextField()),
                ("lat", models.FloatField(null=True)),
                ("lng", models.FloatField(null=True)),
                ("borough_id", models.CharField(blank=True, max_length=9)),
                ("age_min", models.SmallIntegerField(null=True)),
                ("age_max", models.SmallIntegerField(null=True)),
                ("is_free", models.BooleanField()),
                ("category_bits", models.IntegerField()),
                ("access_bits", models.IntegerField()),
                ("type_slugs", models.TextField()),
                ("indexed_at", models.DateTimeField()),
            ],
            options={
                "indexes": [
                    models.Index(fields=["borough_id"], name="searchdoc_borough")
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchSession",
            fields=[
                (
                    "occurrence_id",
                    models.BigIntegerField(primary_key=True, serialize=False),
                ),
                ("activity_id", models.BigIntegerField()),
                ("start_ts", models.BigIntegerField()),
                ("end_ts", models.BigIntegerField()),
                ("weekday", models.SmallIntegerField()),
                ("minute", models.SmallIntegerField()),
                ("borough_id", models.CharField(blank=True, max_length=9)),
                ("is_free", models.BooleanField()),
                ("age_min", models.SmallIntegerField(null=True)),
                ("age_max", models.SmallIntegerField(null=True)),
                ("category_bits", models.IntegerField()),
                ("cell_x", models.IntegerField(null=True)),
                ("cell_y", models.IntegerField(null=True)),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["activity_id", "start_ts"], name="searchsess_activity"
                    ),
                    models.Index(
                        fields=["start_ts", "is_free", "category_bits", "activity_id"],
                        name="searchsess_start",
                    ),
                    models.Index(
                        fields=["borough_id", "start_ts"], name="searchsess_borough"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                (
                    "token",
                    models.CharField(max_length=100, primary_key=True, serialize=False),
                ),
                ("documents", models.IntegerField()),
            ],
        ),
    ]
