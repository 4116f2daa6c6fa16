# The hearings app's root: hearings (0002_hearings…) and coordination meetings
# (0002_coordination…) branch from here and are joined by a merge migration.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = [("members", "0004_notifications"), ("deliberation", "0003_named_choice_history")]
    operations = []
