-- 002_drivers.sql - driver files and their pool-tag evidence (issue 3).
--
-- One drivers row per driver record a source yielded (a driver-metadata
-- member, or a PE file given as evidence); its version strings (every
-- language), imports and tag evidence hang off it.  Tags are the raw ULONG
-- (pt_tag).  evidence: 1 callsite, 2 tagfile, 3 literal (pt_driver_evidence
-- in collector/pe/pe_driver.h), strongest first.

CREATE TABLE drivers (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    source_id INTEGER NOT NULL REFERENCES sources(id),
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    mtime INTEGER NOT NULL DEFAULT 0,
    error TEXT,                      -- why the file is not (wholly) readable
    machine INTEGER NOT NULL DEFAULT 0,
    timestamp INTEGER NOT NULL DEFAULT 0,
    timestamp_is_hash INTEGER NOT NULL DEFAULT 0,
    checksum INTEGER NOT NULL DEFAULT 0,
    checksum_computed INTEGER NOT NULL DEFAULT 0,
    checksum_ok INTEGER NOT NULL DEFAULT 0,
    size_of_image INTEGER NOT NULL DEFAULT 0,
    subsystem INTEGER NOT NULL DEFAULT 0,
    pdb_name TEXT,
    pdb_guid TEXT,
    pdb_age INTEGER NOT NULL DEFAULT 0,
    file_version TEXT,               -- fixed a.b.c.d
    product_version TEXT,
    file_type INTEGER NOT NULL DEFAULT 0,
    file_subtype INTEGER NOT NULL DEFAULT 0,
    company_name TEXT,               -- from the main string table
    file_description TEXT,
    file_version_text TEXT,
    product_name TEXT,
    product_version_text TEXT,
    original_filename TEXT,
    legal_copyright TEXT,
    signature TEXT NOT NULL DEFAULT 'none', -- embedded, none, unreadable
    signer_subject TEXT,
    signer_issuer TEXT,
    signature_count INTEGER NOT NULL DEFAULT 0,
    microsoft INTEGER NOT NULL DEFAULT 0,   -- 1 Microsoft's, 0 third-party
    analysis_note TEXT
);
CREATE INDEX drivers_case ON drivers(case_id, name COLLATE NOCASE);
CREATE INDEX drivers_name ON drivers(name COLLATE NOCASE);

CREATE TABLE driver_strings (
    driver_id INTEGER NOT NULL REFERENCES drivers(id),
    lang INTEGER NOT NULL,
    codepage INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL
);
CREATE INDEX driver_strings_driver ON driver_strings(driver_id);

CREATE TABLE driver_imports (
    driver_id INTEGER NOT NULL REFERENCES drivers(id),
    dll TEXT NOT NULL,
    name TEXT,
    ordinal INTEGER NOT NULL DEFAULT 0,
    delayed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX driver_imports_driver ON driver_imports(driver_id);

CREATE TABLE driver_tags (
    driver_id INTEGER NOT NULL REFERENCES drivers(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    tag INTEGER NOT NULL,
    evidence INTEGER NOT NULL,
    api TEXT,
    how TEXT,
    function_rva INTEGER NOT NULL DEFAULT 0,
    call_rva INTEGER NOT NULL DEFAULT 0,
    count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX driver_tags_case_tag ON driver_tags(case_id, tag, evidence);
CREATE INDEX driver_tags_tag ON driver_tags(tag, evidence);
CREATE INDEX driver_tags_driver ON driver_tags(driver_id);
