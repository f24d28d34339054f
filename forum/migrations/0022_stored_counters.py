from django.db import migrations, models

# The counters as forum.models.touch_threads recounts them (a copy: a
# migration must not change when the model's code does).
RECOUNT = '''
UPDATE forum_post SET
  comment_count = (SELECT COUNT(*) FROM forum_comment c
                   WHERE c.post_id = forum_post.id AND c.status = 'approved'),
  root_count = (SELECT COUNT(*) FROM forum_comment r
                WHERE r.post_id = forum_post.id AND r.parent_id IS NULL
                  AND (r.status = 'approved' OR EXISTS (
                    SELECT 1 FROM forum_comment c WHERE c.tree_id = r.tree_id
                    AND c.lft > r.lft AND c.status = 'approved')))
'''


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0021_notification_approved_kind'),
    ]

    operations = [
        migrations.AddField(
            model_name='post',
            name='comment_count',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name='post',
            name='root_count',
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunSQL(RECOUNT, migrations.RunSQL.noop),
    ]
