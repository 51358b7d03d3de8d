-- 001_initial.sql - the case archive, version 1.
--
-- A case groups the bundles of one incident.  A bundle is identified by the
-- SHA-256 of its file (import is idempotent); each of its members is a
-- source; a source yields samples (one point in time each) holding tag rows,
-- counters, modules, allocations and stacks.  Tag descriptions and warnings
-- hang off the source they came from.  suspects is derived: it is recomputed
-- for a case after every import into it, so `history` is a plain query.
--
-- Times are FILETIME (100 ns since 1601-01-01 UTC, 0 = unknown) except the
-- *_at columns, which are ISO 8601 text written by the archive itself.
-- Pools: 0 nonpaged, 1 paged, 2 session-nonpaged, 3 session-paged
-- (pt_pool in collector/core/pt_evidence.h).  Unsigned 64-bit values from
-- the evidence are stored as SQLite integers (two's complement), read back
-- with sqlite3_column_int64 and cast.

CREATE TABLE schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE bundles (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    sha256 TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    collector_version TEXT,
    host TEXT,
    created INTEGER NOT NULL DEFAULT 0,
    case_hint TEXT,
    partial INTEGER NOT NULL DEFAULT 0,
    imported_at TEXT NOT NULL
);
CREATE INDEX bundles_case ON bundles(case_id);

CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id),
    member TEXT NOT NULL,
    kind TEXT NOT NULL,
    variant TEXT,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    sample_time INTEGER NOT NULL DEFAULT 0,
    time_origin TEXT,
    partial INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sources_bundle ON sources(bundle_id);

CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    source_id INTEGER NOT NULL REFERENCES sources(id),
    seq INTEGER NOT NULL,           -- order within the source
    kind INTEGER NOT NULL,          -- pt_source_kind
    source_name TEXT,               -- as the reader names it
    variant TEXT,
    time INTEGER NOT NULL DEFAULT 0,
    time_origin TEXT,
    host TEXT,
    row_first INTEGER NOT NULL DEFAULT 0, -- rowid of its first tag_rows row
    row_count INTEGER NOT NULL DEFAULT 0  -- its tag rows: rowids row_first.. +row_count-1
);
CREATE INDEX samples_case_time ON samples(case_id, time, id);

-- A tag as a raw 32-bit value with the text one source showed for it
-- ('MPP.' and ' MPP' are the same value shown two ways).
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    value INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (value, text)
);

-- A sample's rows are inserted together in one transaction, so their rowids
-- are consecutive: samples.row_first/row_count find them by rowid range and
-- no index has to be kept up while millions of rows load.
CREATE TABLE tag_rows (
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    pool INTEGER NOT NULL,
    has INTEGER NOT NULL,           -- PT_HAS_* flags: which columns the source gave
    allocs INTEGER NOT NULL,
    frees INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    description TEXT,
    binary TEXT
);

CREATE TABLE counters (
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (sample_id, seq)
) WITHOUT ROWID;

CREATE TABLE tag_descriptions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    source_id INTEGER NOT NULL REFERENCES sources(id),
    tag INTEGER NOT NULL,
    pattern TEXT NOT NULL,
    binary TEXT,
    description TEXT,
    origin TEXT,
    line INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tag_descriptions_case ON tag_descriptions(case_id, tag);

CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    source_id INTEGER REFERENCES sources(id),
    source_name TEXT,
    offset INTEGER,                 -- NULL when the warning has no offset
    message TEXT NOT NULL
);
CREATE INDEX warnings_case ON warnings(case_id);

CREATE TABLE modules (
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    name TEXT NOT NULL,
    base INTEGER NOT NULL,
    size INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    checksum INTEGER NOT NULL
);
CREATE INDEX modules_sample ON modules(sample_id);

CREATE TABLE stacks (
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    stack_id INTEGER NOT NULL,      -- the reader's id, unique within the sample
    depth INTEGER NOT NULL,
    frames BLOB NOT NULL,           -- depth little-endian 64-bit addresses
    PRIMARY KEY (sample_id, stack_id)
);

CREATE TABLE allocations (
    sample_id INTEGER NOT NULL REFERENCES samples(id),
    address INTEGER NOT NULL,
    tag INTEGER NOT NULL,
    pool INTEGER NOT NULL,
    size INTEGER NOT NULL,
    freed INTEGER NOT NULL,
    stack_id INTEGER NOT NULL DEFAULT 0, -- 0 = none, else stacks(sample_id, stack_id)
    time INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX allocations_sample_tag ON allocations(sample_id, tag);

-- Derived: the ranked suspects of a case (recomputed after each import).
CREATE TABLE suspects (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    rank INTEGER NOT NULL,
    tag INTEGER NOT NULL,
    tag_text TEXT NOT NULL,
    pool INTEGER NOT NULL,
    verdict TEXT NOT NULL,          -- leaking, growing, large, stable
    bytes INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    growth_bytes_per_hour REAL NOT NULL,
    persistence REAL NOT NULL,
    share REAL NOT NULL,
    samples INTEGER NOT NULL,
    score REAL NOT NULL,
    driver TEXT,                    -- the binary the evidence names for the tag, if any
    reason TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (case_id, rank)
);
CREATE INDEX suspects_tag ON suspects(tag);
CREATE INDEX suspects_driver ON suspects(driver COLLATE NOCASE);
