BEGIN TRANSACTION;
CREATE TABLE alert (
	id INTEGER NOT NULL, 
	story_id INTEGER NOT NULL, 
	entity VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	created_at DATETIME NOT NULL, 
	due_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	outcome TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (story_id, entity), 
	FOREIGN KEY(story_id) REFERENCES story (id) ON DELETE CASCADE
);
CREATE TABLE feed (
	id INTEGER NOT NULL, 
	url VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	title VARCHAR, 
	etag VARCHAR, 
	last_modified VARCHAR, 
	last_checked DATETIME, 
	last_outcome VARCHAR, 
	last_error VARCHAR, 
	http_status INTEGER, 
	last_ok DATETIME, 
	last_new INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 0, next_try DATETIME, gone BOOLEAN NOT NULL DEFAULT 0, moved_to VARCHAR, lease_owner VARCHAR, lease_until DATETIME, claimed_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (url)
);
INSERT INTO "feed" VALUES(1,'http://127.0.0.1:9/world.xml','World desk',1,'World','"v1"',NULL,'2024-04-14 10:00:00.000000','ok',NULL,200,'2024-04-14 10:00:00.000000',2,1,'2024-04-14 11:00:00.000000',0,NULL,NULL,NULL,NULL);
CREATE TABLE fetch_log (
	id INTEGER NOT NULL, 
	feed_id INTEGER NOT NULL, 
	checked_at DATETIME NOT NULL, 
	outcome VARCHAR NOT NULL, 
	http_status INTEGER, 
	error VARCHAR, 
	new INTEGER NOT NULL, 
	moved_to VARCHAR, 
	PRIMARY KEY (id), 
	FOREIGN KEY(feed_id) REFERENCES feed (id) ON DELETE CASCADE
);
CREATE TABLE "match" (
	id INTEGER NOT NULL, 
	story_id INTEGER NOT NULL, 
	entity VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	code VARCHAR, 
	count INTEGER NOT NULL, 
	snippet VARCHAR NOT NULL, 
	occurrences TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(story_id) REFERENCES story (id) ON DELETE CASCADE
);
INSERT INTO "match" VALUES(1,1,'Russia','country','RU',1,'Russian FM','[["text", 19, 26, "Russian"]]');
CREATE TABLE meta (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "meta" VALUES('schema_version','6');
INSERT INTO "meta" VALUES('watchlist_fingerprint','old');
CREATE TABLE story (
	id INTEGER NOT NULL, 
	feed_id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	guid VARCHAR, 
	url VARCHAR, 
	title VARCHAR NOT NULL, 
	author VARCHAR, 
	published DATETIME, 
	fetched_at DATETIME NOT NULL, 
	sort_time DATETIME NOT NULL, 
	summary TEXT NOT NULL, 
	text TEXT NOT NULL, 
	text_source VARCHAR NOT NULL, 
	text_note VARCHAR, 
	matched BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (feed_id, "key"), 
	FOREIGN KEY(feed_id) REFERENCES feed (id) ON DELETE CASCADE
);
INSERT INTO "story" VALUES(1,1,'guid:a','a','http://127.0.0.1:9/a.html','Russia defends Iran''s attack on Israel','Staff','2024-04-14 09:00:00.000000','2024-04-14 10:00:00.000000','2024-04-14 09:00:00.000000','summary','Vladimir Putin and Russian FM Sergei Lavrov met.','page',NULL,1);
INSERT INTO "story" VALUES(2,1,'guid:b','b','http://127.0.0.1:9/b.html','Weather',NULL,NULL,'2024-04-14 10:00:00.000000','2024-04-14 10:00:00.000000','','Rain today.','feed','the page could not be downloaded',0);
CREATE TABLE story_cluster (
	story_id INTEGER NOT NULL, 
	cluster_id INTEGER NOT NULL, 
	time DATETIME NOT NULL, 
	title_hash BLOB, 
	text_hash BLOB, 
	PRIMARY KEY (story_id), 
	FOREIGN KEY(story_id) REFERENCES story (id) ON DELETE CASCADE
);
CREATE TABLE story_gone (
	feed_id INTEGER NOT NULL, 
	"key" VARCHAR NOT NULL, 
	url VARCHAR, 
	gone_at DATETIME NOT NULL, 
	PRIMARY KEY (feed_id, "key"), 
	FOREIGN KEY(feed_id) REFERENCES feed (id) ON DELETE CASCADE
);
CREATE TABLE story_page (
	story_id INTEGER NOT NULL, 
	html BLOB NOT NULL, 
	fetched_at DATETIME NOT NULL, 
	PRIMARY KEY (story_id), 
	FOREIGN KEY(story_id) REFERENCES story (id) ON DELETE CASCADE
);
INSERT INTO "story_page" VALUES(1,X'28B52FFD20FCDD0400324A1F1D70A76D030016BBD5A84D69FB6DBB532336A4E9C9670CB40F4FE9BF7901A8904EC698C3C41C41CFC050CA5F7BA47DF29DA9BF245A0C006DF215D6942C7CF5682AF0A6CDBB16F93A561B33CE43724824221DAA3ADB2D0F17C406CC99539A8D8B2F768293DD791E56B6E28C961A8A9ECB5C1080AA7AFB10A5A6438574BA09002A1B42637504EDAAC97A3A611689EABE9600C157A36D1CD41E','2024-04-15 10:00:00.000000');
CREATE TABLE story_state (
	reader VARCHAR NOT NULL, 
	story_id INTEGER NOT NULL, 
	read BOOLEAN NOT NULL, 
	starred BOOLEAN NOT NULL, 
	PRIMARY KEY (reader, story_id), 
	FOREIGN KEY(story_id) REFERENCES story (id) ON DELETE CASCADE
);
INSERT INTO "story_state" VALUES('tester',1,1,1);
CREATE INDEX ix_story_matched_sort ON story (matched, sort_time);
CREATE INDEX ix_story_sort ON story (sort_time);
CREATE INDEX ix_story_feed_sort ON story (feed_id, sort_time);
CREATE INDEX ix_match_story_id ON "match" (story_id);
CREATE INDEX ix_match_entity_story ON "match" (entity, story_id);
CREATE INDEX ix_story_url ON story (url);
CREATE TRIGGER story_fts_insert AFTER INSERT ON story BEGIN
        INSERT INTO story_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
CREATE TRIGGER story_fts_delete AFTER DELETE ON story BEGIN
        INSERT INTO story_fts(story_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END;
CREATE TRIGGER story_fts_update AFTER UPDATE OF title, text ON story BEGIN
        INSERT INTO story_fts(story_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO story_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
CREATE INDEX ix_story_state_story_id ON story_state (story_id);
CREATE INDEX ix_story_gone_url ON story_gone (url);
CREATE INDEX ix_story_cluster_time ON story_cluster (time);
CREATE INDEX ix_story_cluster_cluster ON story_cluster (cluster_id);
CREATE INDEX ix_alert_sent_at ON alert (sent_at);
CREATE INDEX ix_alert_created_at ON alert (created_at);
CREATE INDEX ix_fetch_log_feed ON fetch_log (feed_id, id);
CREATE VIRTUAL TABLE story_fts USING fts5(
        title, text, content='story', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2');
INSERT INTO story_fts(story_fts) VALUES ('rebuild');
COMMIT;
