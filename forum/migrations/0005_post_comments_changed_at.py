from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("forum", "0004_moderators_group")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="comments_changed_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
    ]
