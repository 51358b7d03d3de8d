-- 003_tag_match_file_sha256.sql - the match key of a tag (tags.match_value)
-- and the plain SHA-256 of an evidence file (sources.file_sha256).
--
-- One tag reaches us in two raw forms: the debugger's !poolused prints an
-- unprintable tag byte as '.', and the text reader stores 'MPP.' as the C
-- string "MPP" ('M','P','P',0x00), while poolmon prints the same tag as
-- "MPP " ('M','P','P',0x20).  tags.value and tags.text stay as the source
-- gave them; match_value is the value with its trailing 0x00 bytes written
-- as 0x20 (the last byte is the high byte: trailing bytes are taken from
-- the high end while they are 0x00 or 0x20).  The analysis groups tag rows
-- by (match_value, pool): one suspect and one series per tag.
-- pt_tag_match_key (analyzer/archive/archive_tags.h) computes the same for
-- new tags when they are interned.

ALTER TABLE tags ADD COLUMN match_value INTEGER;

UPDATE tags SET match_value = value
    | (CASE WHEN ((value >> 24) & 255) = 0 THEN 0x20000000 ELSE 0 END)
    | (CASE WHEN ((value >> 24) & 255) IN (0, 32) AND ((value >> 16) & 255) = 0
            THEN 0x200000 ELSE 0 END)
    | (CASE WHEN ((value >> 24) & 255) IN (0, 32) AND ((value >> 16) & 255) IN (0, 32)
             AND ((value >> 8) & 255) = 0 THEN 0x2000 ELSE 0 END)
    | (CASE WHEN ((value >> 24) & 255) IN (0, 32) AND ((value >> 16) & 255) IN (0, 32)
             AND ((value >> 8) & 255) IN (0, 32) AND (value & 255) = 0 THEN 0x20 ELSE 0 END);

-- The member hash in sources.sha256 is the manifest's, a hash over the
-- member's chunk index (schema/bundle-format.md): no tool an engineer has
-- computes it.  The collector records the file's own SHA-256, as sha256sum
-- and certutil print it, as the member attribute file_sha256; it is kept
-- here (lowercase hex; NULL when the bundle does not give it) and the
-- report shows it.
ALTER TABLE sources ADD COLUMN file_sha256 TEXT;
