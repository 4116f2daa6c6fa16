# Coordination meetings move to their own app (coordination): this app forgets their models while
# their tables, rows, constraints and indexes stay exactly as they are. coordination 0001_initial
# takes the same tables over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('hearings', '0004_safeguards_and_guests'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's idea of which app owns them changes.
            database_operations=[],
            # Deleting a model from the state takes its fields with it: no RemoveField first (each one
            # would re-render every model related to it).
            state_operations=[
                migrations.DeleteModel(
                    name='CoordinationAction',
                ),
                migrations.DeleteModel(
                    name='CoordinationConfirmation',
                ),
                migrations.DeleteModel(
                    name='CoordinationDocument',
                ),
                migrations.DeleteModel(
                    name='CoordinationMeeting',
                ),
                migrations.DeleteModel(
                    name='CoordinationNotice',
                ),
                migrations.DeleteModel(
                    name='CoordinationParticipant',
                ),
                migrations.DeleteModel(
                    name='CoordinationProgress',
                ),
                migrations.DeleteModel(
                    name='CoordinationSettings',
                ),
                migrations.DeleteModel(
                    name='CoordinationStatement',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationAction',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationConfirmation',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationDocument',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationMeeting',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationNotice',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationParticipant',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationProgress',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationSettings',
                ),
                migrations.DeleteModel(
                    name='HistoricalCoordinationStatement',
                ),
            ],
        ),
    ]
