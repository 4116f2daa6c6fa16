"""Comments travel sealed in the sheet's paper and are written when the ballot box is opened.

The HMAC ``tag`` that tied a sheet's comments together while sheets were taken is gone; every
stored comment already had an empty tag (comments were rewritten without one at close, and the
sealed box's migration refuses to run while a secret ballot is open or closed). ``cast_on`` stays
for the comments written before, and is empty for those from the box.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0001_initial"),
        ("deliberation", "0009_sealed_box"),
    ]

    operations = [
        migrations.RemoveField(model_name="comment", name="tag"),
        migrations.AlterField(model_name="comment", name="cast_on", field=models.DateField(blank=True, null=True)),
    ]
