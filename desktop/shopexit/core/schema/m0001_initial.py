"""The data model for the whole exit: shop, orders, money, messages, cases, evidence, steps, audit, search.

Conventions: money is INTEGER minor units beside a TEXT ISO currency; times are UTC ISO text (`*_at`) and the
original text the export carried is kept (`*_text`, or the whole row in `raw_json`). Each table that an
importer fills has a `natural_key` so re-importing or overlapping exports never count a record twice.
"""

SQL = r"""
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE shop (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    creator     TEXT NOT NULL,
    shop_name   TEXT NOT NULL,
    region      TEXT NOT NULL DEFAULT 'US',
    currency    TEXT NOT NULL DEFAULT 'USD',
    created_at  TEXT NOT NULL
);

-- Evidence: original bytes, kept whole. Imported source files are attachments too (provenance).
CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
    sha256         TEXT NOT NULL UNIQUE,
    size           INTEGER NOT NULL,
    media_type     TEXT NOT NULL,
    original_name  TEXT NOT NULL,
    captured_at    TEXT,
    captured_text  TEXT,
    added_at       TEXT NOT NULL,
    caption        TEXT NOT NULL DEFAULT '',
    width          INTEGER,
    height         INTEGER,
    previewable    INTEGER NOT NULL DEFAULT 0,
    origin         TEXT NOT NULL DEFAULT 'file'
                   CHECK (origin IN ('file', 'paste', 'screen', 'import', 'drop')),
    data           BLOB NOT NULL
);

CREATE TABLE attachment_thumbs (
    attachment_id INTEGER PRIMARY KEY REFERENCES attachments(id) ON DELETE CASCADE,
    png           BLOB NOT NULL
);

-- Links from evidence to any record or step. target_kind names a table's record kind; target_id its row id
-- (for 'step', the step number).
CREATE TABLE attachment_links (
    attachment_id INTEGER NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
    target_kind   TEXT NOT NULL CHECK (target_kind IN
                  ('order', 'settlement', 'on_hold', 'withdrawal', 'commission', 'thread', 'message',
                   'case', 'step', 'import', 'link_place', 'adviser', 'platform', 'note')),
    target_id     INTEGER NOT NULL,
    linked_at     TEXT NOT NULL,
    PRIMARY KEY (attachment_id, target_kind, target_id)
) WITHOUT ROWID;
CREATE INDEX attachment_links_target ON attachment_links(target_kind, target_id);

-- One row per imported file: what kind it was and what it did. The file itself is an attachment.
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY,
    attachment_id  INTEGER NOT NULL REFERENCES attachments(id),
    kind           TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    rows_read      INTEGER NOT NULL DEFAULT 0,
    records_new    INTEGER NOT NULL DEFAULT 0,
    records_updated INTEGER NOT NULL DEFAULT 0,
    records_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_refused   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    order_id         TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL,
    substatus        TEXT NOT NULL DEFAULT '',
    currency         TEXT NOT NULL,
    order_amount     INTEGER NOT NULL DEFAULT 0,
    taxes            INTEGER NOT NULL DEFAULT 0,
    shipping_fee     INTEGER NOT NULL DEFAULT 0,
    refund_amount    INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT,
    created_text     TEXT,
    paid_at          TEXT,
    shipped_at       TEXT,
    delivered_at     TEXT,
    cancelled_at     TEXT,
    buyer_username   TEXT NOT NULL DEFAULT '',
    recipient        TEXT NOT NULL DEFAULT '',
    phone            TEXT NOT NULL DEFAULT '',
    address          TEXT NOT NULL DEFAULT '',
    country          TEXT NOT NULL DEFAULT '',
    tracking_id      TEXT NOT NULL DEFAULT '',
    shipping_provider TEXT NOT NULL DEFAULT '',
    buyer_message    TEXT NOT NULL DEFAULT '',
    cancel_reason    TEXT NOT NULL DEFAULT '',
    buyer_purged     INTEGER NOT NULL DEFAULT 0,
    raw_json         TEXT NOT NULL DEFAULT '{}',
    import_id        INTEGER REFERENCES imports(id),
    updated_at       TEXT NOT NULL
);
CREATE INDEX orders_status ON orders(status);
CREATE INDEX orders_created ON orders(created_at);

CREATE TABLE order_lines (
    id            INTEGER PRIMARY KEY,
    order_ref     INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    line_key      TEXT NOT NULL,
    sku_id        TEXT NOT NULL DEFAULT '',
    seller_sku    TEXT NOT NULL DEFAULT '',
    product_name  TEXT NOT NULL DEFAULT '',
    variation     TEXT NOT NULL DEFAULT '',
    quantity      INTEGER NOT NULL DEFAULT 0,
    returned_quantity INTEGER NOT NULL DEFAULT 0,
    unit_price    INTEGER NOT NULL DEFAULT 0,
    subtotal      INTEGER NOT NULL DEFAULT 0,
    raw_json      TEXT NOT NULL DEFAULT '{}',
    UNIQUE (order_ref, line_key)
);

-- Finance > Income: one row per order or adjustment.
CREATE TABLE settlements (
    id               INTEGER PRIMARY KEY,
    natural_key      TEXT NOT NULL UNIQUE,
    reference_id     TEXT NOT NULL,
    order_id         TEXT NOT NULL DEFAULT '',
    type             TEXT NOT NULL DEFAULT '',
    currency         TEXT NOT NULL,
    settlement_amount INTEGER NOT NULL,
    revenue          INTEGER NOT NULL DEFAULT 0,
    fees             INTEGER NOT NULL DEFAULT 0,
    affiliate_commission INTEGER NOT NULL DEFAULT 0,
    settled_at       TEXT,
    settled_text     TEXT,
    order_created_at TEXT,
    raw_json         TEXT NOT NULL DEFAULT '{}',
    import_id        INTEGER REFERENCES imports(id)
);
CREATE INDEX settlements_order ON settlements(order_id);

-- Money not yet settled. Each import is a snapshot; rows are keyed by order so a newer export replaces them.
CREATE TABLE on_hold (
    id               INTEGER PRIMARY KEY,
    natural_key      TEXT NOT NULL UNIQUE,
    order_id         TEXT NOT NULL DEFAULT '',
    currency         TEXT NOT NULL,
    amount           INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT '',
    expected_at      TEXT,
    expected_text    TEXT,
    raw_json         TEXT NOT NULL DEFAULT '{}',
    import_id        INTEGER REFERENCES imports(id)
);

CREATE TABLE withdrawals (
    id            INTEGER PRIMARY KEY,
    withdrawal_id TEXT NOT NULL UNIQUE,
    type          TEXT NOT NULL DEFAULT 'WITHDRAW',
    status        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    created_at    TEXT,
    created_text  TEXT,
    entered_by_hand INTEGER NOT NULL DEFAULT 0,
    note          TEXT NOT NULL DEFAULT '',
    raw_json      TEXT NOT NULL DEFAULT '{}',
    import_id     INTEGER REFERENCES imports(id)
);

CREATE TABLE commissions (
    id                INTEGER PRIMARY KEY,
    natural_key       TEXT NOT NULL UNIQUE,
    layout            TEXT NOT NULL CHECK (layout IN ('creator', 'seller')),
    order_id          TEXT NOT NULL,
    sku_id            TEXT NOT NULL DEFAULT '',
    product_name      TEXT NOT NULL DEFAULT '',
    counterpart       TEXT NOT NULL DEFAULT '',
    currency          TEXT NOT NULL,
    settlement_status TEXT NOT NULL DEFAULT '',
    estimated         INTEGER NOT NULL DEFAULT 0,
    earned            INTEGER NOT NULL DEFAULT 0,
    order_at          TEXT,
    order_text        TEXT,
    settled_at        TEXT,
    settled_text      TEXT,
    raw_json          TEXT NOT NULL DEFAULT '{}',
    import_id         INTEGER REFERENCES imports(id)
);

CREATE TABLE threads (
    id          INTEGER PRIMARY KEY,
    thread_key  TEXT NOT NULL UNIQUE,
    channel     TEXT NOT NULL CHECK (channel IN ('direct', 'shop', 'email', 'phone', 'other')),
    counterpart TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    thread_id    INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    natural_key  TEXT NOT NULL UNIQUE,
    direction    TEXT NOT NULL CHECK (direction IN ('in', 'out', 'unknown')),
    sender       TEXT NOT NULL DEFAULT '',
    sent_at      TEXT,
    sent_text    TEXT,
    body         TEXT NOT NULL DEFAULT '',
    entered_by_hand INTEGER NOT NULL DEFAULT 0,
    import_id    INTEGER REFERENCES imports(id)
);
CREATE INDEX messages_thread ON messages(thread_id, sent_at);

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('dispute', 'return', 'not_received', 'appeal', 'chargeback')),
    title       TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'submitted', 'won', 'lost', 'closed')),
    opened_at   TEXT NOT NULL,
    deadline    TEXT,
    closed_at   TEXT,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE case_links (
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('order', 'thread', 'message', 'withdrawal', 'settlement')),
    target_id   INTEGER NOT NULL,
    PRIMARY KEY (case_id, target_kind, target_id)
) WITHOUT ROWID;

CREATE TABLE case_checklist (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    text      TEXT NOT NULL,
    done      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE case_events (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    text     TEXT NOT NULL
);

-- Free notes on any record (a phone call, a promise made, what support said).
CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX notes_target ON notes(target_kind, target_id);

-- The ten steps. `data_json` holds each step's own small facts (e.g. the date the closure notice went up).
CREATE TABLE steps (
    number      INTEGER PRIMARY KEY CHECK (number BETWEEN 1 AND 10),
    status      TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done')),
    started_at  TEXT,
    done_at     TEXT,
    notes       TEXT NOT NULL DEFAULT '',
    data_json   TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO steps(number) VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10);

CREATE TABLE step_checklist (
    id        INTEGER PRIMARY KEY,
    step      INTEGER NOT NULL REFERENCES steps(number),
    position  INTEGER NOT NULL,
    item_key  TEXT,
    text      TEXT NOT NULL,
    done      INTEGER NOT NULL DEFAULT 0,
    done_at   TEXT,
    custom    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (step, item_key)
);

-- Step 5: where the goodbye was posted.
CREATE TABLE announcements (
    id        INTEGER PRIMARY KEY,
    place     TEXT NOT NULL,
    posted_at TEXT,
    url       TEXT NOT NULL DEFAULT '',
    note      TEXT NOT NULL DEFAULT ''
);

-- Step 6: places the shop link lived.
CREATE TABLE link_places (
    id              INTEGER PRIMARY KEY,
    place           TEXT NOT NULL,
    old_url         TEXT NOT NULL DEFAULT '',
    new_destination TEXT NOT NULL DEFAULT '',
    done            INTEGER NOT NULL DEFAULT 0,
    done_at         TEXT
);

-- Step 8: platforms considered, scored on the creator's own criteria.
CREATE TABLE platforms (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    scores_json TEXT NOT NULL DEFAULT '{}',
    notes       TEXT NOT NULL DEFAULT '',
    chosen      INTEGER NOT NULL DEFAULT 0
);

-- Step 9: advice taken.
CREATE TABLE advisers (
    id           INTEGER PRIMARY KEY,
    who          TEXT NOT NULL,
    consulted_on TEXT,
    advice       TEXT NOT NULL DEFAULT '',
    cost         INTEGER NOT NULL DEFAULT 0,
    currency     TEXT NOT NULL DEFAULT 'USD'
);

-- Signing material for archives (PEM; the private keys never leave the vault unencrypted).
CREATE TABLE signing_keys (
    role       TEXT PRIMARY KEY CHECK (role IN ('root', 'signer')),
    cert_pem   TEXT NOT NULL,
    key_pem    TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE exports (
    id          INTEGER PRIMARY KEY,
    made_at     TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    scope       TEXT NOT NULL DEFAULT 'all',
    verified_at TEXT,
    verdict     TEXT
);

-- Append-only, hash-chained log of every change. Triggers refuse edits; the chain reveals any that slip past.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- Full-text search over what a creator looks for. Kept current by triggers below.
CREATE VIRTUAL TABLE search_index USING fts5(
    kind UNINDEXED, ref UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER orders_fts_ai AFTER INSERT ON orders BEGIN
  INSERT INTO search_index(kind, ref, title, body) VALUES ('order', new.id, new.order_id,
    new.status || ' ' || new.buyer_username || ' ' || new.recipient || ' ' || new.tracking_id || ' ' ||
    new.buyer_message || ' ' || new.cancel_reason);
END;
CREATE TRIGGER orders_fts_au AFTER UPDATE ON orders BEGIN
  DELETE FROM search_index WHERE kind = 'order' AND ref = old.id;
  INSERT INTO search_index(kind, ref, title, body) VALUES ('order', new.id, new.order_id,
    new.status || ' ' || new.buyer_username || ' ' || new.recipient || ' ' || new.tracking_id || ' ' ||
    new.buyer_message || ' ' || new.cancel_reason);
END;
CREATE TRIGGER orders_fts_ad AFTER DELETE ON orders BEGIN
  DELETE FROM search_index WHERE kind = 'order' AND ref = old.id;
END;

CREATE TRIGGER order_lines_fts_ai AFTER INSERT ON order_lines BEGIN
  INSERT INTO search_index(kind, ref, title, body) VALUES ('order_line', new.order_ref, new.product_name,
    new.variation || ' ' || new.seller_sku || ' ' || new.sku_id);
END;
CREATE TRIGGER order_lines_fts_ad AFTER DELETE ON order_lines BEGIN
  DELETE FROM search_index WHERE kind = 'order_line' AND ref = old.order_ref;
END;

CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
  INSERT INTO search_index(kind, ref, title, body) VALUES ('message', new.id, new.sender, new.body);
END;
CREATE TRIGGER messages_fts_au AFTER UPDATE OF body, sender ON messages BEGIN
  DELETE FROM search_index WHERE kind = 'message' AND ref = old.id;
  INSERT INTO search_index(kind, ref, title, body) VALUES ('message', new.id, new.sender, new.body);
END;
CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
  DELETE FROM search_index WHERE kind = 'message' AND ref = old.id;
END;

CREATE TRIGGER threads_fts_ai AFTER INSERT ON threads BEGIN
  INSERT INTO search_index(kind, ref, title, body) VALUES ('thread', new.id, new.counterpart, new.subject);
END;
CREATE TRIGGER threads_fts_ad AFTER DELETE ON threads BEGIN
  DELETE FROM search_index WHERE kind = 'thread' AND ref = old.id;
END;

CREATE TRIGGER notes_fts_ai AFTER INSERT ON notes BEGIN
  INSERT INTO search_index(kind, ref, title, body) VALUES ('note', new.id, new.target_kind, new.body);
END;
CREATE TRIGGER notes_fts_au AFTER UPDATE OF body ON notes BEGIN
  DELETE FROM search_index WHERE kind = 'note' AND ref = old.id;
  INSERT INTO search_index(kind, ref, title, body) VALUES ('note', new.id, new.target_kind, new.body);
END;
CREATE TRIGGER notes_fts_ad AFTER DELETE ON notes BEGIN
  DELETE FROM search_index WHERE kind = 'note' AND ref = old.id;
END;

CREATE TRIGGER cases_fts_ai AFTER INSERT ON cases BEGIN
  INSERT INTO search_index(kind, ref, title, body) VALUES ('case', new.id, new.title, new.description);
END;
CREATE TRIGGER cases_fts_au AFTER UPDATE OF title, description ON cases BEGIN
  DELETE FROM search_index WHERE kind = 'case' AND ref = old.id;
  INSERT INTO search_index(kind, ref, title, body) VALUES ('case', new.id, new.title, new.description);
END;
CREATE TRIGGER cases_fts_ad AFTER DELETE ON cases BEGIN
  DELETE FROM search_index WHERE kind = 'case' AND ref = old.id;
END;

CREATE TRIGGER attachments_fts_ai AFTER INSERT ON attachments BEGIN
  INSERT INTO search_index(kind, ref, title, body) VALUES ('evidence', new.id, new.original_name, new.caption);
END;
CREATE TRIGGER attachments_fts_au AFTER UPDATE OF caption, original_name ON attachments BEGIN
  DELETE FROM search_index WHERE kind = 'evidence' AND ref = old.id;
  INSERT INTO search_index(kind, ref, title, body) VALUES ('evidence', new.id, new.original_name, new.caption);
END;
CREATE TRIGGER attachments_fts_ad AFTER DELETE ON attachments BEGIN
  DELETE FROM search_index WHERE kind = 'evidence' AND ref = old.id;
END;
"""
