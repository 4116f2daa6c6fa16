"""PostgreSQL: one secret online cast written by one statement, ``sanhui_cast_secret``.

The function does, in one transaction and in the same order, what ``casting._write_cast`` does
in Python on SQLite: hold the ballot open (a key-share lock), write the register row, the
anonymous paper and its choices, lock the ballot row, read the chain head, append the register
entry. See ``deliberation/cast_sql.py``.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION sanhui_cast_secret(
    p_ballot integer, p_voice integer, p_version integer, p_user integer, p_channel varchar,
    p_entered_by integer, p_consent_note varchar, p_cast_at timestamptz, p_receipt varchar,
    p_content uuid, p_voice_tag varchar, p_cast_on date, p_floor_area numeric,
    p_questions integer[], p_options integer[], p_chain varchar, p_payload text
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_status varchar;
    v_participation integer;
    v_seq integer;
    v_prev varchar;
BEGIN
    -- Keep the ballot open until this commits; a close (FOR UPDATE) waits for it. NULL: not open.
    SELECT status INTO v_status FROM deliberation_ballot WHERE id = p_ballot FOR KEY SHARE;
    IF v_status IS DISTINCT FROM 'open' THEN
        RETURN NULL;
    END IF;
    INSERT INTO deliberation_participation (ballot_id, voice_id, version, user_id, channel, entered_by_id,
                                            consent_note, batch_id, cast_at, receipt)
         VALUES (p_ballot, p_voice, p_version, p_user, p_channel, p_entered_by, p_consent_note, NULL,
                 p_cast_at, p_receipt)
      RETURNING id INTO v_participation;
    INSERT INTO deliberation_secretcontent (id, ballot_id, version, voice_tag, cast_on, floor_area)
         VALUES (p_content, p_ballot, p_version, p_voice_tag, p_cast_on, p_floor_area);
    INSERT INTO deliberation_secretchoice (content_id, question_id, option_id)
         SELECT p_content, q, o FROM unnest(p_questions, p_options) AS chosen(q, o);
    -- Last: the ballot row's lock, then the register chain (each statement sees what committed).
    SELECT status INTO v_status FROM deliberation_ballot WHERE id = p_ballot FOR NO KEY UPDATE;
    IF v_status IS DISTINCT FROM 'open' THEN
        RAISE EXCEPTION 'sanhui: ballot % is not open', p_ballot USING ERRCODE = 'SH001';
    END IF;
    SELECT seq, hash INTO v_seq, v_prev FROM deliberation_ledgerentry
     WHERE chain = p_chain ORDER BY seq DESC LIMIT 1;
    v_seq := COALESCE(v_seq, 0) + 1;
    v_prev := COALESCE(v_prev, repeat('0', 64));
    INSERT INTO deliberation_ledgerentry (chain, seq, prev_hash, payload, hash)
         VALUES (p_chain, v_seq, v_prev, p_payload,
                 encode(sha256(convert_to(v_prev || p_payload, 'UTF8')), 'hex'));
    RETURN v_participation;
END
$$
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FUNCTION)  # no parameters: its "%" are PL/pgSQL's


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS sanhui_cast_secret")


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0004_party_floor")]
    operations = [migrations.RunPython(install, remove)]
