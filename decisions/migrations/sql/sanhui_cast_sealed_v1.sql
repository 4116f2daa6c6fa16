-- One sealed online cast in one statement (PostgreSQL): the steps of decisions.cast_sql's
-- _write_statements, in the same order. Called by decisions.cast_sql.write (its FUNCTION names this
-- version); installed by decisions/migrations/0002_cast_function_v1.py. Frozen: a change is a new
-- file under a new name (..._v2) and a new migration.
--
-- Returns the register row's id; NULL if the ballot was not open when the cast began. Raises SH001
-- if it was closed while the cast was written (nothing is written either way).
CREATE OR REPLACE FUNCTION sanhui_cast_sealed_v1(
    p_ballot integer, p_voice integer, p_version integer, p_user integer, p_channel varchar,
    p_entered_by integer, p_consent_note varchar, p_cast_at timestamptz, p_receipt varchar,
    p_paper bytea, p_chain varchar, p_payload text
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
                                            consent_note, batch_id, cast_at, receipt, paper)
         VALUES (p_ballot, p_voice, p_version, p_user, p_channel, p_entered_by, p_consent_note, NULL,
                 p_cast_at, p_receipt, p_paper)
      RETURNING id INTO v_participation;
    -- Last: the ballot row's lock, then the register chain (each statement sees what committed).
    SELECT status INTO v_status FROM deliberation_ballot WHERE id = p_ballot FOR NO KEY UPDATE;
    IF v_status IS DISTINCT FROM 'open' THEN
        RAISE EXCEPTION 'sanhui: ballot % is not open', p_ballot USING ERRCODE = 'SH001';
    END IF;
    SELECT seq, hash INTO v_seq, v_prev FROM deliberation_ledgerentry
     WHERE chain = p_chain ORDER BY seq DESC LIMIT 1;
    v_seq := COALESCE(v_seq, 0) + 1;
    v_prev := COALESCE(v_prev, repeat('0', 64));
    -- The ledger's hash rule, whose one home is decisions.ledger.link_hash: SHA-256 of the previous
    -- hash and the canonical payload, UTF-8, in hex. Written again here because the entry is
    -- written here; tests/decisions/test_cast_sql.py proves both give the same hash.
    INSERT INTO deliberation_ledgerentry (chain, seq, prev_hash, payload, hash)
         VALUES (p_chain, v_seq, v_prev, p_payload,
                 encode(sha256(convert_to(v_prev || p_payload, 'UTF8')), 'hex'));
    RETURN v_participation;
END
$$;
