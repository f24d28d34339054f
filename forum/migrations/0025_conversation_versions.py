from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0024_votes'),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='tree_version',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='post',
            name='conversations_version',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
