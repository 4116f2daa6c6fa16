# Coordination meetings, moved out of the hearings app: the models take over the tables that
# hearings 0002_coordination created (same names, rows, constraints and indexes), so nothing is
# created or copied in the database; only the content types are relabelled.

import coordination.models
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = [
    "coordinationsettings", "coordinationmeeting", "coordinationparticipant", "coordinationnotice",
    "coordinationstatement", "coordinationdocument", "coordinationconfirmation", "coordinationaction",
    "coordinationprogress",
]
MOVED_MODELS += [f"historical{name}" for name in MOVED_MODELS]


def _relabel(apps, old: str, new: str) -> None:
    """Give the moved models' content types their new app label.

    Permissions, admin log entries and generic relations (a ballot's subject, a notification's
    target) hold the content type's id, so relabelling the row keeps them all pointing at the same
    models. A row that already exists under the new label (Django creates one after a migration if
    none was found) is left alone and the old one kept, so that nothing that points at it is lost.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new, model__in=MOVED_MODELS).values_list("model", flat=True))
    ContentType.objects.filter(app_label=old, model__in=set(MOVED_MODELS) - taken).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "hearings", "coordination")


def backwards(apps, schema_editor):
    _relabel(apps, "coordination", "hearings")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('hearings', '0005_coordination_moves_out'),
        ('members', '0008_sms_outbox_contact_channel'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's idea of which app owns them changes.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CoordinationMeeting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('request_text', models.TextField(blank=True, verbose_name='what is asked for')),
                        ('other_parties_text', models.CharField(blank=True, max_length=300, verbose_name='other parties (as the requester named them)')),
                        ('status', models.CharField(choices=[('requested', 'requested'), ('declined', 'declined'), ('scheduling', 'being prepared'), ('noticed', 'parties noticed'), ('in_session', 'in session'), ('concluding', 'record and agreement'), ('follow_up', 'follow-up'), ('escalated', 'escalated to the street'), ('closed', 'closed'), ('cancelled', 'cancelled')], default='scheduling', max_length=12, verbose_name='status')),
                        ('scheduled_at', models.DateTimeField(blank=True, null=True, verbose_name='date and time')),
                        ('place', models.CharField(blank=True, max_length=200, verbose_name='meeting place')),
                        ('agreement_reached', models.BooleanField(blank=True, null=True, verbose_name='agreement reached')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='request decided at')),
                        ('decline_reason', models.CharField(blank=True, max_length=500, verbose_name='reason for declining')),
                        ('noticed_at', models.DateTimeField(blank=True, null=True, verbose_name='notice given at')),
                        ('session_started_at', models.DateTimeField(blank=True, null=True, verbose_name='session started at')),
                        ('early_start_reason', models.CharField(blank=True, max_length=500, verbose_name='reason for starting early')),
                        ('concluded_at', models.DateTimeField(blank=True, null=True, verbose_name='session ended at')),
                        ('early_conclusion_reason', models.CharField(blank=True, max_length=500, verbose_name='reason for concluding before the noticed day')),
                        ('follow_up_at', models.DateTimeField(blank=True, null=True, verbose_name='follow-up started at')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated at')),
                        ('escalation_reason', models.TextField(blank=True, verbose_name='why it is escalated')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                        ('close_note', models.TextField(blank=True, verbose_name='closing note')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                        ('cancel_reason', models.CharField(blank=True, max_length=500, verbose_name='reason for cancelling')),
                        ('committee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coordination_meetings', to='members.committee', verbose_name="residents' committee")),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='request decided by')),
                        ('escalated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='escalated by')),
                        ('requested_agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.agency', verbose_name='requested with')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='coordination_requests', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'coordination meeting',
                        'verbose_name_plural': 'coordination meetings',
                        'db_table': 'hearings_coordinationmeeting',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CoordinationDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('record', 'record'), ('agreement', 'agreement')], max_length=10, verbose_name='kind')),
                        ('version', models.PositiveSmallIntegerField(default=1, verbose_name='version')),
                        ('points_in_dispute', models.TextField(blank=True, verbose_name='points in dispute')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('correction_reason', models.TextField(blank=True, verbose_name='reason for the correction')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted for confirmation at')),
                        ('content', models.JSONField(blank=True, null=True, verbose_name='content as submitted')),
                        ('content_hash', models.CharField(blank=True, max_length=64, verbose_name='content hash (SHA-256)')),
                        ('finalized_at', models.DateTimeField(blank=True, null=True, verbose_name='final at')),
                        ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='corrected at')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='written by')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                    ],
                    options={
                        'verbose_name': 'record or agreement',
                        'verbose_name_plural': 'records and agreements',
                        'db_table': 'hearings_coordinationdocument',
                        'ordering': ['kind', '-version'],
                    },
                ),
                migrations.CreateModel(
                    name='CoordinationParticipant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('resident', 'resident'), ('household', 'household'), ('property_firm', 'property firm'), ('agency', 'agency'), ('owners_committee', "owners' committee"), ('mediator', 'mediation committee member'), ('police', 'community police officer'), ('legal_adviser', 'legal adviser'), ('other', 'other participant')], max_length=20, verbose_name='kind')),
                        ('is_party', models.BooleanField(default=True, verbose_name='party')),
                        ('label', models.CharField(blank=True, max_length=120, verbose_name='name shown')),
                        ('organisation', models.CharField(blank=True, max_length=120, verbose_name='organisation')),
                        ('phone', models.CharField(blank=True, max_length=30, verbose_name='phone (organizers only)')),
                        ('added_at', models.DateTimeField(auto_now_add=True, verbose_name='added at')),
                        ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='coordination_participations', to='members.agency', verbose_name='agency')),
                        ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.household', verbose_name='household')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='coordination_participations', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'coordination participant',
                        'verbose_name_plural': 'coordination participants',
                        'db_table': 'hearings_coordinationparticipant',
                        'ordering': ['-is_party', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CoordinationNotice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='notice given at')),
                        ('days_ahead', models.PositiveSmallIntegerField(verbose_name='days ahead of the meeting')),
                        ('given_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='given by')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                        ('participant', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notice', to='coordination.coordinationparticipant', verbose_name='participant')),
                    ],
                    options={
                        'verbose_name': 'coordination notice',
                        'verbose_name_plural': 'coordination notices',
                        'db_table': 'hearings_coordinationnotice',
                        'ordering': ['sent_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CoordinationConfirmation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('on_paper', models.BooleanField(default=False, verbose_name='signed on paper')),
                        ('confirmed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='confirmed at')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='paper signature recorded by')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='confirmations', to='coordination.coordinationdocument', verbose_name='record or agreement')),
                        ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='confirmations', to='coordination.coordinationparticipant', verbose_name='participant')),
                    ],
                    options={
                        'verbose_name': 'confirmation',
                        'verbose_name_plural': 'confirmations',
                        'db_table': 'hearings_coordinationconfirmation',
                        'ordering': ['confirmed_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CoordinationAction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='number')),
                        ('description', models.TextField(verbose_name='what is to be done')),
                        ('due_date', models.DateField(verbose_name='due date')),
                        ('status', models.CharField(choices=[('open', 'open'), ('done', 'done')], default='open', max_length=10, verbose_name='status')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('owner_agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='coordination_actions', to='members.agency', verbose_name='owner (agency)')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                        ('owner_participant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='actions', to='coordination.coordinationparticipant', verbose_name='owner (party)')),
                    ],
                    options={
                        'verbose_name': 'agreed action',
                        'verbose_name_plural': 'agreed actions',
                        'db_table': 'hearings_coordinationaction',
                        'ordering': ['number'],
                    },
                ),
                migrations.CreateModel(
                    name='CoordinationProgress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(verbose_name='progress')),
                        ('marks_done', models.BooleanField(default=False, verbose_name='marks the action done')),
                        ('attachment', models.FileField(blank=True, upload_to=coordination.models._progress_path, verbose_name='attachment')),
                        ('attachment_name', models.CharField(blank=True, max_length=200, verbose_name='file name')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='written at')),
                        ('action', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='coordination.coordinationaction', verbose_name='agreed action')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='written by')),
                    ],
                    options={
                        'verbose_name': 'progress note',
                        'verbose_name_plural': 'progress notes',
                        'db_table': 'hearings_coordinationprogress',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='CoordinationSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('notice_days', models.PositiveSmallIntegerField(default=7, verbose_name='minimum notice to parties (days)')),
                        ('committee', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='coordination_settings', to='members.committee', verbose_name="residents' committee")),
                    ],
                    options={
                        'verbose_name': 'coordination settings',
                        'verbose_name_plural': 'coordination settings',
                        'db_table': 'hearings_coordinationsettings',
                    },
                ),
                migrations.CreateModel(
                    name='CoordinationStatement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(verbose_name='statement')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                        ('participant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='statements', to='coordination.coordinationparticipant', verbose_name='who')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                    ],
                    options={
                        'verbose_name': 'statement',
                        'verbose_name_plural': 'statements',
                        'db_table': 'hearings_coordinationstatement',
                        'ordering': ['recorded_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationAction',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='number')),
                        ('description', models.TextField(verbose_name='what is to be done')),
                        ('due_date', models.DateField(verbose_name='due date')),
                        ('status', models.CharField(choices=[('open', 'open'), ('done', 'done')], default='open', max_length=10, verbose_name='status')),
                        ('done_at', models.DateTimeField(blank=True, null=True, verbose_name='done at')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                        ('owner_agency', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.agency', verbose_name='owner (agency)')),
                        ('owner_participant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationparticipant', verbose_name='owner (party)')),
                    ],
                    options={
                        'verbose_name': 'historical agreed action',
                        'verbose_name_plural': 'historical agreed actions',
                        'db_table': 'hearings_historicalcoordinationaction',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationConfirmation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('on_paper', models.BooleanField(default=False, verbose_name='signed on paper')),
                        ('confirmed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='confirmed at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('document', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationdocument', verbose_name='record or agreement')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('participant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationparticipant', verbose_name='participant')),
                        ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='paper signature recorded by')),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                    ],
                    options={
                        'verbose_name': 'historical confirmation',
                        'verbose_name_plural': 'historical confirmations',
                        'db_table': 'hearings_historicalcoordinationconfirmation',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationDocument',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('record', 'record'), ('agreement', 'agreement')], max_length=10, verbose_name='kind')),
                        ('version', models.PositiveSmallIntegerField(default=1, verbose_name='version')),
                        ('points_in_dispute', models.TextField(blank=True, verbose_name='points in dispute')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('correction_reason', models.TextField(blank=True, verbose_name='reason for the correction')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted for confirmation at')),
                        ('content', models.JSONField(blank=True, null=True, verbose_name='content as submitted')),
                        ('content_hash', models.CharField(blank=True, max_length=64, verbose_name='content hash (SHA-256)')),
                        ('finalized_at', models.DateTimeField(blank=True, null=True, verbose_name='final at')),
                        ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='corrected at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='written by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                    ],
                    options={
                        'verbose_name': 'historical record or agreement',
                        'verbose_name_plural': 'historical records and agreements',
                        'db_table': 'hearings_historicalcoordinationdocument',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationMeeting',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('request_text', models.TextField(blank=True, verbose_name='what is asked for')),
                        ('other_parties_text', models.CharField(blank=True, max_length=300, verbose_name='other parties (as the requester named them)')),
                        ('status', models.CharField(choices=[('requested', 'requested'), ('declined', 'declined'), ('scheduling', 'being prepared'), ('noticed', 'parties noticed'), ('in_session', 'in session'), ('concluding', 'record and agreement'), ('follow_up', 'follow-up'), ('escalated', 'escalated to the street'), ('closed', 'closed'), ('cancelled', 'cancelled')], default='scheduling', max_length=12, verbose_name='status')),
                        ('scheduled_at', models.DateTimeField(blank=True, null=True, verbose_name='date and time')),
                        ('place', models.CharField(blank=True, max_length=200, verbose_name='meeting place')),
                        ('agreement_reached', models.BooleanField(blank=True, null=True, verbose_name='agreement reached')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='request decided at')),
                        ('decline_reason', models.CharField(blank=True, max_length=500, verbose_name='reason for declining')),
                        ('noticed_at', models.DateTimeField(blank=True, null=True, verbose_name='notice given at')),
                        ('session_started_at', models.DateTimeField(blank=True, null=True, verbose_name='session started at')),
                        ('early_start_reason', models.CharField(blank=True, max_length=500, verbose_name='reason for starting early')),
                        ('concluded_at', models.DateTimeField(blank=True, null=True, verbose_name='session ended at')),
                        ('early_conclusion_reason', models.CharField(blank=True, max_length=500, verbose_name='reason for concluding before the noticed day')),
                        ('follow_up_at', models.DateTimeField(blank=True, null=True, verbose_name='follow-up started at')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='escalated at')),
                        ('escalation_reason', models.TextField(blank=True, verbose_name='why it is escalated')),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                        ('close_note', models.TextField(blank=True, verbose_name='closing note')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled at')),
                        ('cancel_reason', models.CharField(blank=True, max_length=500, verbose_name='reason for cancelling')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('committee', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.committee', verbose_name="residents' committee")),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('decided_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='request decided by')),
                        ('escalated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='escalated by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requested_agency', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.agency', verbose_name='requested with')),
                        ('requested_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'historical coordination meeting',
                        'verbose_name_plural': 'historical coordination meetings',
                        'db_table': 'hearings_historicalcoordinationmeeting',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationNotice',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='notice given at')),
                        ('days_ahead', models.PositiveSmallIntegerField(verbose_name='days ahead of the meeting')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('given_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='given by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                        ('participant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationparticipant', verbose_name='participant')),
                    ],
                    options={
                        'verbose_name': 'historical coordination notice',
                        'verbose_name_plural': 'historical coordination notices',
                        'db_table': 'hearings_historicalcoordinationnotice',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationParticipant',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('resident', 'resident'), ('household', 'household'), ('property_firm', 'property firm'), ('agency', 'agency'), ('owners_committee', "owners' committee"), ('mediator', 'mediation committee member'), ('police', 'community police officer'), ('legal_adviser', 'legal adviser'), ('other', 'other participant')], max_length=20, verbose_name='kind')),
                        ('is_party', models.BooleanField(default=True, verbose_name='party')),
                        ('label', models.CharField(blank=True, max_length=120, verbose_name='name shown')),
                        ('organisation', models.CharField(blank=True, max_length=120, verbose_name='organisation')),
                        ('phone', models.CharField(blank=True, max_length=30, verbose_name='phone (organizers only)')),
                        ('added_at', models.DateTimeField(blank=True, editable=False, verbose_name='added at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('agency', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.agency', verbose_name='agency')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('household', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.household', verbose_name='household')),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'historical coordination participant',
                        'verbose_name_plural': 'historical coordination participants',
                        'db_table': 'hearings_historicalcoordinationparticipant',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationProgress',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('text', models.TextField(verbose_name='progress')),
                        ('marks_done', models.BooleanField(default=False, verbose_name='marks the action done')),
                        ('attachment', models.TextField(blank=True, max_length=100, verbose_name='attachment')),
                        ('attachment_name', models.CharField(blank=True, max_length=200, verbose_name='file name')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='written at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('action', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationaction', verbose_name='agreed action')),
                        ('author', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='written by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical progress note',
                        'verbose_name_plural': 'historical progress notes',
                        'db_table': 'hearings_historicalcoordinationprogress',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationSettings',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('notice_days', models.PositiveSmallIntegerField(default=7, verbose_name='minimum notice to parties (days)')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('committee', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.committee', verbose_name="residents' committee")),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical coordination settings',
                        'verbose_name_plural': 'historical coordination settings',
                        'db_table': 'hearings_historicalcoordinationsettings',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalCoordinationStatement',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('text', models.TextField(verbose_name='statement')),
                        ('recorded_at', models.DateTimeField(blank=True, editable=False, verbose_name='recorded at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationmeeting', verbose_name='coordination meeting')),
                        ('participant', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='coordination.coordinationparticipant', verbose_name='who')),
                        ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                    ],
                    options={
                        'verbose_name': 'historical statement',
                        'verbose_name_plural': 'historical statements',
                        'db_table': 'hearings_historicalcoordinationstatement',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddIndex(
                    model_name='coordinationmeeting',
                    index=models.Index(fields=['committee', 'status'], name='coordination_committee_status'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationmeeting',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'declined'), _negated=True), models.Q(('decline_reason', ''), _negated=True), _connector='OR'), name='coordination_decline_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationmeeting',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'cancelled'), _negated=True), models.Q(('cancel_reason', ''), _negated=True), _connector='OR'), name='coordination_cancel_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationmeeting',
                    constraint=models.CheckConstraint(condition=models.Q(('escalated_at__isnull', True), models.Q(('escalation_reason', ''), _negated=True), _connector='OR'), name='coordination_escalation_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationmeeting',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['noticed', 'in_session', 'concluding', 'follow_up']), _negated=True), models.Q(('noticed_at__isnull', False), ('scheduled_at__isnull', False)), _connector='OR'), name='coordination_held_after_notice'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationdocument',
                    constraint=models.UniqueConstraint(fields=('meeting', 'kind', 'version'), name='coordination_document_version'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationdocument',
                    constraint=models.UniqueConstraint(condition=models.Q(('superseded_at__isnull', True)), fields=('meeting', 'kind'), name='coordination_document_one_current'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationdocument',
                    constraint=models.CheckConstraint(condition=models.Q(('version', 1), models.Q(('correction_reason', ''), _negated=True), _connector='OR'), name='coordination_correction_has_reason'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationdocument',
                    constraint=models.CheckConstraint(condition=models.Q(('finalized_at__isnull', True), ('submitted_at__isnull', False), _connector='OR'), name='coordination_final_after_submitted'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationdocument',
                    constraint=models.CheckConstraint(condition=models.Q(('submitted_at__isnull', True), models.Q(('content_hash', ''), _negated=True), _connector='OR'), name='coordination_submitted_has_hash'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationparticipant',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('agency__isnull', False), ('household__isnull', True), ('kind__in', ['property_firm', 'agency'])), models.Q(('agency__isnull', True), ('household__isnull', False), ('kind', 'household')), models.Q(('agency__isnull', True), ('household__isnull', True), ('kind__in', ['resident', 'owners_committee', 'mediator', 'police', 'legal_adviser', 'other']), models.Q(('user__isnull', False), models.Q(('label', ''), _negated=True), _connector='OR')), _connector='OR'), name='coordination_participant_kind_matches'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationparticipant',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('is_party', True), ('kind__in', ['resident', 'household', 'property_firm', 'agency', 'owners_committee'])), models.Q(('is_party', False), ('kind__in', ['mediator', 'police', 'legal_adviser', 'other'])), _connector='OR'), name='coordination_participant_party_kind'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationparticipant',
                    constraint=models.UniqueConstraint(condition=models.Q(('agency__isnull', True), ('user__isnull', False)), fields=('meeting', 'user'), name='coordination_participant_once_person'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationparticipant',
                    constraint=models.UniqueConstraint(condition=models.Q(('household__isnull', False)), fields=('meeting', 'household'), name='coordination_participant_once_household'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationparticipant',
                    constraint=models.UniqueConstraint(condition=models.Q(('agency__isnull', False)), fields=('meeting', 'agency'), name='coordination_participant_once_agency'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationconfirmation',
                    constraint=models.UniqueConstraint(fields=('document', 'participant'), name='coordination_confirm_once'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationconfirmation',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('on_paper', True), ('recorded_by__isnull', False)), models.Q(('on_paper', False), ('user__isnull', False)), _connector='OR'), name='coordination_confirmation_signed'),
                ),
                migrations.AddIndex(
                    model_name='coordinationaction',
                    index=models.Index(fields=['status', 'due_date'], name='coordination_action_due'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationaction',
                    constraint=models.UniqueConstraint(fields=('meeting', 'number'), name='coordination_action_number'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationaction',
                    constraint=models.CheckConstraint(condition=models.Q(('owner_participant__isnull', True), ('owner_agency__isnull', True), _connector='XOR'), name='coordination_action_one_owner'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationaction',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('done_at__isnull', True), ('status', 'open')), models.Q(('done_at__isnull', False), ('status', 'done')), _connector='OR'), name='coordination_action_done_at'),
                ),
                migrations.AddConstraint(
                    model_name='coordinationsettings',
                    constraint=models.CheckConstraint(condition=models.Q(('notice_days__gte', 1), ('notice_days__lte', 60)), name='coordination_notice_days_range'),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
